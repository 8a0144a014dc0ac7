"""Invariants the database protects, whatever writes the rows."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from mercato.pricing.models import TaxClass
from tests.pricing.factories import (
    CouponFactory,
    DeliveryRateFactory,
    PromotionFactory,
    TaxRateFactory,
)

pytestmark = pytest.mark.django_db


def refused(factory, **fields) -> bool:
    try:
        with transaction.atomic():
            factory(**fields)
    except IntegrityError:
        return True
    return False


def test_standard_reduced_and_zero_tax_classes_exist_from_the_start():
    assert set(TaxClass.objects.values_list("code", flat=True)) >= {"standard", "reduced", "zero"}


def test_coupon_codes_are_unique_in_any_letter_case():
    CouponFactory(code="SUMMER")

    assert refused(CouponFactory, code="summer")


def test_percentage_must_be_above_zero_and_at_most_one_hundred():
    assert refused(PromotionFactory, percentage=Decimal("100.01"))
    assert refused(PromotionFactory, percentage=Decimal(0))
    assert not refused(PromotionFactory, percentage=Decimal(100))


def test_a_percentage_promotion_needs_its_percentage():
    assert refused(PromotionFactory, percentage=None)


def test_a_fixed_amount_needs_a_positive_amount_and_a_currency():
    assert refused(PromotionFactory, kind="fixed_amount", percentage=None, amount=Decimal(5))
    assert refused(PromotionFactory, kind="fixed_amount", percentage=None, amount=Decimal(-5),
                   currency="EUR")
    assert not refused(PromotionFactory, kind="fixed_amount", percentage=None,
                       amount=Decimal(5), currency="EUR")


def test_buy_x_get_y_needs_both_quantities():
    assert refused(PromotionFactory, kind="buy_x_get_y", percentage=None, buy_quantity=2)


def test_a_promotion_ends_after_it_starts():
    now = timezone.now()

    assert refused(PromotionFactory, starts_at=now, ends_at=now)
    assert not refused(PromotionFactory, starts_at=now, ends_at=now + timedelta(seconds=1))


def test_delivery_amounts_are_not_negative_and_bands_are_ordered():
    assert refused(DeliveryRateFactory, price=Decimal("-0.01"))
    assert refused(DeliveryRateFactory, free_over=Decimal(-1))
    assert refused(DeliveryRateFactory, min_weight_grams=1000, max_weight_grams=1000)
    assert refused(DeliveryRateFactory, min_order_value=Decimal(50), max_order_value=Decimal(20))


def test_tax_rates_are_percentages_and_unique_per_place_and_class():
    TaxRateFactory(country="FR", rate=Decimal(20))

    assert refused(TaxRateFactory, country="FR", rate=Decimal(5))
    assert refused(TaxRateFactory, country="IT", rate=Decimal(101))
