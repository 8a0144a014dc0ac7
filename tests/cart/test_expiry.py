"""Carts not updated within MERCATO_CART_TTL are expired: absent to readers, closed by a command."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from mercato.cart.models import Cart
from mercato.cart.services import expire_carts
from mercato.cart.states import CartStatus
from mercato.core.models import Event
from tests.cart.conftest import bearer_for, lines_of, token_header

pytestmark = pytest.mark.django_db

TTL = timedelta(hours=2)


def age(token: str, by: timedelta) -> None:
    Cart.objects.filter(token=token).update(updated_at=timezone.now() - by)


def run_command() -> str:
    out = StringIO()
    call_command("expire_carts", stdout=out)
    return out.getvalue().strip()


@override_settings(MERCATO_CART_TTL=TTL)
def test_reading_a_cart_older_than_the_ttl_is_not_found(api, anonymous_cart):
    age(anonymous_cart, TTL + timedelta(minutes=1))

    response = api.get("/cart", **token_header(anonymous_cart))

    assert response.status_code == 404
    assert response.json()["type"] == "https://mercato.dev/problems/cart-not-found"


@override_settings(MERCATO_CART_TTL=TTL)
def test_a_cart_within_the_ttl_is_still_there(api, anonymous_cart):
    age(anonymous_cart, TTL - timedelta(minutes=1))

    assert api.get("/cart", **token_header(anonymous_cart)).status_code == 200


@override_settings(MERCATO_CART_TTL=TTL)
def test_the_command_marks_stale_carts_expired_and_says_how_many(anonymous_cart, add, variant,
                                                                 client):
    fresh = add(variant.sku, 1).json()["token"]
    client.cookies.clear()
    stale = add(variant.sku, 1).json()["token"]
    age(anonymous_cart, TTL * 2)
    age(stale, TTL + timedelta(seconds=1))

    assert run_command() == "Expired 2 carts."

    statuses = dict(Cart.objects.values_list("token", "status"))
    assert statuses == {anonymous_cart: CartStatus.EXPIRED, stale: CartStatus.EXPIRED,
                        fresh: CartStatus.ACTIVE}
    event = Event.objects.get(type="CartsExpired")
    assert event.payload["count"] == 2


@override_settings(MERCATO_CART_TTL=TTL)
def test_the_command_leaves_converted_carts_alone_and_records_nothing_when_idle(anonymous_cart):
    Cart.objects.filter(token=anonymous_cart).update(status=CartStatus.CONVERTED)
    age(anonymous_cart, TTL * 2)

    assert run_command() == "Expired 0 carts."
    assert Cart.objects.get(token=anonymous_cart).status == CartStatus.CONVERTED
    assert not Event.objects.exists()


@override_settings(MERCATO_CART_TTL=TTL)
def test_expiring_keeps_the_last_activity_time(anonymous_cart):
    age(anonymous_cart, TTL * 2)
    last_activity = Cart.objects.get(token=anonymous_cart).updated_at

    assert expire_carts() == 1
    assert Cart.objects.get(token=anonymous_cart).updated_at == last_activity


@override_settings(MERCATO_CART_TTL=TTL)
def test_a_write_with_an_expired_token_opens_a_new_cart(add, variant, anonymous_cart):
    age(anonymous_cart, TTL * 2)

    response = add(variant.sku, 1, **token_header(anonymous_cart))

    assert response.status_code == 200
    assert response.json()["token"] != anonymous_cart
    assert lines_of(anonymous_cart) == {variant.sku: 2}


@override_settings(MERCATO_CART_TTL=TTL)
def test_a_customer_writing_to_a_stale_cart_gets_a_new_one(api, add, variant, customer):
    headers = bearer_for(customer)
    old = add(variant.sku, 2, **headers).json()["token"]
    age(old, TTL * 2)

    assert api.get("/cart", **headers).status_code == 404
    response = add(variant.sku, 1, **headers)

    assert response.json()["token"] != old
    assert response.json()["lines"][0]["quantity"] == 1
    assert Cart.objects.get(token=old).status == CartStatus.EXPIRED
    assert Event.objects.filter(type="CartExpired", aggregate_id=str(
        Cart.objects.get(token=old).pk)).exists()


@override_settings(MERCATO_CART_TTL=TTL)
def test_an_expired_anonymous_cart_is_not_merged_at_login(api, add, variant, other_variant,
                                                          customer):
    headers = bearer_for(customer)
    add(other_variant.sku, 1, **headers)
    anonymous = add(variant.sku, 2).json()["token"]
    age(anonymous, TTL * 2)

    body = api.get("/cart", **headers, **token_header(anonymous)).json()

    assert [line["sku"] for line in body["lines"]] == [other_variant.sku]
    assert not Event.objects.filter(type="CartMerged").exists()
