"""Promotions in the pure rules: kinds, scopes, conditions, dates, limits, priority, stacking."""

from dataclasses import replace
from datetime import timedelta

from mercato.core.money import Money
from mercato.pricing.rules import MessageCode, ReasonCode
from mercato.pricing.rules.promotions import PromotionContext, allocate, apply_promotions
from tests.pricing.builders import (
    GERMANY,
    NOW,
    amount_off,
    buy_get,
    line,
    money,
    on_categories,
    on_products,
    percent_off,
    quote,
)


def priced(*lines, promotions=(), **fields):
    return quote(*lines, config_fields={"promotions": tuple(promotions)}, **fields)


def line_discounts(result) -> list[list[Money]]:
    return [[d.amount for d in li.discounts] for li in result.lines]


def test_percentage_off_the_order_is_allocated_to_the_lines():
    result = priced(line(price="30.00"), line("B", price="10.00", product_id=2),
                    promotions=[percent_off(10)])

    assert line_discounts(result) == [[money("3.00")], [money("1.00")]]
    assert [(d.name, d.amount) for d in result.discounts] == [("Sale", money("4.00"))]
    assert result.total == money("36.00")


def test_order_allocation_keeps_every_minor_unit():
    shares = allocate(money("0.10"), [money("1.00"), money("1.00"), money("1.00")])

    assert sum(s.amount for s in shares) == money("0.10").amount
    assert sorted(s.amount for s in shares) == [money("0.03").amount, money("0.03").amount,
                                                money("0.04").amount]


def test_fixed_amount_off_the_order():
    result = priced(line(price="30.00"), line("B", price="10.00", product_id=2),
                    promotions=[amount_off("8.00")])

    assert result.discount_total == money("8.00")
    assert line_discounts(result) == [[money("6.00")], [money("2.00")]]


def test_fixed_amount_off_the_order_never_exceeds_it():
    result = priced(line(price="5.00"), promotions=[amount_off("20.00")])

    assert result.discount_total == money("5.00")
    assert result.total == money("0.00")


def test_percentage_off_products_applies_to_their_lines_only():
    result = priced(line(price="20.00", product_id=1), line("B", price="20.00", product_id=2),
                    promotions=[on_products(percent_off(25), 2)])

    assert line_discounts(result) == [[], [money("5.00")]]


def test_fixed_amount_off_products_is_per_unit_and_capped_at_the_unit_price():
    result = priced(line(price="10.00", quantity=3, product_id=1),
                    line("B", price="2.00", quantity=2, product_id=2),
                    promotions=[on_products(amount_off("3.00"), 1, 2)])

    assert line_discounts(result) == [[money("9.00")], [money("4.00")]]
    assert result.lines[1].amount == money("0.00")


def test_category_promotion_covers_sub_categories():
    in_sub_category = line(price="40.00", product_id=1, categories=(11, 10))  # 11 under 10
    elsewhere = line("B", price="40.00", product_id=2, categories=(20,))

    result = priced(in_sub_category, elsewhere, promotions=[on_categories(percent_off(50), 10)])

    assert line_discounts(result) == [[money("20.00")], []]


def test_buy_two_get_one_makes_the_cheapest_unit_free():
    result = priced(line(price="10.00", quantity=2, product_id=1),
                    line("B", price="4.00", quantity=1, product_id=2),
                    promotions=[buy_get(2, 1)])

    assert line_discounts(result) == [[], [money("4.00")]]


def test_buy_two_get_one_counts_every_full_group():
    result = priced(line(price="5.00", quantity=7), promotions=[buy_get(2, 1)])

    assert result.discount_total == money("10.00")  # 7 units: two groups of three


def test_buy_x_get_y_needs_a_full_group():
    result = priced(line(price="5.00", quantity=2), promotions=[buy_get(2, 1)])

    assert result.discount_total == money("0")
    assert result.applied_promotion_ids == ()


def test_buy_x_get_y_on_products_counts_only_their_units():
    result = priced(line(price="5.00", quantity=2, product_id=1),
                    line("B", price="1.00", quantity=5, product_id=2),
                    promotions=[on_products(buy_get(2, 1), 1)])

    assert result.discount_total == money("0")


def test_minimum_order_value_is_checked_on_the_undiscounted_subtotal():
    minimum = percent_off(10, id=2, min_order_value=money("50.00"))
    first = percent_off(50, id=1, priority=10)

    applies = priced(line(price="50.00"), promotions=[first, minimum])
    too_small = priced(line(price="49.99"), promotions=[minimum])

    assert applies.applied_promotion_ids == (1, 2)
    assert too_small.applied_promotion_ids == ()


def test_minimum_quantity_counts_the_targeted_units():
    bulk = on_products(percent_off(10, min_quantity=3), 1)

    assert priced(line(quantity=3), promotions=[bulk]).applied_promotion_ids == (1,)
    assert priced(line(quantity=2), line("B", product_id=2, quantity=5),
                  promotions=[bulk]).applied_promotion_ids == ()


def test_a_promotion_applies_only_between_its_start_and_end():
    later = percent_off(10, starts_at=NOW + timedelta(days=1))
    over = percent_off(10, ends_at=NOW)
    running = percent_off(10, starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=1))

    assert priced(line(), promotions=[later]).applied_promotion_ids == ()
    assert priced(line(), promotions=[over]).applied_promotion_ids == ()
    assert priced(line(), promotions=[running]).applied_promotion_ids == (1,)


def test_an_inactive_promotion_does_not_apply():
    assert priced(line(), promotions=[percent_off(10, is_active=False)]).discount_total == money(0)


def test_usage_limit_in_total():
    assert priced(line(), promotions=[percent_off(10, usage_limit=5, times_used=5)]
                  ).applied_promotion_ids == ()
    assert priced(line(), promotions=[percent_off(10, usage_limit=5, times_used=4)]
                  ).applied_promotion_ids == (1,)


def test_usage_limit_per_customer():
    once = percent_off(10, usage_limit_per_customer=1)

    assert priced(line(), promotions=[once], customer_id=7).applied_promotion_ids == (1,)
    assert priced(line(), promotions=[replace(once, customer_times_used=1)],
                  customer_id=7).applied_promotion_ids == ()


def test_a_promotion_limited_per_customer_needs_a_known_customer():
    once = percent_off(10, usage_limit_per_customer=1)

    assert priced(line(), promotions=[once]).applied_promotion_ids == ()


def test_fixed_amounts_apply_only_in_their_currency():
    pounds = amount_off("5.00", currency="GBP")

    result = priced(line(price="20.00"), promotions=[pounds])

    assert result.applied_promotion_ids == ()


def test_higher_priority_applies_first_and_later_ones_take_from_what_is_left():
    ten_off = amount_off("10.00", id=1, priority=1)
    half = percent_off(50, id=2, priority=5)

    result = priced(line(price="100.00"), promotions=[ten_off, half])

    assert result.applied_promotion_ids == (2, 1)
    assert line_discounts(result) == [[money("50.00"), money("10.00")]]


def test_a_promotion_that_does_not_stack_stops_the_ones_after_it():
    exclusive = percent_off(20, id=1, priority=10, stacks=False)
    other = percent_off(10, id=2)

    result = priced(line(price="100.00"), promotions=[exclusive, other])

    assert result.applied_promotion_ids == (1,)
    assert result.discount_total == money("20.00")


def test_a_promotion_that_does_not_stack_is_skipped_after_another_applied():
    first = percent_off(10, id=1, priority=10)
    exclusive = percent_off(20, id=2, stacks=False)

    result = priced(line(price="100.00"), promotions=[first, exclusive])

    assert result.applied_promotion_ids == (1,)


def test_a_promotion_that_needs_a_coupon_does_not_apply_without_one():
    assert priced(line(), promotions=[percent_off(10, requires_coupon=True)]
                  ).applied_promotion_ids == ()


def test_discounts_never_make_a_line_or_the_total_negative():
    result = priced(line(price="10.00"), promotions=[
        percent_off(100, id=1, priority=3), amount_off("50.00", id=2, priority=2),
        on_products(amount_off("50.00", id=3), 1)])

    assert result.lines[0].amount == money("0.00")
    assert result.total == money("0.00")
    assert result.applied_promotion_ids == (1,)  # the others had nothing left to take


def test_discounted_line_is_taxed_on_what_is_left():
    result = priced(line(price="119.00"), promotions=[percent_off(50)], address=GERMANY)

    assert (result.lines[0].net, result.lines[0].tax) == (money("50.00"), money("9.50"))


def test_a_promotion_shown_before_that_ended_is_reported():
    ended = percent_off(10, name="Summer sale", ends_at=NOW - timedelta(hours=1))

    result = priced(line(), promotions=[ended], shown=(1,))

    assert result.applied_promotion_ids == ()
    assert [m.code for m in result.messages] == [MessageCode.PROMOTION_NO_LONGER_APPLIES]
    assert "Summer sale" in result.messages[0].text
    assert "ended" in result.messages[0].text


def test_a_promotion_still_applying_is_not_reported():
    result = priced(line(), promotions=[percent_off(10)], shown=(1,))

    assert result.messages == ()


def test_reasons_say_why_a_promotion_does_not_apply():
    context = PromotionContext(lines=(line(price="5.00"),), currency="EUR", now=NOW,
                               customer_id=None, unlocked_promotion_ids=frozenset())
    outcome = apply_promotions(context, [
        percent_off(10, id=1, min_order_value=money("20.00")),
        on_products(percent_off(10, id=2), 99),
        percent_off(10, id=3, requires_coupon=True),
    ])

    assert {pid: r.code for pid, r in outcome.reasons.items()} == {
        1: ReasonCode.MIN_ORDER_VALUE, 2: ReasonCode.NO_MATCHING_ITEMS,
        3: ReasonCode.NEEDS_COUPON}
    assert "€20.00" in outcome.reasons[1].text
