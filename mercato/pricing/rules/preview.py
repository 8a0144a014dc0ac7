"""Previewing a promotion: what it would take off carts if it were running now.

For the merchandiser's question "which carts would this promotion affect now?": the previewed
promotion is taken as switched on, within its dates and unlocked without its coupon. Everything
else applies as in a real quote: the promotions live now beside it, priority and stacking,
usage limits (in total and per customer), minimums, targets and currency.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from mercato.core.money import Money, zero
from mercato.pricing.rules.types import PricingLine, PromotionRule, Quote

# (variant id, quantity, unit price in the cart's currency)
PreviewItem = tuple[int, int, Money]


@dataclass(frozen=True)
class PreviewCart:
    """A cart as a preview prices it: the caller's key for it, and its priced lines."""

    key: int
    currency: str
    customer_id: int | None
    items: tuple[PreviewItem, ...]


@dataclass(frozen=True)
class PromotionEffect:
    applies: bool
    discount: Money  # what it takes off the goods (a free-delivery promotion: zero)
    quote: Quote


def as_running(promotion: PromotionRule) -> PromotionRule:
    """The promotion switched on, inside its dates and needing no coupon."""
    return replace(promotion, is_active=True, starts_at=None, ends_at=None,
                   requires_coupon=False)


def preview_promotions(promotions: Sequence[PromotionRule], *, promotion_id: int,
                       customer_id: int | None,
                       customer_uses: Mapping[tuple[int, int], int]) -> tuple[PromotionRule, ...]:
    """The promotions of one cart's preview: the previewed one running, each counted with the
    cart customer's own uses ({(promotion id, customer id): uses})."""
    previewed = []
    for promotion in promotions:
        if promotion.id == promotion_id:
            promotion = as_running(promotion)
        if customer_id is not None:
            promotion = replace(promotion, customer_times_used=customer_uses.get(
                (promotion.id, customer_id), 0))
        previewed.append(promotion)
    return tuple(previewed)


CartLines = tuple[PreviewCart, tuple[PricingLine, ...]]


def lines_per_cart(carts: Sequence[PreviewCart],
                   lines: Sequence[PricingLine]) -> list[CartLines]:
    """Cut the lines of all carts (in the order of their items) back into each cart's lines."""
    if len(lines) != sum(len(cart.items) for cart in carts):
        raise ValueError("Expected one pricing line per cart item.")
    cut = []
    start = 0
    for cart in carts:
        cut.append((cart, tuple(lines[start:start + len(cart.items)])))
        start += len(cart.items)
    return cut


def promotion_effect(quote: Quote, promotion_id: int) -> PromotionEffect:
    """Whether the promotion applied to the quote, and what it took off."""
    amount = next((d.amount for d in quote.discounts if d.promotion_id == promotion_id),
                  zero(quote.currency))
    return PromotionEffect(applies=promotion_id in quote.applied_promotion_ids,
                           discount=amount, quote=quote)
