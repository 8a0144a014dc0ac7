"""Services: checking a coupon a shopper enters, and counting promotion usage at checkout."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from mercato.core.models import Event
from mercato.pricing.errors import (
    CouponExpired,
    CouponNotApplicable,
    CouponUsedUp,
    PromotionUnavailable,
    PromotionUsedUp,
    UnknownCoupon,
)
from mercato.pricing.models import Coupon, Promotion, PromotionUsage
from mercato.pricing.services import check_coupon, record_promotion_usage
from tests.pricing.builders import line, money
from tests.pricing.factories import CouponFactory, PromotionFactory, PromotionUsageFactory

pytestmark = pytest.mark.django_db
CART = [line(price="40.00")]


def counters() -> list[tuple]:
    return [*Promotion.objects.order_by("pk").values_list("pk", "times_used"),
            *Coupon.objects.order_by("pk").values_list("pk", "times_used"),
            PromotionUsage.objects.count(), Event.objects.count()]


def test_check_coupon_returns_the_coupon_of_a_valid_code():
    coupon = CouponFactory(code="Spring10")

    assert check_coupon(code="spring10", currency="EUR", lines=CART) == coupon


def test_check_coupon_refuses_an_unknown_code():
    with pytest.raises(UnknownCoupon) as refused:
        check_coupon(code="NOPE", currency="EUR", lines=CART)

    assert refused.value.status == 422
    assert refused.value.errors == {"code": ["There is no coupon code 'NOPE'."]}


def test_check_coupon_refuses_a_blank_code():
    with pytest.raises(UnknownCoupon):
        check_coupon(code="  ", currency="EUR", lines=CART)


def test_check_coupon_refuses_an_expired_code():
    CouponFactory(code="OLD", expires_at=timezone.now() - timedelta(minutes=1))

    with pytest.raises(CouponExpired, match="expired"):
        check_coupon(code="OLD", currency="EUR", lines=CART)


def test_check_coupon_refuses_a_used_up_code():
    CouponFactory(code="ONCE", usage_limit=1, times_used=1)

    with pytest.raises(CouponUsedUp):
        check_coupon(code="ONCE", currency="EUR", lines=CART)


def test_check_coupon_refuses_a_code_whose_promotion_ended():
    now = timezone.now()
    CouponFactory(code="GONE", promotion__starts_at=now - timedelta(days=5),
                  promotion__ends_at=now - timedelta(days=1))

    with pytest.raises(CouponExpired, match="ended"):
        check_coupon(code="GONE", currency="EUR", lines=CART)


def test_check_coupon_says_why_a_code_does_not_apply():
    CouponFactory(code="BIG", promotion__min_order_value=Decimal("100.00"),
                  promotion__currency="EUR")

    with pytest.raises(CouponNotApplicable) as refused:
        check_coupon(code="BIG", currency="EUR", lines=CART)

    assert refused.value.extra == {"reason": "min_order_value"}
    assert "€100.00" in refused.value.detail


def test_check_coupon_considers_the_codes_the_cart_already_holds():
    CouponFactory(code="FIRST", promotion__stacks=False, promotion__priority=10)
    CouponFactory(code="SECOND")

    with pytest.raises(CouponNotApplicable, match="cannot be combined"):
        check_coupon(code="SECOND", currency="EUR", lines=CART, coupon_codes=["FIRST"])


def test_record_promotion_usage_counts_promotions_coupons_and_records_events():
    automatic = PromotionFactory()
    coupon = CouponFactory(code="SAVE", usage_limit=3)

    usages = record_promotion_usage(promotion_ids=[automatic.pk, coupon.promotion_id],
                                    coupon_codes=["save"], customer_id=7,
                                    order_reference="ORDER-1")

    assert [(u.promotion_id, u.coupon_id, u.customer_id) for u in usages] == [
        (automatic.pk, None, 7), (coupon.promotion_id, coupon.pk, 7)]
    assert Promotion.objects.get(pk=automatic.pk).times_used == 1
    assert Coupon.objects.get(pk=coupon.pk).times_used == 1
    assert list(Event.objects.filter(type="PromotionUsed").values_list(
        "aggregate_id", flat=True).order_by("aggregate_id")) == sorted(
        [str(automatic.pk), str(coupon.promotion_id)])


def test_recording_the_same_order_twice_counts_once():
    promotion = PromotionFactory()
    record_promotion_usage(promotion_ids=[promotion.pk], customer_id=None,
                           order_reference="ORDER-1")
    before = counters()

    again = record_promotion_usage(promotion_ids=[promotion.pk], customer_id=None,
                                   order_reference="ORDER-1")

    assert len(again) == 1
    assert counters() == before


def test_record_refuses_a_promotion_used_up_meanwhile_and_changes_nothing():
    free = PromotionFactory()
    full = PromotionFactory(usage_limit=1, times_used=1)
    before = counters()

    with pytest.raises(PromotionUsedUp):
        record_promotion_usage(promotion_ids=[free.pk, full.pk], customer_id=None,
                               order_reference="ORDER-2")

    assert counters() == before


def test_record_refuses_a_second_use_by_the_same_customer():
    once = PromotionFactory(usage_limit_per_customer=1)
    PromotionUsageFactory(promotion=once, customer_id=7)
    before = counters()

    with pytest.raises(PromotionUsedUp):
        record_promotion_usage(promotion_ids=[once.pk], customer_id=7, order_reference="O-3")

    assert counters() == before
    assert record_promotion_usage(promotion_ids=[once.pk], customer_id=8, order_reference="O-4")


def test_record_refuses_a_per_customer_promotion_without_a_customer():
    once = PromotionFactory(usage_limit_per_customer=1)

    with pytest.raises(PromotionUnavailable):
        record_promotion_usage(promotion_ids=[once.pk], customer_id=None, order_reference="O-5")


def test_record_refuses_a_coupon_used_up_meanwhile_and_changes_nothing():
    coupon = CouponFactory(code="ONCE", usage_limit=1, times_used=1)
    before = counters()

    with pytest.raises(CouponUsedUp):
        record_promotion_usage(promotion_ids=[coupon.promotion_id], coupon_codes=["ONCE"],
                               customer_id=None, order_reference="O-6")

    assert counters() == before


def test_record_refuses_a_coupon_promotion_without_its_code():
    coupon = CouponFactory()

    with pytest.raises(PromotionUnavailable, match="needs a coupon"):
        record_promotion_usage(promotion_ids=[coupon.promotion_id], customer_id=None,
                               order_reference="O-7")


def test_record_refuses_unknown_promotions_and_codes():
    promotion = PromotionFactory()

    with pytest.raises(PromotionUnavailable):
        record_promotion_usage(promotion_ids=[promotion.pk + 1000], customer_id=None,
                               order_reference="O-8")
    with pytest.raises(UnknownCoupon):
        record_promotion_usage(promotion_ids=[promotion.pk], coupon_codes=["NOPE"],
                               customer_id=None, order_reference="O-8")
    assert PromotionUsage.objects.count() == 0


def test_a_single_use_coupon_stops_applying_once_recorded():
    coupon = CouponFactory(code="ONCE")
    check_coupon(code="ONCE", currency="EUR", lines=CART)
    record_promotion_usage(promotion_ids=[coupon.promotion_id], coupon_codes=["ONCE"],
                           customer_id=None, order_reference="O-9")

    with pytest.raises(CouponUsedUp):
        check_coupon(code="ONCE", currency="EUR", lines=CART)
    assert money("40.00") == CART[0].unit_price
