"""django-ninja schemas of the cart API."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Schema
from pydantic import BeforeValidator, Field

from mercato.cart.models import Cart
from mercato.cart.rules import Issue, IssueCode, PricedCart, PricedLine
from mercato.catalog.schemas import MoneyOut
from mercato.core.money import Money, round_money
from mercato.core.schema_types import sold_currencies, whole_number
from mercato.pricing.rules import (
    Address,
    CouponResult,
    CouponStatus,
    DeliveryOption,
    DeliveryQuote,
    Discount,
    Quote,
    QuoteLine,
    TaxLine,
)

MAX_LINE_QUANTITY = 9999

# Strict: 1.5, "2" and true are refused rather than silently turned into an integer (3.0 is 3).
Quantity = Annotated[int, Field(strict=True, gt=0, le=MAX_LINE_QUANTITY,
                                description="A positive whole number of units."),
                     BeforeValidator(whole_number)]


class CartCreateIn(Schema):
    currency: str | None = Field(
        default=None, min_length=3, max_length=3, json_schema_extra=sold_currencies,
        description="ISO 4217 code, one of MERCATO_CURRENCIES; the shop's default when omitted.",
    )


class LineAddIn(Schema):
    sku: str = Field(min_length=1, max_length=64)
    quantity: Quantity


class LineQuantityIn(Schema):
    quantity: Quantity


class CouponIn(Schema):
    code: str = Field(min_length=1, max_length=64)


class DeliveryIn(Schema):
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2, e.g. DE.")
    region: str = Field("", max_length=40, description="State/province code; may be empty.")
    method: str | None = Field(None, max_length=40, description=(
        "Code of a delivery method offered for this address and cart (see "
        "/cart/delivery-methods); empty or omitted: none chosen yet."))


class DeliveryMethodsQuery(Schema):
    country: str = Field("", max_length=2, description="Empty: the cart's estimate address.")
    region: str = Field("", max_length=40)


class IssueOut(Schema):
    code: str
    message: str
    old_price: MoneyOut | None = None
    new_price: MoneyOut | None = None


class DiscountOut(Schema):
    name: str = Field(description="The promotion's name.")
    amount: MoneyOut


class CartLineOut(Schema):
    sku: str
    label: str
    quantity: int
    unit_price: MoneyOut | None
    subtotal: MoneyOut | None = Field(description="Unit price x quantity; null when the line "
                                                  "is not counted.")
    discounts: list[DiscountOut]
    line_total: MoneyOut | None = Field(description=(
        "After discounts, as catalog prices are stated (tax included when prices_include_tax);"
        " null when the line is not counted."))
    net: MoneyOut | None
    tax: MoneyOut | None
    gross: MoneyOut | None
    tax_rate: str | None = Field(description="Percent, e.g. \"19\".")
    is_counted: bool
    price_changed: bool
    quantity_reduced: bool
    out_of_stock: bool
    unavailable: bool
    issues: list[IssueOut]


class DeliveryQuoteOut(Schema):
    method: str = Field(description="The delivery method's code.")
    name: str
    price: MoneyOut = Field(description="The fee (zero above the free-delivery threshold).")
    discount: MoneyOut = Field(description="Waived by a free-delivery promotion.")
    net: MoneyOut
    tax: MoneyOut
    gross: MoneyOut
    estimated_days_min: int
    estimated_days_max: int


class TaxOut(Schema):
    name: str
    rate: str
    net: MoneyOut
    tax: MoneyOut
    gross: MoneyOut


class TotalsOut(Schema):
    subtotal: MoneyOut = Field(description="The counted lines before discounts.")
    discounts: list[DiscountOut] = Field(description="One per promotion applied.")
    discount_total: MoneyOut
    delivery: DeliveryQuoteOut | None = Field(description="Once an address and a method are "
                                                          "chosen (PUT /cart/delivery).")
    taxes: list[TaxOut] = Field(description="Per tax rate.")
    tax_total: MoneyOut
    net_total: MoneyOut
    total: MoneyOut = Field(description="What the shopper pays.")
    item_count: int
    tax_known: bool = Field(description="False: no address yet, tax estimated for the shop's "
                                        "country.")
    prices_include_tax: bool


class CouponOut(Schema):
    code: str
    status: str = Field(description="applied, unknown, expired, used_up or not_applicable.")
    is_applied: bool
    message: str


class DeliveryChoiceOut(Schema):
    country: str
    region: str
    method: str | None


class CartOut(Schema):
    token: str = Field(description="Send it back as the X-Cart-Token header (or the cookie).")
    currency: str
    status: str
    lines: list[CartLineOut]
    totals: TotalsOut
    coupons: list[CouponOut] = Field(description="The codes entered, each with its status.")
    delivery: DeliveryChoiceOut | None = Field(description="The estimate address and method.")
    messages: list[str] = Field(description="What changed since the shopper last looked, and "
                                            "what stops a coupon or method from applying.")
    created_at: datetime
    updated_at: datetime


class DeliveryMethodOut(Schema):
    code: str
    name: str
    description: str
    fee: MoneyOut
    is_free: bool
    estimated_days_min: int
    estimated_days_max: int


class DeliveryMethodsOut(Schema):
    country: str
    region: str
    methods: list[DeliveryMethodOut]


# A 50-line cart with stacked promotions is ~1,500 output objects per read, and ninja's Schema
# validator (which re-reads every nested object) took half the read. So the cart is built with
# model_construct from values the rules already typed; ninja serialises a returned CartOut
# without validating it again.

def amount_out(money: Money) -> MoneyOut:
    """MoneyOut.from_money without validation: rounded to the currency's minor unit."""
    rounded = round_money(money)
    return MoneyOut.model_construct(amount=str(rounded.amount), currency=rounded.currency.code)


def money_out(money: Money | None) -> MoneyOut | None:
    return None if money is None else amount_out(money)


def percent(rate: Decimal) -> str:
    return f"{rate.normalize():f}"


def issue_out(issue: Issue) -> IssueOut:
    return IssueOut.model_construct(
        code=issue.code.value, message=issue.message, old_price=money_out(issue.old_price),
        new_price=money_out(issue.new_price))


def discount_out(discount: Discount) -> DiscountOut:
    return DiscountOut.model_construct(name=discount.name, amount=amount_out(discount.amount))


def line_amounts(quote: QuoteLine | None) -> dict[str, object]:
    """The priced part of a line: all empty for a line that is not counted."""
    if quote is None:
        return {"subtotal": None, "discounts": [], "line_total": None, "net": None, "tax": None,
                "gross": None, "tax_rate": None}
    return {
        "subtotal": amount_out(quote.base_amount),
        "discounts": [discount_out(discount) for discount in quote.discounts],
        "line_total": amount_out(quote.amount), "net": amount_out(quote.net),
        "tax": amount_out(quote.tax), "gross": amount_out(quote.gross),
        "tax_rate": percent(quote.tax_rate),
    }


def line_out(priced: PricedLine) -> CartLineOut:
    line = priced.review
    return CartLineOut.model_construct(
        sku=line.facts.sku, label=line.facts.label, quantity=line.quantity,
        unit_price=money_out(line.unit_price), **line_amounts(priced.quote),
        is_counted=line.is_counted,
        price_changed=line.has(IssueCode.PRICE_CHANGED),
        quantity_reduced=line.has(IssueCode.QUANTITY_REDUCED),
        out_of_stock=line.has(IssueCode.OUT_OF_STOCK),
        unavailable=line.has(IssueCode.UNAVAILABLE),
        issues=[issue_out(issue) for issue in line.issues],
    )


def delivery_quote_out(delivery: DeliveryQuote | None) -> DeliveryQuoteOut | None:
    if delivery is None:
        return None
    return DeliveryQuoteOut.model_construct(
        method=delivery.code, name=delivery.name, price=amount_out(delivery.price),
        discount=amount_out(delivery.discount), net=amount_out(delivery.net),
        tax=amount_out(delivery.tax), gross=amount_out(delivery.gross),
        estimated_days_min=delivery.estimated_days_min,
        estimated_days_max=delivery.estimated_days_max,
    )


def tax_out(tax: TaxLine) -> TaxOut:
    return TaxOut.model_construct(name=tax.name, rate=percent(tax.rate),
                                  net=amount_out(tax.net), tax=amount_out(tax.tax),
                                  gross=amount_out(tax.gross))


def totals_out(quote: Quote, *, item_count: int) -> TotalsOut:
    return TotalsOut.model_construct(
        subtotal=amount_out(quote.subtotal),
        discounts=[discount_out(d) for d in quote.discounts],
        discount_total=amount_out(quote.discount_total),
        delivery=delivery_quote_out(quote.delivery),
        taxes=[tax_out(tax) for tax in quote.taxes],
        tax_total=amount_out(quote.tax_total),
        net_total=amount_out(quote.net_total), total=amount_out(quote.total),
        item_count=item_count, tax_known=quote.tax_known,
        prices_include_tax=quote.prices_include_tax,
    )


def coupon_out(result: CouponResult) -> CouponOut:
    return CouponOut.model_construct(
        code=result.code, status=result.status.value,
        is_applied=result.status == CouponStatus.APPLIED, message=result.message)


def delivery_choice_out(cart: Cart) -> DeliveryChoiceOut | None:
    if not cart.estimate_country:
        return None
    return DeliveryChoiceOut.model_construct(
        country=cart.estimate_country, region=cart.estimate_region,
        method=cart.delivery_method or None)


def cart_out(*, cart: Cart, review: PricedCart) -> CartOut:
    return CartOut.model_construct(
        token=cart.token, currency=cart.currency, status=cart.status,
        lines=[line_out(line) for line in review.lines],
        totals=totals_out(review.quote, item_count=review.review.totals.item_count),
        coupons=[coupon_out(result) for result in review.quote.coupons],
        delivery=delivery_choice_out(cart), messages=list(review.messages),
        created_at=cart.created_at, updated_at=cart.updated_at,
    )


def delivery_method_out(option: DeliveryOption) -> DeliveryMethodOut:
    return DeliveryMethodOut(
        code=option.code, name=option.name, description=option.description,
        fee=amount_out(option.fee), is_free=option.fee.amount == 0,
        estimated_days_min=option.estimated_days_min,
        estimated_days_max=option.estimated_days_max,
    )


def delivery_methods_out(address: Address, options: list[DeliveryOption]) -> DeliveryMethodsOut:
    return DeliveryMethodsOut(country=address.country, region=address.region,
                              methods=[delivery_method_out(option) for option in options])
