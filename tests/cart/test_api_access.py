"""Which cart a request reaches: cookie, header, customer login, merging at login."""

import pytest
from django.conf import settings
from django.test import Client

from mercato.cart.models import Cart
from mercato.cart.states import CartStatus
from mercato.core.models import Event
from tests.cart.conftest import (
    bearer_for,
    cart_cookie,
    database_state,
    lines_of,
    token_header,
)
from tests.factories import StockFactory, UserFactory, make_sellable_variant

pytestmark = pytest.mark.django_db

CSRF_SECRET = "abcdefghijklmnopqrstuvwxyzABCDEF"  # 32 characters: a valid CSRF cookie value


def test_the_cart_persists_across_requests_by_its_cookie(api, add, variant, other_variant):
    token = add(variant.sku, 1).json()["token"]  # the client keeps the cookie

    add(other_variant.sku, 2)
    response = api.get("/cart")

    assert response.status_code == 200
    assert response.json()["token"] == token
    assert lines_of(token) == {variant.sku: 1, other_variant.sku: 2}
    assert Cart.objects.count() == 1


def test_the_cart_persists_across_requests_by_its_header(api, client, add, variant,
                                                         other_variant):
    token = add(variant.sku, 1).json()["token"]
    client.cookies.clear()

    add(other_variant.sku, 2, **token_header(token))
    client.cookies.clear()
    response = api.get("/cart", **token_header(token))

    assert response.json()["token"] == token
    assert [line["quantity"] for line in response.json()["lines"]] == [1, 2]
    assert Cart.objects.count() == 1


def test_reading_without_a_cart_is_not_found(api):
    response = api.get("/cart")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "https://mercato.dev/problems/cart-not-found"


def test_reading_an_unknown_token_is_not_found(api):
    assert api.get("/cart", **token_header("no-such-token")).status_code == 404


def test_reading_a_converted_cart_is_not_found(api, anonymous_cart):
    Cart.objects.filter(token=anonymous_cart).update(status=CartStatus.CONVERTED)

    assert api.get("/cart", **token_header(anonymous_cart)).status_code == 404


def test_a_write_with_an_unknown_token_opens_a_new_cart(add, variant):
    response = add(variant.sku, 1, **token_header("no-such-token"))

    assert response.status_code == 200
    assert response.json()["token"] != "no-such-token"
    assert cart_cookie(response) == response.json()["token"]


def test_a_customer_reaches_their_cart_by_bearer_token_and_by_session(api, client, add,
                                                                      variant, customer):
    token = add(variant.sku, 2, **bearer_for(customer)).json()["token"]
    assert Cart.objects.get(token=token).customer == customer

    by_bearer = api.get("/cart", **bearer_for(customer))
    unauthenticated = api.get("/cart")
    client.force_login(customer)
    by_session = api.get("/cart")

    assert by_bearer.json()["token"] == token
    assert unauthenticated.status_code == 404
    assert by_session.status_code == 200
    assert by_session.json()["token"] == token


def test_a_customer_cart_sets_no_cookie(add, variant, customer):
    response = add(variant.sku, 1, **bearer_for(customer))

    assert cart_cookie(response) is None


def test_opening_a_cart_as_a_customer_returns_their_cart(api, customer):
    headers = bearer_for(customer)

    first = api.post("/carts", **headers)
    second = api.post("/carts", **headers)

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["token"] == second.json()["token"]
    assert Cart.objects.filter(customer=customer).count() == 1


def test_another_customer_cannot_reach_a_customer_cart_by_its_token(api, add, variant,
                                                                    customer):
    token = add(variant.sku, 2, **bearer_for(customer)).json()["token"]
    intruder = bearer_for(UserFactory())
    before = database_state()

    read = api.get("/cart", **intruder, **token_header(token))
    write = add(variant.sku, 1, **intruder, **token_header(token))

    assert read.status_code == write.status_code == 404
    assert database_state() == before
    assert lines_of(token) == {variant.sku: 2}


def test_an_anonymous_visitor_cannot_reach_a_customer_cart_by_its_token(api, client, add,
                                                                        variant, customer):
    token = add(variant.sku, 2, **bearer_for(customer)).json()["token"]
    before = database_state()

    read = api.get("/cart", **token_header(token))
    client.cookies[settings.MERCATO_CART_COOKIE] = token
    by_cookie = api.get("/cart")
    write = add(variant.sku, 1, **token_header(token))
    removal = api.delete(f"/cart/lines/{variant.sku}", **token_header(token))

    assert [r.status_code for r in (read, by_cookie, write, removal)] == [404] * 4
    assert database_state() == before


def test_login_merges_the_anonymous_cart_into_the_customer_cart(api, client, add, customer):
    shirt = make_sellable_variant(on_hand=4)
    socks = make_sellable_variant(on_hand=10)
    scarf = make_sellable_variant(on_hand=10)
    headers = bearer_for(customer)
    add(shirt.sku, 2, **headers)
    add(scarf.sku, 1, **headers)
    anonymous = add(shirt.sku, 3).json()["token"]  # cookie kept by the client
    add(socks.sku, 2)

    response = api.get("/cart", **headers)  # first cart request after login

    assert response.status_code == 200
    customer_token = response.json()["token"]
    assert customer_token != anonymous
    assert lines_of(customer_token) == {shirt.sku: 4, scarf.sku: 1, socks.sku: 2}  # 2+3 capped
    assert not Cart.objects.filter(token=anonymous).exists()
    cleared = response.cookies[settings.MERCATO_CART_COOKIE]
    assert cleared.value == "" and cleared["max-age"] == 0
    merged = Event.objects.get(type="CartMerged")
    assert merged.payload["line_count"] == 2 and merged.payload["adopted"] is False
    assert merged.actor == f"customer:{customer.email}"


def test_merging_keeps_out_of_stock_lines_to_report_them(api, add, customer, variant,
                                                         other_variant):
    headers = bearer_for(customer)
    add(other_variant.sku, 1, **headers)
    anonymous = add(variant.sku, 2).json()["token"]
    StockFactory._meta.model.objects.filter(variant=variant).update(on_hand=0)

    response = api.get("/cart", **headers, **token_header(anonymous))

    line = response.json()["lines"][1]
    assert (line["sku"], line["quantity"], line["out_of_stock"]) == (variant.sku, 1, True)


def test_login_without_a_customer_cart_adopts_the_anonymous_cart(api, add, variant, customer):
    anonymous = add(variant.sku, 2).json()["token"]

    response = api.post("/cart/lines", {"sku": variant.sku, "quantity": 1},
                        **bearer_for(customer))

    assert response.status_code == 200
    assert response.json()["token"] == anonymous
    assert Cart.objects.get(token=anonymous).customer == customer
    assert lines_of(anonymous) == {variant.sku: 3}
    assert Event.objects.get(type="CartMerged").payload["adopted"] is True
    assert response.cookies[settings.MERCATO_CART_COOKIE].value == ""


def test_merging_happens_once(api, client, add, variant, customer):
    headers = bearer_for(customer)
    add(variant.sku, 2)

    api.get("/cart", **headers)
    response = api.get("/cart", **headers)

    assert response.json()["lines"][0]["quantity"] == 2
    assert Event.objects.filter(type="CartMerged").count() == 1


def test_a_customer_sending_their_own_cart_token_reaches_their_cart(api, add, variant, customer):
    headers = bearer_for(customer)
    token = add(variant.sku, 1, **headers).json()["token"]

    response = api.get("/cart", **headers, **token_header(token))

    assert response.status_code == 200
    assert not Event.objects.filter(type="CartMerged").exists()


def test_a_customer_with_a_stale_token_still_reaches_their_cart(api, add, variant, customer):
    headers = bearer_for(customer)
    add(variant.sku, 1, **headers)

    response = api.get("/cart", **headers, **token_header("merged-long-ago"))

    assert response.status_code == 200


def test_a_session_write_without_the_csrf_token_is_refused(variant, customer):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(customer)
    before = database_state()

    response = browser.post("/api/v1/cart/lines", {"sku": variant.sku, "quantity": 1},
                            content_type="application/json")

    assert response.status_code == 403
    assert database_state() == before


def test_a_session_write_with_the_csrf_token_is_accepted(variant, customer):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(customer)
    browser.cookies["csrftoken"] = CSRF_SECRET

    response = browser.post("/api/v1/cart/lines", {"sku": variant.sku, "quantity": 1},
                            content_type="application/json", headers={"X-CSRFToken": CSRF_SECRET})

    assert response.status_code == 200
    assert Cart.objects.get(customer=customer).lines.count() == 1


def test_a_customer_asking_for_an_unaccepted_currency_is_refused(api, customer):
    headers = bearer_for(customer)
    api.post("/carts", **headers)

    response = api.post("/carts", {"currency": "JPY"}, **headers)

    assert response.status_code == 422
    assert "currency" in response.json()["errors"]


def test_a_browser_logging_in_gets_its_cookie_cart_merged_and_the_cookie_cleared(
        api, client, add, variant, other_variant, customer):
    add(other_variant.sku, 1, **bearer_for(customer))
    anonymous = add(variant.sku, 2).json()["token"]
    client.force_login(customer)

    response = api.get("/cart")

    assert {line["sku"]: line["quantity"] for line in response.json()["lines"]} == {
        other_variant.sku: 1, variant.sku: 2}
    assert not Cart.objects.filter(token=anonymous).exists()
    assert client.cookies[settings.MERCATO_CART_COOKIE].value == ""
