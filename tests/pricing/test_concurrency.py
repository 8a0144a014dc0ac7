"""Promotion limits hold when checkouts race (PostgreSQL: SQLite serialises writers anyway)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from mercato.core.problems import Problem
from mercato.pricing.models import Coupon, Promotion, PromotionUsage
from mercato.pricing.services import record_promotion_usage
from tests.pricing.factories import CouponFactory

RACERS = 6


def _checkout(index: int, promotion_id: int) -> str:
    try:
        record_promotion_usage(promotion_ids=[promotion_id], coupon_codes=["RACE"],
                               customer_id=index, order_reference=f"RACE-{index}")
        return "used"
    except Problem as problem:
        return problem.slug
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_single_use_coupon_is_used_once_by_racing_checkouts(on_postgres):
    if not on_postgres:
        pytest.skip("needs PostgreSQL row locks and concurrent connections")
    coupon = CouponFactory(code="RACE", usage_limit=1, promotion__usage_limit=3)

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        outcomes = list(pool.map(_checkout, range(RACERS), [coupon.promotion_id] * RACERS))

    assert sorted(outcomes) == ["coupon-used-up"] * (RACERS - 1) + ["used"]
    assert Coupon.objects.get(pk=coupon.pk).times_used == 1
    assert Promotion.objects.get(pk=coupon.promotion_id).times_used == 1
    assert PromotionUsage.objects.count() == 1
