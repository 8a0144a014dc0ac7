"""Coupons: a code unlocks a promotion; each entered code gets a verdict and a clear message.

A code is unknown (no such code, or switched off), expired, used up (its own limit, or its
promotion's), not applicable (its promotion does not apply to this cart: the reason says why),
or applied. Codes compare case-insensitively.
"""

from collections.abc import Sequence
from datetime import datetime

from mercato.pricing.rules.promotions import PromotionOutcome
from mercato.pricing.rules.types import (
    CouponResult,
    CouponRule,
    CouponStatus,
    Message,
    MessageCode,
    ReasonCode,
    normalize_code,
)

# A coupon whose promotion does not apply for one of these reasons is reported as such.
REASON_STATUS = {
    ReasonCode.INACTIVE: CouponStatus.EXPIRED,
    ReasonCode.ENDED: CouponStatus.EXPIRED,
    ReasonCode.USED_UP: CouponStatus.USED_UP,
    ReasonCode.USED_UP_FOR_CUSTOMER: CouponStatus.USED_UP,
}

STATUS_MESSAGE = {
    CouponStatus.UNKNOWN: MessageCode.COUPON_UNKNOWN,
    CouponStatus.EXPIRED: MessageCode.COUPON_EXPIRED,
    CouponStatus.USED_UP: MessageCode.COUPON_USED_UP,
    CouponStatus.NOT_APPLICABLE: MessageCode.COUPON_NOT_APPLICABLE,
}


def entered_codes(codes: Sequence[str]) -> list[str]:
    """The codes as entered, blanks and repeats (in any letter case) left out."""
    seen: dict[str, str] = {}
    for code in codes:
        if code.strip() and normalize_code(code) not in seen:
            seen[normalize_code(code)] = code.strip()
    return list(seen.values())


def coupon_index(coupons: Sequence[CouponRule]) -> dict[str, CouponRule]:
    return {normalize_code(coupon.code): coupon for coupon in coupons}


def own_status(coupon: CouponRule | None, now: datetime) -> CouponStatus | None:
    """What is wrong with the coupon itself, whatever its promotion; None: nothing."""
    if coupon is None or not coupon.is_active:
        return CouponStatus.UNKNOWN
    if coupon.expires_at is not None and now >= coupon.expires_at:
        return CouponStatus.EXPIRED
    if coupon.usage_limit is not None and coupon.times_used >= coupon.usage_limit:
        return CouponStatus.USED_UP
    return None


def unlocked_promotion_ids(codes: Sequence[str], coupons: Sequence[CouponRule],
                           now: datetime) -> frozenset[int]:
    """Promotions unlocked by the codes that are valid in themselves."""
    index = coupon_index(coupons)
    valid = [index.get(normalize_code(code)) for code in entered_codes(codes)]
    return frozenset(c.promotion_id for c in valid if c is not None and own_status(c, now) is None)


def _own_problem_text(code: str, status: CouponStatus) -> str:
    return {
        CouponStatus.UNKNOWN: f"There is no coupon code '{code}'.",
        CouponStatus.EXPIRED: f"The coupon code '{code}' has expired.",
        CouponStatus.USED_UP: f"The coupon code '{code}' has been used up.",
    }[status]


def coupon_result(code: str, coupon: CouponRule | None, *, now: datetime,
                  outcome: PromotionOutcome) -> CouponResult:
    status = own_status(coupon, now)
    if status is not None or coupon is None:
        status = status or CouponStatus.UNKNOWN
        return CouponResult(code, status, None, _own_problem_text(code, status))
    if any(promotion.id == coupon.promotion_id for promotion in outcome.applied):
        return CouponResult(code, CouponStatus.APPLIED, coupon.promotion_id)
    reason = outcome.reasons.get(coupon.promotion_id)
    if reason is None:  # its promotion was not loaded: it no longer exists
        return CouponResult(code, CouponStatus.UNKNOWN, None, _own_problem_text(
            code, CouponStatus.UNKNOWN))
    status = REASON_STATUS.get(reason.code, CouponStatus.NOT_APPLICABLE)
    text = f"The coupon code '{code}' cannot be used: {reason.text}"
    return CouponResult(code, status, coupon.promotion_id, text, reason=reason.code)


def coupon_results(codes: Sequence[str], coupons: Sequence[CouponRule], *, now: datetime,
                   outcome: PromotionOutcome) -> tuple[CouponResult, ...]:
    index = coupon_index(coupons)
    return tuple(
        coupon_result(code, index.get(normalize_code(code)), now=now, outcome=outcome)
        for code in entered_codes(codes)
    )


def coupon_messages(results: Sequence[CouponResult]) -> list[Message]:
    return [Message(STATUS_MESSAGE[result.status], result.message,
                    promotion_id=result.promotion_id, coupon_code=result.code)
            for result in results if result.status != CouponStatus.APPLIED]
