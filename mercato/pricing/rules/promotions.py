"""Promotions: which apply to a quote, in which order, and how much each takes off.

- Promotions are tried by priority (higher first, then the older one). One that does not stack
  applies only if nothing was applied before it, and then no further promotion applies.
- A promotion applies when it is active at `now`, within its usage limits (total, and per
  customer: a per-customer limit needs a known customer), unlocked by a valid coupon if it
  requires one, in the quote's currency (when it names one), the undiscounted subtotal reaches
  its minimum order value, the lines it targets hold its minimum quantity, and it takes
  something off.
- Scope: the whole order, products, or categories (a category covers its sub-categories).
- Percentage and fixed amounts on products/categories apply per matching line, on what is left
  of it after earlier promotions (a fixed amount is per unit, at most the unit price). On the
  order they apply to what is left of the subtotal and are allocated to the lines in proportion
  to their amounts, so each line's tax stays right (see `allocate`).
- Buy X get Y: over the matching lines, for every X+Y units the Y cheapest units are free.
- Free delivery waives the delivery fee (see quote.py).
- A discount never exceeds what is left of a line: nothing becomes negative.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from functools import cached_property

from moneyed.l10n import format_money

from mercato.core.money import Money, minor_unit, money_sum, round_money, zero
from mercato.pricing.rules.types import (
    Discount,
    PricingLine,
    PromotionKind,
    PromotionRule,
    PromotionScope,
    Reason,
    ReasonCode,
)

HUNDRED = Decimal(100)
MESSAGE_LOCALE = "en_US"


@dataclass(frozen=True)
class PromotionContext:
    lines: tuple[PricingLine, ...]
    currency: str
    now: datetime
    customer_id: int | None
    unlocked_promotion_ids: frozenset[int]  # by a valid coupon of the request

    @cached_property
    def base_amounts(self) -> tuple[Money, ...]:
        return tuple(round_money(line.unit_price * line.quantity) for line in self.lines)

    @cached_property
    def subtotal(self) -> Money:
        return money_sum(self.base_amounts, self.currency)


@dataclass(frozen=True)
class PromotionOutcome:
    line_discounts: tuple[tuple[Discount, ...], ...]  # per line of the context
    applied: tuple[PromotionRule, ...]  # in the order they were applied
    reasons: Mapping[int, Reason]  # promotion id -> why it did not apply

    @property
    def free_delivery(self) -> PromotionRule | None:
        return next((p for p in self.applied if p.kind == PromotionKind.FREE_DELIVERY), None)


def format_price(money: Money) -> str:
    return format_money(round_money(money), locale=MESSAGE_LOCALE)


def priority_order(promotion: PromotionRule) -> tuple[int, int]:
    return (-promotion.priority, promotion.id)


def targets(promotion: PromotionRule, line: PricingLine) -> bool:
    if promotion.scope == PromotionScope.PRODUCTS:
        return line.product_id in promotion.product_ids
    if promotion.scope == PromotionScope.CATEGORIES:
        return bool(promotion.category_ids & line.category_ids)
    return True


def availability_reason(promotion: PromotionRule, context: PromotionContext) -> Reason | None:
    """Why the promotion cannot be used at all now, whatever the cart holds."""
    name, now = promotion.name, context.now
    if not promotion.is_active:
        return Reason(ReasonCode.INACTIVE, f"{name} is not active.")
    if promotion.starts_at is not None and now < promotion.starts_at:
        return Reason(ReasonCode.NOT_STARTED, f"{name} starts on {promotion.starts_at:%Y-%m-%d}.")
    if promotion.ends_at is not None and now >= promotion.ends_at:
        return Reason(ReasonCode.ENDED, f"{name} ended on {promotion.ends_at:%Y-%m-%d}.")
    if promotion.usage_limit is not None and promotion.times_used >= promotion.usage_limit:
        return Reason(ReasonCode.USED_UP, f"{name} has been used up.")
    if promotion.usage_limit_per_customer is not None:
        if context.customer_id is None:
            return Reason(ReasonCode.NEEDS_CUSTOMER,
                          f"{name} is limited per customer: log in to use it.")
        if promotion.customer_times_used >= promotion.usage_limit_per_customer:
            return Reason(ReasonCode.USED_UP_FOR_CUSTOMER,
                          f"You have already used {name} as often as it allows.")
    if promotion.requires_coupon and promotion.id not in context.unlocked_promotion_ids:
        return Reason(ReasonCode.NEEDS_COUPON, f"{name} needs a coupon code.")
    return None


def condition_reason(promotion: PromotionRule, context: PromotionContext) -> Reason | None:
    """Why this cart does not qualify for the promotion."""
    name = promotion.name
    if promotion.currency and promotion.currency != context.currency:
        return Reason(ReasonCode.WRONG_CURRENCY,
                      f"{name} applies to orders in {promotion.currency} only.")
    minimum = promotion.min_order_value
    if minimum is not None and context.subtotal < minimum:
        return Reason(ReasonCode.MIN_ORDER_VALUE,
                      f"{name} needs an order of at least {format_price(minimum)}.")
    quantity = sum(line.quantity for line in context.lines if targets(promotion, line))
    if quantity == 0:
        return Reason(ReasonCode.NO_MATCHING_ITEMS, f"No item in the cart qualifies for {name}.")
    needed = promotion.min_quantity or 0
    if promotion.kind == PromotionKind.BUY_X_GET_Y:
        needed = max(needed, promotion.buy_quantity + promotion.get_quantity)
    if quantity < needed:
        return Reason(ReasonCode.MIN_QUANTITY,
                      f"{name} needs at least {needed} eligible items in the cart.")
    return None


def stacking_reason(promotion: PromotionRule, applied: Sequence[PromotionRule]) -> Reason | None:
    exclusive = next((other for other in applied if not other.stacks), None)
    if exclusive is None and applied and not promotion.stacks:
        exclusive = applied[0]
    if exclusive is None:
        return None
    return Reason(ReasonCode.DOES_NOT_STACK,
                  f"{promotion.name} cannot be combined with {exclusive.name}.")


def allocate(total: Money, weights: Sequence[Money]) -> list[Money]:
    """Split a rounded amount over lines in proportion to their amounts, to the minor unit.

    Largest remainder: every share is first rounded down, and the minor units left over go to
    the lines with the largest cut-off fractions (the larger line first on a tie). A share is
    thus never above its line's amount, and the shares add up to the total exactly.
    """
    currency = total.currency.code
    unit = minor_unit(currency)
    weight_sum = sum((weight.amount for weight in weights), Decimal(0))
    if total.amount <= 0 or weight_sum <= 0:
        return [zero(currency) for _ in weights]
    exact = [total.amount * weight.amount / weight_sum for weight in weights]
    shares = [amount.quantize(unit, rounding=ROUND_DOWN) for amount in exact]
    leftover = int((total.amount - sum(shares, Decimal(0))) / unit)
    by_fraction = sorted(range(len(weights)),
                         key=lambda i: (shares[i] - exact[i], -weights[i].amount, i))
    for index in by_fraction[:leftover]:
        shares[index] += unit
    return [Money(share, currency) for share in shares]


def _line_percentage(promotion: PromotionRule, line: PricingLine, left: Money) -> Money:
    return min(left, round_money(left * (promotion.percentage or 0) / HUNDRED))


def _line_fixed(promotion: PromotionRule, line: PricingLine, left: Money) -> Money:
    if promotion.amount is None:
        return zero(left.currency.code)
    per_unit = min(promotion.amount, line.unit_price)
    return min(left, round_money(per_unit * line.quantity))


def _order_discount(promotion: PromotionRule, left: Sequence[Money], currency: str) -> Money:
    total = money_sum(left, currency)
    if promotion.kind == PromotionKind.PERCENTAGE:
        return round_money(total * (promotion.percentage or 0) / HUNDRED)
    if promotion.amount is None:
        return zero(currency)
    return min(total, round_money(promotion.amount))


def _buy_x_get_y(promotion: PromotionRule, lines: Sequence[PricingLine],
                 left: Sequence[Money], currency: str) -> list[Money]:
    """The cheapest units of the matching lines are free, valued at what is left of them."""
    matching = [i for i, line in enumerate(lines) if targets(promotion, line)]
    group = promotion.buy_quantity + promotion.get_quantity
    units = sum(lines[i].quantity for i in matching)
    free = units // group * promotion.get_quantity if group > 0 else 0
    amounts = [zero(currency) for _ in lines]
    for index in sorted(matching, key=lambda i: (left[i].amount / lines[i].quantity, i)):
        taken = min(free, lines[index].quantity)
        if taken <= 0:
            break
        amounts[index] = min(left[index],
                             round_money(left[index] * taken / lines[index].quantity))
        free -= taken
    return amounts


def discount_amounts(promotion: PromotionRule, lines: Sequence[PricingLine],
                     left: Sequence[Money], currency: str) -> list[Money]:
    """What the promotion takes off each line, given what is left of each line."""
    if promotion.kind == PromotionKind.BUY_X_GET_Y:
        return _buy_x_get_y(promotion, lines, left, currency)
    if promotion.kind == PromotionKind.FREE_DELIVERY:
        return [zero(currency) for _ in lines]
    if promotion.scope == PromotionScope.ORDER:
        return allocate(_order_discount(promotion, left, currency), left)
    per_line = (_line_percentage if promotion.kind == PromotionKind.PERCENTAGE
                else _line_fixed)
    return [per_line(promotion, line, left[i]) if targets(promotion, line) else zero(currency)
            for i, line in enumerate(lines)]


def _reason_not_applied(promotion: PromotionRule, context: PromotionContext,
                        applied: Sequence[PromotionRule]) -> Reason | None:
    return (availability_reason(promotion, context) or condition_reason(promotion, context)
            or stacking_reason(promotion, applied))


def _nothing_to_discount(promotion: PromotionRule) -> Reason:
    return Reason(ReasonCode.NOTHING_TO_DISCOUNT, f"{promotion.name} takes nothing off.")


def apply_promotions(context: PromotionContext,
                     promotions: Sequence[PromotionRule]) -> PromotionOutcome:
    """Try each promotion in priority order on what is left of the lines."""
    left = list(context.base_amounts)
    discounts: list[list[Discount]] = [[] for _ in context.lines]
    applied: list[PromotionRule] = []
    reasons: dict[int, Reason] = {}
    for promotion in sorted(promotions, key=priority_order):
        reason = _reason_not_applied(promotion, context, applied)
        amounts = [] if reason else discount_amounts(promotion, context.lines, left,
                                                     context.currency)
        if reason is None and promotion.kind == PromotionKind.FREE_DELIVERY:
            if any(other.kind == PromotionKind.FREE_DELIVERY for other in applied):
                reason = _nothing_to_discount(promotion)
        elif reason is None and not any(amount.amount > 0 for amount in amounts):
            reason = _nothing_to_discount(promotion)
        if reason is not None:
            reasons[promotion.id] = reason
            continue
        for index, amount in enumerate(amounts):
            if amount.amount > 0:
                left[index] -= amount
                discounts[index].append(Discount(promotion.id, promotion.name, amount))
        applied.append(promotion)
    return PromotionOutcome(line_discounts=tuple(tuple(d) for d in discounts),
                            applied=tuple(applied), reasons=reasons)
