import re
from decimal import Decimal

import pytest

from mercato.demo import codes
from mercato.demo.plan import category_plans, plan_products


def test_ean13_check_digit_matches_a_known_barcode():
    assert codes.ean13_check_digit("400638133393") == "1"
    assert codes.is_valid_ean13("4006381333931")
    assert not codes.is_valid_ean13("4006381333932")


def test_ean13_refuses_a_body_that_is_not_twelve_digits():
    with pytest.raises(ValueError, match="12 digits"):
        codes.ean13_check_digit("12345")


def test_variant_sku_joins_product_number_and_option_codes():
    assert codes.variant_sku(product_number=123, option_codes=("RED", "M")) == "MRC-000123-RED-M"
    assert codes.variant_sku(product_number=7, option_codes=()) == "MRC-000007"


def test_charm_price_rounds_up_to_the_next_unit_minus_a_cent():
    assert codes.charm_price(Decimal("41.30")) == Decimal("41.99")
    assert codes.charm_price(Decimal("41.00")) == Decimal("40.99")


def test_category_tree_has_three_levels_and_a_realistic_size():
    plans = category_plans()
    by_slug = {plan.slug: plan for plan in plans}
    roots = [plan for plan in plans if plan.parent_slug is None]
    leaves = [plan for plan in plans if plan.leaf is not None]
    assert 30 <= len(plans) <= 60
    assert [root.name for root in roots] == ["Women", "Men", "Home"]
    for leaf in leaves:
        middle = by_slug[leaf.parent_slug]
        assert by_slug[middle.parent_slug].parent_slug is None
    assert len(by_slug) == len(plans)


def test_same_seed_plans_the_same_catalog_and_another_seed_does_not():
    first = list(plan_products(count=40, seed=7))
    assert first == list(plan_products(count=40, seed=7))
    assert first != list(plan_products(count=40, seed=8))


def test_planned_variants_have_unique_skus_valid_barcodes_and_one_to_six_per_product():
    products = list(plan_products(count=300, seed=42))
    variants = [variant for product in products for variant in product.variants]
    assert all(1 <= len(product.variants) <= 6 for product in products)
    assert len({variant.sku for variant in variants}) == len(variants)
    assert len({variant.barcode for variant in variants}) == len(variants)
    assert all(codes.is_valid_ean13(variant.barcode) for variant in variants)
    assert all(re.fullmatch(r"MRC-\d{6}(-[A-Z0-9]+)*", variant.sku) for variant in variants)


def test_planned_prices_come_in_three_currencies_with_higher_compare_at_prices():
    products = list(plan_products(count=300, seed=42))
    prices = [price for product in products for price in product.variants[0].prices]
    assert {price.currency for price in prices} == {"EUR", "USD", "GBP"}
    on_sale = [price for price in prices if price.compare_at is not None]
    assert on_sale
    assert all(price.compare_at > price.amount > 0 for price in on_sale)
    assert all(price.amount == price.amount.quantize(Decimal("0.01")) for price in prices)
