"""Pricing use cases: checking a coupon a shopper enters, and counting promotion usage.

Locking order (so that concurrent checkouts never deadlock): promotion rows, then coupon rows,
each by primary key.
"""

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import Count, F
from django.db.models.functions import Lower
from django.utils import timezone

from mercato.core.events import SYSTEM, Actor, record
from mercato.core.problems import Problem
from mercato.pricing.errors import (
    CouponExpired,
    CouponNotApplicable,
    CouponUsedUp,
    PromotionUnavailable,
    PromotionUsedUp,
    UnknownCoupon,
)
from mercato.pricing.events import PromotionUsed
from mercato.pricing.models import Coupon, Promotion, PromotionUsage
from mercato.pricing.rules import Address, CouponStatus, PricingLine
from mercato.pricing.rules.coupons import entered_codes
from mercato.pricing.rules.types import normalize_code
from mercato.pricing.selectors import quote_for_lines

COUPON_PROBLEMS: dict[CouponStatus, type[Problem]] = {
    CouponStatus.UNKNOWN: UnknownCoupon,
    CouponStatus.EXPIRED: CouponExpired,
    CouponStatus.USED_UP: CouponUsedUp,
    CouponStatus.NOT_APPLICABLE: CouponNotApplicable,
}


def check_coupon(*, code: str, currency: str, lines: Sequence[PricingLine],
                 coupon_codes: Sequence[str] = (), address: Address | None = None,
                 customer_id: int | None = None, now: datetime | None = None) -> Coupon:
    """The coupon of a code a shopper enters, if it applies to the cart together with the codes
    it already holds (`coupon_codes`); otherwise a problem saying why, and nothing changes."""
    if not code.strip():
        raise UnknownCoupon("Enter a coupon code.", errors={"code": ["Enter a coupon code."]})
    others = [c for c in coupon_codes if normalize_code(c) != normalize_code(code)]
    quote = quote_for_lines(currency=currency, lines=lines, address=address,
                            coupon_codes=[*others, code], customer_id=customer_id, now=now)
    result = quote.coupon(code)
    if result is None or result.status != CouponStatus.APPLIED:
        status = result.status if result else CouponStatus.UNKNOWN
        message = result.message if result else f"There is no coupon code '{code}'."
        extra = {"reason": result.reason.value} if result and result.reason else {}
        raise COUPON_PROBLEMS[status](message, errors={"code": [message]}, **extra)
    return Coupon.objects.annotate(code_lower=Lower("code")).get(
        code_lower=normalize_code(code))


def record_promotion_usage(*, promotion_ids: Sequence[int], coupon_codes: Sequence[str] = (),
                           customer_id: int | None, order_reference: str,
                           by: Actor = SYSTEM) -> list[PromotionUsage]:
    """Count an order's use of the promotions it applied (quote.applied_promotion_ids) and of
    its coupons (quote.applied_coupon_codes), refusing if a limit was reached meanwhile.

    Recording the same order again changes nothing and returns its usages.
    """
    with transaction.atomic():
        promotions = _locked_promotions(promotion_ids)
        coupons = _locked_coupons(coupon_codes)
        recorded = set(PromotionUsage.objects.filter(
            order_reference=order_reference, promotion__in=promotions,
        ).values_list("promotion_id", flat=True))
        new = [promotion for promotion in promotions if promotion.pk not in recorded]
        coupon_of = _coupons_by_promotion(new, coupons)
        _check_limits(new, coupon_of=coupon_of, customer_id=customer_id)
        Promotion.objects.filter(pk__in=[p.pk for p in new]).update(
            times_used=F("times_used") + 1)
        Coupon.objects.filter(pk__in=[c.pk for c in coupon_of.values()]).update(
            times_used=F("times_used") + 1)
        PromotionUsage.objects.bulk_create([
            PromotionUsage(promotion=promotion, coupon=coupon_of.get(promotion.pk),
                           customer_id=customer_id, order_reference=order_reference)
            for promotion in new
        ])
        for promotion in new:
            coupon = coupon_of.get(promotion.pk)
            record(PromotionUsed(aggregate_id=str(promotion.pk), order_reference=order_reference,
                                 coupon_code=coupon.code if coupon else "",
                                 customer_id=customer_id), by=by)
        return list(PromotionUsage.objects.filter(order_reference=order_reference,
                                                  promotion__in=promotions).order_by("pk"))


def _locked_promotions(promotion_ids: Sequence[int]) -> list[Promotion]:
    wanted = set(promotion_ids)
    promotions = list(Promotion.objects.select_for_update().filter(pk__in=wanted).order_by("pk"))
    missing = wanted - {promotion.pk for promotion in promotions}
    if missing:
        raise PromotionUnavailable(f"Promotion {min(missing)} no longer exists.")
    return promotions


def _locked_coupons(codes: Sequence[str]) -> list[Coupon]:
    wanted = {normalize_code(code) for code in entered_codes(list(codes))}
    if not wanted:
        return []
    coupons = list(Coupon.objects.select_for_update().annotate(code_lower=Lower("code"))
                   .filter(code_lower__in=wanted).order_by("pk"))
    missing = wanted - {coupon.code_lower for coupon in coupons}
    if missing:
        code = min(missing)
        raise UnknownCoupon(f"There is no coupon code '{code}'.", errors={"code": [code]})
    return coupons


def _coupons_by_promotion(promotions: Sequence[Promotion],
                          coupons: Sequence[Coupon]) -> dict[int, Coupon]:
    """The coupon each promotion was unlocked by (a coupon of another promotion is not used)."""
    coupon_of: dict[int, Coupon] = {}
    for coupon in coupons:
        coupon_of.setdefault(coupon.promotion_id, coupon)
    by_promotion = {p.pk: coupon_of[p.pk] for p in promotions if p.pk in coupon_of}
    for promotion in promotions:
        if promotion.requires_coupon and promotion.pk not in by_promotion:
            raise PromotionUnavailable(f"{promotion.name} needs a coupon code.")
    return by_promotion


def _check_limits(promotions: Sequence[Promotion], *, coupon_of: dict[int, Coupon],
                  customer_id: int | None) -> None:
    used_by_customer = _uses_by_customer(promotions, customer_id)
    for promotion in promotions:
        if promotion.usage_limit is not None and promotion.times_used >= promotion.usage_limit:
            raise PromotionUsedUp(f"{promotion.name} has been used up.")
        if promotion.usage_limit_per_customer is not None:
            if customer_id is None:
                raise PromotionUnavailable(
                    f"{promotion.name} is limited per customer: log in to use it.")
            if used_by_customer.get(promotion.pk, 0) >= promotion.usage_limit_per_customer:
                raise PromotionUsedUp(f"You have already used {promotion.name} as often as it "
                                      "allows.")
    now = timezone.now()
    for coupon in coupon_of.values():
        _check_coupon_row(coupon, now=now)


def _check_coupon_row(coupon: Coupon, *, now: datetime) -> None:
    if not coupon.is_active:
        raise UnknownCoupon(f"There is no coupon code '{coupon.code}'.")
    if coupon.expires_at is not None and now >= coupon.expires_at:
        raise CouponExpired(f"The coupon code '{coupon.code}' has expired.")
    if coupon.usage_limit is not None and coupon.times_used >= coupon.usage_limit:
        raise CouponUsedUp(f"The coupon code '{coupon.code}' has been used up.")


def _uses_by_customer(promotions: Sequence[Promotion], customer_id: int | None) -> dict[int, int]:
    # Counted under the promotion row locks: no other order of these promotions can commit a
    # usage in between.
    limited = [p.pk for p in promotions if p.usage_limit_per_customer is not None]
    if customer_id is None or not limited:
        return {}
    rows = (PromotionUsage.objects.filter(promotion_id__in=limited, customer_id=customer_id)
            .order_by().values("promotion_id").annotate(count=Count("pk")))
    return {row["promotion_id"]: row["count"] for row in rows}
