"""Pure cart rules: re-validating lines, pricing the review, merging, expiry. No ORM here."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from django_countries import countries
from moneyed.l10n import format_money

from mercato.cart.errors import InvalidCountry
from mercato.core.money import Money, money_sum, round_money
from mercato.pricing.rules import Address, Message, MessageCode, Quote, QuoteLine
from mercato.pricing.rules.types import normalize_code

MESSAGE_LOCALE = "en_US"


class IssueCode(StrEnum):
    PRICE_CHANGED = "price_changed"
    QUANTITY_REDUCED = "quantity_reduced"
    OUT_OF_STOCK = "out_of_stock"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class LineFacts:
    """What is known about one cart line right now."""

    line_id: int
    variant_id: int
    sku: str
    label: str
    quantity: int
    seen_unit_price: Money
    current_unit_price: Money | None  # None: no price in the cart's currency
    available: int
    is_published: bool


@dataclass(frozen=True)
class Issue:
    code: IssueCode
    message: str
    old_price: Money | None = None
    new_price: Money | None = None


@dataclass(frozen=True)
class LineUpdate:
    """What to store once the shopper has been shown a change (guarded by the old quantity)."""

    line_id: int
    quantity_was: int
    quantity: int
    seen_unit_amount: Decimal


@dataclass(frozen=True)
class LineReview:
    facts: LineFacts
    quantity: int
    unit_price: Money | None
    line_total: Money | None  # None: the line is not counted in the totals
    issues: tuple[Issue, ...] = ()

    def has(self, code: IssueCode) -> bool:
        return any(issue.code == code for issue in self.issues)

    @property
    def is_counted(self) -> bool:
        return self.line_total is not None

    def update(self) -> LineUpdate | None:
        """The change to store, or None when the stored line already says what was shown."""
        seen = self.facts.seen_unit_price.amount
        if self.unit_price is not None and self.has(IssueCode.PRICE_CHANGED):
            seen = self.unit_price.amount
        if self.quantity == self.facts.quantity and seen == self.facts.seen_unit_price.amount:
            return None
        return LineUpdate(line_id=self.facts.line_id, quantity_was=self.facts.quantity,
                          quantity=self.quantity, seen_unit_amount=seen)


@dataclass(frozen=True)
class Totals:
    subtotal: Money
    total: Money
    item_count: int


@dataclass(frozen=True)
class CartReview:
    currency: str
    lines: tuple[LineReview, ...]
    totals: Totals
    updates: tuple[LineUpdate, ...] = field(default=())

    @property
    def messages(self) -> list[str]:
        return [issue.message for line in self.lines for issue in line.issues]


def format_price(money: Money) -> str:
    return format_money(round_money(money), locale=MESSAGE_LOCALE)


def line_label(*, title: str, variant_name: str) -> str:
    return f"{title} ({variant_name})" if variant_name and variant_name != title else title


def price_changed(facts: LineFacts) -> Issue | None:
    current = facts.current_unit_price
    if current is None or current.amount == facts.seen_unit_price.amount:
        return None
    old, new = facts.seen_unit_price, current
    message = (f"The price of {facts.label} changed from {format_price(old)} "
               f"to {format_price(new)}.")
    return Issue(IssueCode.PRICE_CHANGED, message, old_price=old, new_price=new)


def review_line(facts: LineFacts) -> LineReview:
    """Check one line against the current price, publication and stock."""
    price = facts.current_unit_price
    if not facts.is_published or price is None:
        issue = Issue(IssueCode.UNAVAILABLE, f"{facts.label} is no longer available.")
        return LineReview(facts, facts.quantity, price, None, (issue,))
    issues = [issue for issue in [price_changed(facts)] if issue is not None]
    if facts.available <= 0:
        issues.append(Issue(IssueCode.OUT_OF_STOCK, f"{facts.label} is out of stock."))
        return LineReview(facts, facts.quantity, price, None, tuple(issues))
    quantity = facts.quantity
    if facts.available < quantity:
        quantity = facts.available
        issues.append(Issue(
            IssueCode.QUANTITY_REDUCED,
            f"Only {quantity} of {facts.label} are available: "
            f"the quantity was reduced from {facts.quantity} to {quantity}.",
        ))
    return LineReview(facts, quantity, price, round_money(price * quantity), tuple(issues))


def cart_totals(lines: Iterable[LineReview], currency: str) -> Totals:
    """Line totals are already rounded; the sum is rounded once more (per line, then totals)."""
    counted = [line for line in lines if line.line_total is not None]
    subtotal = round_money(money_sum((line.line_total for line in counted), currency))
    return Totals(subtotal=subtotal, total=subtotal,
                  item_count=sum(line.quantity for line in counted))


def review_cart(*, currency: str, lines: Iterable[LineFacts]) -> CartReview:
    reviews = tuple(review_line(facts) for facts in lines)
    updates = tuple(update for line in reviews if (update := line.update()) is not None)
    return CartReview(currency=currency, lines=reviews, totals=cart_totals(reviews, currency),
                      updates=updates)


# --- pricing the review (the quote comes from the pricing engine) ------------------------------

# (variant id, quantity, unit price): what pricing.selectors.pricing_lines_for takes.
PricingItem = tuple[int, int, Money]


@dataclass(frozen=True)
class PricedLine:
    review: LineReview
    quote: QuoteLine | None  # None: the line is not counted


@dataclass(frozen=True)
class PricedCart:
    """The cart re-validated and priced: what the shopper is shown, and what to store so that
    each change is said once."""

    review: CartReview
    quote: Quote
    lines: tuple[PricedLine, ...]
    messages: tuple[str, ...]
    # The promotions now applied, to store as shown; None when the cart already says so.
    shown_promotion_ids: list[int] | None = None

    @property
    def updates(self) -> tuple[LineUpdate, ...]:
        return self.review.updates


def pricing_items(review: CartReview) -> list[PricingItem]:
    """The counted lines at their current unit price and (possibly capped) quantity."""
    return [(line.facts.variant_id, line.quantity, line.unit_price)
            for line in review.lines if line.is_counted and line.unit_price is not None]


def quote_messages(messages: Sequence[Message]) -> list[str]:
    """The quote's messages; a coupon's promotion that stopped applying is said once, by the
    coupon's own message."""
    by_coupon = {m.promotion_id for m in messages if m.coupon_code is not None}
    return [m.text for m in messages
            if not (m.code == MessageCode.PROMOTION_NO_LONGER_APPLIES
                    and m.promotion_id in by_coupon)]


def price_cart(*, review: CartReview, quote: Quote, shown_promotion_ids: Sequence[int]
               ) -> PricedCart:
    """Join the line review with its quote (whose lines are the counted lines, in order)."""
    quoted = iter(quote.lines)
    lines = tuple(PricedLine(line, next(quoted) if line.is_counted else None)
                  for line in review.lines)
    applied = sorted(set(quote.applied_promotion_ids))
    return PricedCart(
        review=review, quote=quote, lines=lines,
        messages=(*review.messages, *quote_messages(quote.messages)),
        shown_promotion_ids=None if applied == sorted(set(shown_promotion_ids)) else applied,
    )


def estimate_address(*, country: str, region: str) -> Address | None:
    return Address(country=country, region=region) if country else None


def checked_address(*, country: str, region: str = "") -> Address:
    """An estimate address with a known ISO 3166-1 alpha-2 country, codes in upper case."""
    code = country.strip().upper()
    if not code or code not in countries:
        message = f"'{country}' is not a country: give an ISO 3166-1 alpha-2 code such as DE."
        raise InvalidCountry(message, errors={"country": [message]})
    return Address(country=code, region=region.strip().upper())


def holds_code(codes: Iterable[str], code: str) -> bool:
    return any(normalize_code(held) == normalize_code(code) for held in codes)


def without_code(codes: Iterable[str], code: str) -> list[str]:
    return [held for held in codes if normalize_code(held) != normalize_code(code)]


def merged_codes(target: Sequence[str], source: Sequence[str]) -> list[str]:
    """The target cart's codes, then the source's it does not hold yet."""
    merged = list(target)
    for code in source:
        if not holds_code(merged, code):
            merged.append(code)
    return merged


def merged_quantity(*, existing: int, added: int, available: int) -> int:
    """Quantities add up to what is available, but a merge never lowers what the customer's
    cart already held, nor drops a line: re-validation then reports what is short."""
    return min(existing + added, max(available, existing, 1))


def is_expired(*, updated_at: datetime, now: datetime, ttl: timedelta) -> bool:
    return updated_at < now - ttl


def insufficient_stock_detail(*, sku: str, available: int) -> str:
    if available <= 0:
        return f"{sku} is out of stock."
    return f"Only {available} of {sku} are available."
