"""Coupons in the pure rules: each entered code gets a verdict and a clear message."""

from dataclasses import replace
from datetime import timedelta

from mercato.pricing.rules import CouponRule, CouponStatus, MessageCode, ReasonCode
from tests.pricing.builders import NOW, amount_off, line, money, percent_off, quote

WELCOME = percent_off(10, id=5, name="Welcome", requires_coupon=True)
CODE = CouponRule(code="WELCOME10", promotion_id=5, usage_limit=1)


def with_coupon(*lines, coupons=(CODE,), promotions=(WELCOME,), codes=("WELCOME10",), **fields):
    return quote(*lines, coupons=codes,
                 config_fields={"coupons": tuple(coupons), "promotions": tuple(promotions)},
                 **fields)


def test_a_valid_code_unlocks_its_promotion():
    result = with_coupon(line(price="50.00"))

    assert result.applied_promotion_ids == (5,)
    assert result.discount_total == money("5.00")
    assert result.coupons[0].status == CouponStatus.APPLIED
    assert result.applied_coupon_codes == ("WELCOME10",)
    assert result.messages == ()


def test_codes_are_case_insensitive_and_trimmed():
    result = with_coupon(line(), codes=(" welcome10 ",))

    assert result.coupons[0].status == CouponStatus.APPLIED
    assert result.coupon("Welcome10").status == CouponStatus.APPLIED


def test_an_unknown_code_is_reported_and_changes_nothing():
    result = with_coupon(line(price="50.00"), codes=("NOPE",))

    assert result.discount_total == money("0")
    assert result.coupons[0].status == CouponStatus.UNKNOWN
    assert [(m.code, m.text) for m in result.messages] == [
        (MessageCode.COUPON_UNKNOWN, "There is no coupon code 'NOPE'.")]


def test_a_switched_off_code_is_unknown():
    result = with_coupon(line(), coupons=(replace(CODE, is_active=False),))

    assert result.coupons[0].status == CouponStatus.UNKNOWN


def test_an_expired_code():
    result = with_coupon(line(), coupons=(replace(CODE, expires_at=NOW),))

    assert result.coupons[0].status == CouponStatus.EXPIRED
    assert result.applied_promotion_ids == ()
    assert result.messages[0].code == MessageCode.COUPON_EXPIRED


def test_a_code_whose_promotion_ended_is_expired():
    ended = replace(WELCOME, ends_at=NOW - timedelta(days=1))

    result = with_coupon(line(), promotions=(ended,))

    assert result.coupons[0].status == CouponStatus.EXPIRED
    assert "ended" in result.coupons[0].message


def test_a_used_up_single_use_code():
    result = with_coupon(line(), coupons=(replace(CODE, times_used=1),))

    assert result.coupons[0].status == CouponStatus.USED_UP
    assert result.messages[0].code == MessageCode.COUPON_USED_UP


def test_a_multi_use_code_works_until_its_limit():
    multi = replace(CODE, usage_limit=100, times_used=99)
    unlimited = replace(CODE, usage_limit=None, times_used=10_000)

    assert with_coupon(line(), coupons=(multi,)).coupons[0].status == CouponStatus.APPLIED
    assert with_coupon(line(), coupons=(unlimited,)).coupons[0].status == CouponStatus.APPLIED


def test_a_code_whose_promotion_is_used_up_is_used_up():
    result = with_coupon(line(), promotions=(replace(WELCOME, usage_limit=3, times_used=3),))

    assert result.coupons[0].status == CouponStatus.USED_UP


def test_a_code_not_applicable_says_why():
    minimum = replace(WELCOME, min_order_value=money("100.00"), currency="EUR")

    result = with_coupon(line(price="20.00"), promotions=(minimum,))

    verdict = result.coupons[0]
    assert verdict.status == CouponStatus.NOT_APPLICABLE
    assert verdict.reason == ReasonCode.MIN_ORDER_VALUE
    assert "€100.00" in verdict.message
    assert result.messages[0].code == MessageCode.COUPON_NOT_APPLICABLE


def test_a_code_in_the_wrong_currency_is_not_applicable():
    pounds = replace(amount_off("5.00", id=5, currency="GBP"), requires_coupon=True)

    result = with_coupon(line(), promotions=(pounds,))

    assert result.coupons[0].reason == ReasonCode.WRONG_CURRENCY


def test_a_code_blocked_by_a_promotion_that_does_not_stack_is_not_applicable():
    exclusive = percent_off(30, id=1, priority=10, stacks=False)

    result = with_coupon(line(price="50.00"), promotions=(exclusive, WELCOME))

    assert result.coupons[0].reason == ReasonCode.DOES_NOT_STACK
    assert result.applied_promotion_ids == (1,)


def test_the_same_code_twice_counts_once():
    result = with_coupon(line(price="50.00"), codes=("WELCOME10", "welcome10"))

    assert len(result.coupons) == 1
    assert result.discount_total == money("5.00")
