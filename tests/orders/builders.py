"""A priced quote over factory data and an order placed from it."""

from decimal import Decimal

from mercato.core.events import Actor
from mercato.core.money import Money
from mercato.orders.models import Order
from mercato.orders.services import place_order
from mercato.pricing.rules import Address, Quote
from mercato.pricing.selectors import pricing_lines_for, quote_for_lines
from tests.factories import ProductFactory, ProductVariantFactory
from tests.pricing.factories import (
    DeliveryRateFactory,
    PromotionFactory,
    TaxClassFactory,
    TaxRateFactory,
)

SHOPPER = Actor("customer", "ada@example.com")
ADDRESS = {
    "first_name": "Ada", "last_name": "Lovelace", "street_address_1": "Unter den Linden 1",
    "city": "BERLIN", "postal_code": "10117", "country": "de",
}


def make_quote() -> Quote:
    """Two lines, a 10 % promotion, delivery to Germany and 19 % VAT."""
    TaxRateFactory(country="DE", tax_class=TaxClassFactory(code="standard"), rate=Decimal(19))
    PromotionFactory(name="Ten off", percentage=Decimal(10))
    rate = DeliveryRateFactory(price=Decimal("4.90"))
    shirt = ProductVariantFactory(product=ProductFactory(title="Shirt"), name="Red / M")
    mug = ProductVariantFactory(product=ProductFactory(title="Mug"), name="")
    lines = pricing_lines_for(items=[(shirt.pk, 2, Money("19.90", "EUR")),
                                     (mug.pk, 1, Money("8.50", "EUR"))])
    return quote_for_lines(currency="EUR", lines=lines, address=Address("DE"),
                           delivery_method=rate.method.code)


def place(quote: Quote, *, customer_id: int | None = None,
          email: str = "ada@example.com") -> Order:
    return place_order(quote=quote, customer_id=customer_id, email=email,
                       shipping_address=ADDRESS, billing_address=ADDRESS | {"city": "Potsdam"},
                       by=SHOPPER)
