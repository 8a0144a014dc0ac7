"""Coupon codes in the cart: checked when entered, kept while in the cart, removable."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from mercato.cart.models import Cart
from mercato.cart.services import MAX_COUPONS
from tests.cart.conftest import bearer_for, database_state, token_header
from tests.cart.pricing_data import eur, read
from tests.pricing.factories import CouponFactory, PromotionFactory

pytestmark = pytest.mark.django_db

PROBLEM = "https://mercato.dev/problems/"


def ten_off(code: str = "SAVE10", **promotion_fields: object):
    """A multi-use code for 10 % off the order."""
    promotion = PromotionFactory(name="Ten off", percentage=Decimal(10), requires_coupon=True,
                                 **promotion_fields)
    return CouponFactory(code=code, promotion=promotion, usage_limit=None)


def enter(api, token: str, code: str):
    return api.post("/cart/coupons", {"code": code}, **token_header(token))


def codes_of(token: str) -> list[str]:
    return Cart.objects.get(token=token).coupon_codes


def test_a_valid_code_is_stored_and_its_discount_shown(api, anonymous_cart):
    ten_off("SAVE10")

    response = enter(api, anonymous_cart, "save10")  # any letter case

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["coupons"] == [{"code": "SAVE10", "status": "applied", "is_applied": True,
                                "message": ""}]
    assert body["totals"]["discounts"] == [{"name": "Ten off", "amount": eur("4.00")}]
    assert body["totals"]["total"] == eur("36.00")
    assert codes_of(anonymous_cart) == ["SAVE10"]


def test_entering_a_code_twice_keeps_it_once(api, anonymous_cart):
    ten_off("SAVE10")
    enter(api, anonymous_cart, "SAVE10")

    response = enter(api, anonymous_cart, " Save10 ")

    assert response.status_code == 200
    assert codes_of(anonymous_cart) == ["SAVE10"]


def expired():
    CouponFactory(code="OLD", usage_limit=None, expires_at=timezone.now() - timedelta(days=1))


def used_up():
    CouponFactory(code="ONCE", usage_limit=1, times_used=1)


def not_applicable():
    ten_off("BIG", min_order_value=Decimal("100.00"), currency="EUR")


@pytest.mark.parametrize(("code", "make", "problem", "message"), [
    ("NOPE", None, "unknown-coupon", "There is no coupon code 'NOPE'."),
    ("OLD", expired, "coupon-expired", "The coupon code 'OLD' has expired."),
    ("ONCE", used_up, "coupon-used-up", "The coupon code 'ONCE' has been used up."),
    ("BIG", not_applicable, "coupon-not-applicable",
     "The coupon code 'BIG' cannot be used: Ten off needs an order of at least €100.00."),
])
def test_a_code_that_cannot_be_used_is_refused_and_changes_nothing(api, anonymous_cart, code,
                                                                   make, problem, message):
    if make is not None:
        make()
    before = database_state()

    response = enter(api, anonymous_cart, code)

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["type"], body["errors"]) == (PROBLEM + problem, {"code": [message]})
    assert database_state() == before


def test_not_applicable_says_why(api, anonymous_cart):
    not_applicable()

    assert enter(api, anonymous_cart, "BIG").json()["reason"] == "min_order_value"


def test_a_blank_code_is_refused(api, anonymous_cart):
    before = database_state()

    response = enter(api, anonymous_cart, "")

    assert response.status_code == 422 and "code" in response.json()["errors"]
    assert database_state() == before


def test_a_cart_holds_a_limited_number_of_codes(api, anonymous_cart):
    Cart.objects.filter(token=anonymous_cart).update(
        coupon_codes=[f"C{n}" for n in range(MAX_COUPONS)])
    ten_off("SAVE10")
    before = database_state()

    response = enter(api, anonymous_cart, "SAVE10")

    assert response.status_code == 422
    assert response.json()["type"] == PROBLEM + "too-many-coupons"
    assert database_state() == before


def test_entering_a_code_without_a_cart_is_not_found(api):
    ten_off("SAVE10")

    response = api.post("/cart/coupons", {"code": "SAVE10"})

    assert response.status_code == 404
    assert not Cart.objects.exists()


def test_removing_a_code_takes_its_discount_away(api, anonymous_cart):
    ten_off("SAVE10")
    enter(api, anonymous_cart, "SAVE10")

    response = api.delete("/cart/coupons/save10", **token_header(anonymous_cart))

    assert response.status_code == 200
    body = response.json()
    assert (body["coupons"], body["totals"]["discounts"]) == ([], [])
    assert body["totals"]["total"] == eur("40.00")
    assert body["messages"] == []  # removed on purpose: nothing to report
    assert codes_of(anonymous_cart) == []


def test_removing_a_code_that_is_not_in_the_cart_is_not_found(api, anonymous_cart):
    before = database_state()

    response = api.delete("/cart/coupons/SAVE10", **token_header(anonymous_cart))

    assert response.status_code == 404
    assert response.json()["type"] == PROBLEM + "coupon-not-in-cart"
    assert database_state() == before


def test_a_code_that_stops_applying_is_kept_reported_and_comes_back(api, variant,
                                                                    anonymous_cart):
    ten_off("SAVE10", min_order_value=Decimal("30.00"), currency="EUR")
    enter(api, anonymous_cart, "SAVE10")  # 2 x 20.00

    fewer = api.patch(f"/cart/lines/{variant.sku}", {"quantity": 1},
                      **token_header(anonymous_cart)).json()
    again = read(api, anonymous_cart)
    more = api.patch(f"/cart/lines/{variant.sku}", {"quantity": 2},
                     **token_header(anonymous_cart)).json()

    reason = "The coupon code 'SAVE10' cannot be used: Ten off needs an order of at least €30.00."
    assert fewer["messages"] == [reason]  # one message, not one for the coupon and its promotion
    assert fewer["coupons"][0]["status"] == "not_applicable"
    assert fewer["totals"]["discounts"] == []
    assert again["messages"] == [reason]  # a state, said while it lasts
    assert codes_of(anonymous_cart) == ["SAVE10"]
    assert more["coupons"][0]["status"] == "applied" and more["messages"] == []
    assert more["totals"]["discounts"] == [{"name": "Ten off", "amount": eur("4.00")}]


def test_logging_in_brings_the_anonymous_codes_into_the_customer_cart(api, add, variant,
                                                                      other_variant, customer,
                                                                      anonymous_cart):
    ten_off("SAVE10")
    enter(api, anonymous_cart, "SAVE10")
    auth = bearer_for(customer)
    add(other_variant.sku, 1, **auth)  # the customer's own cart

    body = api.get("/cart", **auth, **token_header(anonymous_cart)).json()

    assert [c["code"] for c in body["coupons"]] == ["SAVE10"]
    assert body["totals"]["discounts"][0]["name"] == "Ten off"
