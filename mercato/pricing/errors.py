"""Pricing errors, each shown as a problem+json type. A coupon problem leaves the cart as it
was."""

from mercato.core.problems import Conflict, InvalidInput


class UnknownCoupon(InvalidInput):
    slug = "unknown-coupon"
    title = "Unknown coupon code"


class CouponExpired(InvalidInput):
    slug = "coupon-expired"
    title = "This coupon code has expired"


class CouponUsedUp(InvalidInput):
    slug = "coupon-used-up"
    title = "This coupon code has been used up"


class CouponNotApplicable(InvalidInput):
    """The code is valid but its promotion does not apply to this cart; `reason` says why
    (a ReasonCode such as min_order_value, wrong_currency, no_matching_items)."""

    slug = "coupon-not-applicable"
    title = "This coupon code does not apply to this cart"


class PromotionUsedUp(Conflict):
    """A promotion reached its usage limit between the quote and the order."""

    slug = "promotion-used-up"
    title = "This promotion has been used up"


class PromotionUnavailable(Conflict):
    """A promotion an order counts on is gone, or cannot be used by this order any more."""

    slug = "promotion-unavailable"
    title = "This promotion is no longer available"
