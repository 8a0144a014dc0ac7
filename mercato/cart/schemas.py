"""django-ninja schemas of the cart API."""

from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from mercato.cart.models import Cart
from mercato.cart.rules import CartReview, Issue, IssueCode, LineReview, Totals
from mercato.catalog.schemas import MoneyOut
from mercato.core.money import Money

MAX_LINE_QUANTITY = 9999

# Strict: 1.5, "2" and true are refused rather than silently turned into an integer.
Quantity = Annotated[int, Field(strict=True, gt=0, le=MAX_LINE_QUANTITY,
                                description="A positive whole number of units.")]


class CartCreateIn(Schema):
    currency: str | None = Field(
        default=None, min_length=3, max_length=3,
        description="ISO 4217 code, one of MERCATO_CURRENCIES; the shop's default when omitted.",
    )


class LineAddIn(Schema):
    sku: str = Field(min_length=1, max_length=64)
    quantity: Quantity


class LineQuantityIn(Schema):
    quantity: Quantity


class IssueOut(Schema):
    code: str
    message: str
    old_price: MoneyOut | None = None
    new_price: MoneyOut | None = None


class CartLineOut(Schema):
    sku: str
    label: str
    quantity: int
    unit_price: MoneyOut | None
    line_total: MoneyOut | None = Field(description="Null when the line is not counted.")
    is_counted: bool
    price_changed: bool
    quantity_reduced: bool
    out_of_stock: bool
    unavailable: bool
    issues: list[IssueOut]


class TotalsOut(Schema):
    subtotal: MoneyOut
    total: MoneyOut
    item_count: int


class CartOut(Schema):
    token: str = Field(description="Send it back as the X-Cart-Token header (or the cookie).")
    currency: str
    status: str
    lines: list[CartLineOut]
    totals: TotalsOut
    messages: list[str] = Field(description="What changed since the shopper last looked.")
    created_at: datetime
    updated_at: datetime


def money_out(money: Money | None) -> MoneyOut | None:
    return None if money is None else MoneyOut.from_money(money)


def issue_out(issue: Issue) -> IssueOut:
    return IssueOut(code=issue.code.value, message=issue.message,
                    old_price=money_out(issue.old_price), new_price=money_out(issue.new_price))


def line_out(line: LineReview) -> CartLineOut:
    return CartLineOut(
        sku=line.facts.sku, label=line.facts.label, quantity=line.quantity,
        unit_price=money_out(line.unit_price), line_total=money_out(line.line_total),
        is_counted=line.is_counted,
        price_changed=line.has(IssueCode.PRICE_CHANGED),
        quantity_reduced=line.has(IssueCode.QUANTITY_REDUCED),
        out_of_stock=line.has(IssueCode.OUT_OF_STOCK),
        unavailable=line.has(IssueCode.UNAVAILABLE),
        issues=[issue_out(issue) for issue in line.issues],
    )


def totals_out(totals: Totals) -> TotalsOut:
    return TotalsOut(subtotal=MoneyOut.from_money(totals.subtotal),
                     total=MoneyOut.from_money(totals.total), item_count=totals.item_count)


def cart_out(*, cart: Cart, review: CartReview) -> CartOut:
    return CartOut(
        token=cart.token, currency=cart.currency, status=cart.status,
        lines=[line_out(line) for line in review.lines], totals=totals_out(review.totals),
        messages=review.messages, created_at=cart.created_at, updated_at=cart.updated_at,
    )
