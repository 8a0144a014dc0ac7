"""Shelf prices: what a product or variant costs on the catalog pages, promotions included.

The catalog shows what the shopper will pay for one unit: its price after the automatic
promotions that need nothing from the shopper or the basket, the old price struck through.

1. A promotion counts for the shelf when it is a percentage or a fixed amount off, on products,
   categories (a category covers its sub-categories) or the whole order (a percentage only: a
   fixed amount off the order is the basket's, not a unit's), needs no coupon, no minimum order
   value, no minimum quantity above one unit, and no known customer (a per-customer limit).
   Buy X get Y and free delivery are basket conditions: never on the shelf.
2. The counting promotions are applied by `apply_promotions`, the cart's own code, to a cart of
   one unit: the same dates, active flag, usage limits, currency, targets, priority and
   stacking, the same rounding. So the cart's line total for one unit is the shelf price.
   A cart that meets a basket condition may then charge less (a non-stacking conditional
   promotion may also take the place of a shelf promotion): the shelf never knows the basket.
3. The old price: with no promotion it is the compare-at price when that is above the price
   (as before); with a promotion it is the higher of the compare-at price and the undiscounted
   price, shown once. A price that nothing reduces has no old price.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from mercato.core.money import Money, money_sum, round_money
from mercato.pricing.rules.promotions import PromotionContext, apply_promotions
from mercato.pricing.rules.types import (
    PricingLine,
    PromotionKind,
    PromotionRule,
    PromotionScope,
)

SHELF_KINDS = frozenset({PromotionKind.PERCENTAGE, PromotionKind.FIXED_AMOUNT})


@dataclass(frozen=True)
class ShelfItem:
    """A product's or variant's price as the catalog holds it."""

    product_id: int
    category_ids: frozenset[int]  # its category and all the category's ancestors
    price: Money  # in the price mode
    compare_at: Money | None = None


@dataclass(frozen=True)
class ShelfPrice:
    price: Money  # what one unit costs the shopper, rounded
    was: Money | None  # the old price to strike through, rounded; None: nothing to show
    promotion_names: tuple[str, ...] = ()  # the promotions in `price`, in the order applied

    @property
    def is_reduced(self) -> bool:
        return bool(self.promotion_names)


def counts_for_shelf(promotion: PromotionRule) -> bool:
    """The promotion needs no code, no basket condition and no known customer (step 1)."""
    if promotion.kind not in SHELF_KINDS or promotion.requires_coupon:
        return False
    if promotion.scope == PromotionScope.ORDER and promotion.kind != PromotionKind.PERCENTAGE:
        return False
    return (promotion.min_order_value is None and (promotion.min_quantity or 0) <= 1
            and promotion.usage_limit_per_customer is None)


def shelf_price(item: ShelfItem, promotions: Sequence[PromotionRule], *,
                now: datetime) -> ShelfPrice:
    """The item's price after the shelf promotions, with the old price to strike through."""
    base = round_money(item.price)
    currency = base.currency.code
    line = PricingLine(sku="", quantity=1, unit_price=base, product_id=item.product_id,
                       product_type_id=0, category_ids=item.category_ids)
    context = PromotionContext(lines=(line,), currency=currency, now=now, customer_id=None,
                               unlocked_promotion_ids=frozenset())
    outcome = apply_promotions(context, [p for p in promotions if counts_for_shelf(p)])
    discounts = outcome.line_discounts[0]
    price = base - money_sum((discount.amount for discount in discounts), currency)
    return ShelfPrice(price=price, was=_old_price(base, price, item.compare_at),
                      promotion_names=tuple(discount.name for discount in discounts))


def _old_price(base: Money, price: Money, compare_at: Money | None) -> Money | None:
    """The higher of the compare-at and the undiscounted price, if above what is paid."""
    candidates = [round_money(compare_at)] if compare_at is not None else []
    if price < base:
        candidates.append(base)
    highest = max(candidates, default=None, key=lambda money: money.amount)
    return highest if highest is not None and highest > price else None


def shelf_prices(items: Sequence[ShelfItem], promotions: Sequence[PromotionRule], *,
                 now: datetime) -> list[ShelfPrice]:
    """`shelf_price` of each item, in order."""
    return [shelf_price(item, promotions, now=now) for item in items]


def next_shelf_change(promotions: Sequence[PromotionRule], *, now: datetime) -> datetime | None:
    """When the next shelf promotion starts or ends after `now` (a cached page is stale then)."""
    moments = [moment for promotion in promotions if counts_for_shelf(promotion)
               for moment in (promotion.starts_at, promotion.ends_at)
               if moment is not None and moment > now]
    return min(moments, default=None)
