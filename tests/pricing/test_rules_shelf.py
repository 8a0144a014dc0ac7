"""Shelf prices (rules/shelf.py): the catalog's price is what one unit costs in the cart."""

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mercato.pricing.rules import PromotionScope
from mercato.pricing.rules.shelf import (
    ShelfItem,
    counts_for_shelf,
    next_shelf_change,
    shelf_price,
)
from tests.pricing.builders import (
    NOW,
    amount_off,
    buy_get,
    free_delivery,
    line,
    money,
    on_categories,
    on_products,
    percent_off,
    quote,
)

OUTERWEAR, JACKETS = 10, 11  # JACKETS is a sub-category of OUTERWEAR
WINTER_SALE = on_categories(percent_off(20, id=1, name="Winter sale", priority=20), OUTERWEAR)


def jacket(price: str = "176.00", *, compare_at: str | None = None,
           product_id: int = 7) -> ShelfItem:
    return ShelfItem(product_id=product_id, category_ids=frozenset({JACKETS, OUTERWEAR}),
                     price=money(price), compare_at=None if compare_at is None
                     else money(compare_at))


def test_a_running_category_sale_takes_its_share_off_with_the_old_price_struck():
    shelf = shelf_price(jacket(), [WINTER_SALE], now=NOW)
    assert shelf.price == money("140.80")
    assert shelf.was == money("176.00")
    assert shelf.promotion_names == ("Winter sale",)


def test_a_product_outside_the_promotions_targets_keeps_its_price():
    shirt = ShelfItem(product_id=8, category_ids=frozenset({99}), price=money("30.00"))
    shelf = shelf_price(shirt, [WINTER_SALE, on_products(percent_off(50, id=2), 9)], now=NOW)
    assert (shelf.price, shelf.was, shelf.is_reduced) == (money("30.00"), None, False)


@pytest.mark.parametrize("promotion", [
    replace(WINTER_SALE, requires_coupon=True),
    replace(WINTER_SALE, min_order_value=money("100.00"), currency="EUR"),
    replace(WINTER_SALE, min_quantity=2),
    replace(WINTER_SALE, usage_limit_per_customer=1),
    on_categories(buy_get(1, 1), OUTERWEAR),
    free_delivery(),
    amount_off("5.00"),  # off the order: the basket's, not a unit's
    replace(WINTER_SALE, is_active=False),
    replace(WINTER_SALE, starts_at=NOW + timedelta(days=1)),
    replace(WINTER_SALE, ends_at=NOW),
    replace(WINTER_SALE, currency="USD"),
    replace(WINTER_SALE, usage_limit=10, times_used=10),
], ids=["code", "min-order-value", "min-quantity", "per-customer", "buy-x-get-y",
        "free-delivery", "order-amount", "inactive", "not-started", "ended", "other-currency",
        "used-up"])
def test_promotions_with_a_condition_or_not_running_stay_off_the_shelf(promotion):
    shelf = shelf_price(jacket(), [promotion], now=NOW)
    assert (shelf.price, shelf.was) == (money("176.00"), None)


def test_an_order_percentage_without_conditions_is_on_every_shelf():
    assert counts_for_shelf(percent_off(10))
    assert shelf_price(jacket(), [percent_off(10)], now=NOW).price == money("158.40")


def test_promotions_stack_in_priority_order_on_what_is_left():
    voucher = on_products(amount_off("10.00", id=2, name="Ten off", priority=10), 7)
    shelf = shelf_price(jacket(), [voucher, WINTER_SALE], now=NOW)
    assert shelf.price == money("130.80")  # 176 - 20 % = 140.80, then 10 off
    assert shelf.promotion_names == ("Winter sale", "Ten off")


def test_a_promotion_that_does_not_stack_stands_alone():
    exclusive = on_products(percent_off(30, id=2, name="Flash", priority=50, stacks=False), 7)
    shelf = shelf_price(jacket(), [WINTER_SALE, exclusive], now=NOW)
    assert shelf.price == money("123.20")
    assert shelf.promotion_names == ("Flash",)


def test_a_conditional_promotion_does_not_block_the_shelf_promotions():
    exclusive_with_code = replace(WINTER_SALE, id=2, priority=99, stacks=False,
                                  requires_coupon=True)
    assert shelf_price(jacket(), [exclusive_with_code, WINTER_SALE],
                       now=NOW).price == money("140.80")


def test_the_higher_old_price_is_struck_through_once():
    assert shelf_price(jacket(compare_at="220.00"), [WINTER_SALE],
                       now=NOW).was == money("220.00")
    assert shelf_price(jacket(compare_at="150.00"), [WINTER_SALE],
                       now=NOW).was == money("176.00")


def test_without_a_promotion_only_a_higher_compare_at_price_is_shown():
    assert shelf_price(jacket(compare_at="220.00"), [], now=NOW).was == money("220.00")
    assert shelf_price(jacket(compare_at="176.00"), [], now=NOW).was is None
    assert shelf_price(jacket(compare_at="100.00"), [], now=NOW).was is None


def test_the_next_change_is_the_nearest_start_or_end_of_a_shelf_promotion():
    starts = replace(WINTER_SALE, id=2, starts_at=NOW + timedelta(hours=2))
    ends = replace(WINTER_SALE, id=3, ends_at=NOW + timedelta(hours=5))
    with_code = replace(WINTER_SALE, id=4, requires_coupon=True,
                        ends_at=NOW + timedelta(minutes=1))
    assert next_shelf_change([starts, ends, with_code], now=NOW) == NOW + timedelta(hours=2)
    assert next_shelf_change([WINTER_SALE], now=NOW) is None


SHELF_PROMOTIONS = st.builds(
    lambda kind, value, priority, stacks, scope: replace(
        (percent_off(value) if kind == "percent" else amount_off(f"{value}.00")),
        priority=priority, stacks=stacks, scope=scope,
        product_ids=frozenset({7}), category_ids=frozenset({OUTERWEAR})),
    st.sampled_from(["percent", "amount"]), st.integers(1, 60), st.integers(0, 3),
    st.booleans(), st.sampled_from(list(PromotionScope)),
)


@settings(max_examples=150, deadline=None)
@given(promotions=st.lists(SHELF_PROMOTIONS, max_size=4),
       price=st.decimals("0.01", "500.00", places=2))
def test_the_shelf_price_is_the_carts_line_total_for_one_unit(promotions, price):
    promotions = [replace(promotion, id=number)
                  for number, promotion in enumerate(promotions, start=1)]
    shelf = shelf_price(jacket(str(price)), promotions, now=NOW)
    cart = quote(line(price=str(price), product_id=7, categories=(JACKETS, OUTERWEAR)),
                 config_fields={"promotions": tuple(p for p in promotions
                                                    if counts_for_shelf(p))})
    assert cart.lines[0].amount == shelf.price
