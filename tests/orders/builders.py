"""A priced quote over factory data and an order placed from it."""

from dataclasses import replace
from decimal import Decimal

from mercato.catalog.models import ProductVariant
from mercato.core.events import Actor
from mercato.core.money import Money
from mercato.orders.models import Order
from mercato.orders.services import place_order
from mercato.pricing.rules import Address, Quote
from mercato.pricing.rules.types import DeliveryQuote
from mercato.pricing.selectors import pricing_lines_for, quote_for_lines
from tests.factories import ProductFactory, ProductVariantFactory, StockFactory
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


def make_quote(*, on_hand: int = 100) -> Quote:
    """Two lines, a 10 % promotion, delivery to Germany and 19 % VAT; each variant has
    `on_hand` units in the main warehouse."""
    TaxRateFactory(country="DE", tax_class=TaxClassFactory(code="standard"), rate=Decimal(19))
    PromotionFactory(name="Ten off", percentage=Decimal(10))
    rate = DeliveryRateFactory(price=Decimal("4.90"))
    shirt = ProductVariantFactory(product=ProductFactory(title="Shirt"), name="Red / M")
    mug = ProductVariantFactory(product=ProductFactory(title="Mug"), name="")
    for variant in (shirt, mug):
        StockFactory(variant=variant, on_hand=on_hand)
    lines = pricing_lines_for(items=[(shirt.pk, 2, Money("19.90", "EUR")),
                                     (mug.pk, 1, Money("8.50", "EUR"))])
    return quote_for_lines(currency="EUR", lines=lines, address=Address("DE"),
                           delivery_method=rate.method.code)


def place(quote: Quote, *, customer_id: int | None = None,
          email: str = "ada@example.com") -> Order:
    return place_order(quote=quote, customer_id=customer_id, email=email,
                       shipping_address=ADDRESS, billing_address=ADDRESS | {"city": "Potsdam"},
                       by=SHOPPER)


def variants_of(quote: Quote) -> list[ProductVariant]:
    """The quote's variants, in line order (shirt, mug for make_quote's)."""
    by_id = ProductVariant.objects.in_bulk([line.variant_id for line in quote.lines])
    return [by_id[line.variant_id] for line in quote.lines]


def express(quote: Quote, fee: str = "9.90") -> DeliveryQuote:
    """Another delivery method than the quote's, for a second shipment."""
    assert quote.delivery is not None
    price = Money(fee, quote.currency)
    return replace(quote.delivery, method_id=quote.delivery.method_id + 1000, code="express",
                   name="Express", price=price, discount=Money(0, quote.currency))
