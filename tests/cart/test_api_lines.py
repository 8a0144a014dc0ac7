"""Adding, changing and removing cart lines through the API, and every refused input."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mercato.cart.models import Cart
from tests.cart.conftest import cart_cookie, database_state, lines_of, token_header
from tests.factories import VariantPriceFactory, make_sellable_variant

pytestmark = pytest.mark.django_db

BAD_QUANTITIES = [0, -1, 1.5, "x", "2", True, None, 10_000]


def test_adding_a_line_without_a_cart_opens_one_and_sets_the_cookie(add, variant):
    response = add(variant.sku, 2)

    assert response.status_code == 200
    body = response.json()
    assert [(line["sku"], line["quantity"]) for line in body["lines"]] == [(variant.sku, 2)]
    assert body["totals"]["subtotal"] == {"amount": "40.00", "currency": "EUR"}
    cookie = response.cookies[settings.MERCATO_CART_COOKIE]
    assert cookie.value == body["token"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == int(settings.MERCATO_CART_TTL.total_seconds())
    assert Cart.objects.get(token=body["token"]).currency == "EUR"


def test_adding_the_same_sku_again_increases_its_quantity(add, variant, anonymous_cart):
    response = add(variant.sku, 3, **token_header(anonymous_cart))

    assert response.status_code == 200
    assert response.json()["lines"][0]["quantity"] == 5
    assert lines_of(anonymous_cart) == {variant.sku: 5}


def test_adding_a_line_restarts_the_expiry_clock(add, variant, anonymous_cart):
    Cart.objects.filter(token=anonymous_cart).update(updated_at=Cart.objects.get(
        token=anonymous_cart).updated_at - timedelta(days=1))
    before = Cart.objects.get(token=anonymous_cart).updated_at

    add(variant.sku, 1, **token_header(anonymous_cart))

    assert Cart.objects.get(token=anonymous_cart).updated_at > before


def test_changing_a_line_sets_its_quantity(api, variant, anonymous_cart):
    response = api.patch(f"/cart/lines/{variant.sku}", {"quantity": 4},
                         **token_header(anonymous_cart))

    assert response.status_code == 200
    assert response.json()["lines"][0]["quantity"] == 4
    assert response.json()["totals"]["item_count"] == 4
    assert lines_of(anonymous_cart) == {variant.sku: 4}


def test_removing_a_line_takes_it_out_of_the_cart(api, add, variant, other_variant,
                                                  anonymous_cart):
    add(other_variant.sku, 1, **token_header(anonymous_cart))

    response = api.delete(f"/cart/lines/{variant.sku}", **token_header(anonymous_cart))

    assert response.status_code == 200
    assert [line["sku"] for line in response.json()["lines"]] == [other_variant.sku]
    assert lines_of(anonymous_cart) == {other_variant.sku: 1}


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_adding_a_bad_quantity_is_refused_and_changes_nothing(add, variant, anonymous_cart,
                                                              quantity):
    before = database_state()

    response = add(variant.sku, quantity, **token_header(anonymous_cart))

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "quantity" in response.json()["errors"]
    assert database_state() == before


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_changing_to_a_bad_quantity_is_refused_and_changes_nothing(api, variant, anonymous_cart,
                                                                   quantity):
    before = database_state()

    response = api.patch(f"/cart/lines/{variant.sku}", {"quantity": quantity},
                         **token_header(anonymous_cart))

    assert response.status_code == 422
    assert "quantity" in response.json()["errors"]
    assert database_state() == before


def test_adding_a_line_with_no_quantity_is_refused(api, variant):
    response = api.post("/cart/lines", {"sku": variant.sku})

    assert response.status_code == 422
    assert "quantity" in response.json()["errors"]
    assert not Cart.objects.exists()


def test_adding_more_than_is_available_is_a_conflict_and_changes_nothing(add, variant,
                                                                         anonymous_cart):
    before = database_state()

    response = add(variant.sku, 4, **token_header(anonymous_cart))  # 2 in the cart, 5 in stock

    assert response.status_code == 409
    body = response.json()
    assert body["type"] == "https://mercato.dev/problems/insufficient-stock"
    assert body["detail"] == f"Only 5 of {variant.sku} are available."
    assert (body["available"], body["requested"], body["sku"]) == (5, 6, variant.sku)
    assert database_state() == before


def test_adding_above_stock_without_a_cart_opens_no_cart(add, variant):
    response = add(variant.sku, 6)

    assert response.status_code == 409
    assert not Cart.objects.exists()
    assert cart_cookie(response) is None


def test_adding_an_out_of_stock_product_says_so(add):
    sold_out = make_sellable_variant(on_hand=0)

    response = add(sold_out.sku, 1)

    assert response.status_code == 409
    assert response.json()["detail"] == f"{sold_out.sku} is out of stock."
    assert response.json()["available"] == 0


def test_changing_above_stock_is_a_conflict_and_changes_nothing(api, variant, anonymous_cart):
    before = database_state()

    response = api.patch(f"/cart/lines/{variant.sku}", {"quantity": 6},
                         **token_header(anonymous_cart))

    assert response.status_code == 409
    assert response.json()["available"] == 5
    assert database_state() == before


def test_adding_an_unknown_sku_is_refused_and_changes_nothing(add, anonymous_cart):
    before = database_state()

    response = add("NO-SUCH-SKU", 1, **token_header(anonymous_cart))

    assert response.status_code == 422
    assert response.json()["type"] == "https://mercato.dev/problems/unknown-sku"
    assert response.json()["errors"] == {"sku": ["There is no product with SKU NO-SUCH-SKU."]}
    assert database_state() == before


def test_adding_an_unknown_sku_without_a_cart_opens_no_cart(add):
    assert add("NO-SUCH-SKU", 1).status_code == 422
    assert not Cart.objects.exists()


def test_adding_an_unpublished_product_is_refused(add, anonymous_cart):
    hidden = make_sellable_variant(is_published=False)
    before = database_state()

    response = add(hidden.sku, 1, **token_header(anonymous_cart))

    assert response.status_code == 422
    assert response.json()["type"] == "https://mercato.dev/problems/not-sellable"
    assert response.json()["errors"] == {"sku": [f"{hidden.sku} is not for sale."]}
    assert database_state() == before


def test_adding_a_product_without_a_price_in_the_cart_currency_is_refused(add, anonymous_cart):
    dollars_only = make_sellable_variant(currency="USD")
    before = database_state()

    response = add(dollars_only.sku, 1, **token_header(anonymous_cart))

    assert response.status_code == 422
    assert response.json()["errors"] == {"sku": [f"{dollars_only.sku} has no price in EUR."]}
    assert database_state() == before


def test_changing_or_removing_a_sku_not_in_the_cart_is_not_found(api, other_variant,
                                                                 anonymous_cart):
    before = database_state()
    headers = token_header(anonymous_cart)

    patched = api.patch(f"/cart/lines/{other_variant.sku}", {"quantity": 1}, **headers)
    deleted = api.delete("/cart/lines/NO-SUCH-SKU", **headers)

    assert patched.status_code == deleted.status_code == 404
    assert patched.json()["type"] == "https://mercato.dev/problems/cart-line-not-found"
    assert database_state() == before


def test_changing_a_line_without_a_cart_is_not_found(api, variant):
    response = api.patch(f"/cart/lines/{variant.sku}", {"quantity": 1})

    assert response.status_code == 404
    assert response.json()["type"] == "https://mercato.dev/problems/cart-not-found"
    assert not Cart.objects.exists()


def test_opening_a_cart_returns_201_with_its_token_and_cookie(api):
    response = api.post("/carts")

    assert response.status_code == 201
    body = response.json()
    assert body["lines"] == [] and body["currency"] == "EUR"
    nothing = {"amount": "0.00", "currency": "EUR"}
    totals = body["totals"]
    assert (totals["subtotal"], totals["discount_total"], totals["total"]) == (nothing,) * 3
    assert (totals["item_count"], totals["discounts"], totals["delivery"]) == (0, [], None)
    assert (body["coupons"], body["delivery"]) == ([], None)
    assert cart_cookie(response) == body["token"]


def test_opening_a_cart_in_an_accepted_currency(api, add):
    dollar_variant = make_sellable_variant(currency="USD", price="12.00")

    token = api.post("/carts", {"currency": "usd"}).json()["token"]
    response = add(dollar_variant.sku, 1, **token_header(token))

    assert response.json()["totals"]["total"] == {"amount": "12.00", "currency": "USD"}


@pytest.mark.parametrize("currency", ["JPY", "EU", "EURO"])
def test_opening_a_cart_in_an_unaccepted_currency_is_refused(api, currency):
    response = api.post("/carts", {"currency": currency})

    assert response.status_code == 422
    assert "currency" in response.json()["errors"]
    assert not Cart.objects.exists()


def test_a_variant_priced_in_several_currencies_uses_the_cart_currency(api, add, variant):
    VariantPriceFactory(variant=variant, currency="GBP", amount="17.00")

    token = api.post("/carts", {"currency": "GBP"}).json()["token"]
    response = add(variant.sku, 2, **token_header(token))

    assert response.json()["lines"][0]["unit_price"] == {"amount": "17.00", "currency": "GBP"}


def test_line_writes_lock_the_cart_row(on_postgres, add, variant, anonymous_cart):
    if not on_postgres:
        pytest.skip("SQLite serialises writers instead of locking rows")
    with CaptureQueriesContext(connection) as queries:
        add(variant.sku, 1, **token_header(anonymous_cart))

    locks = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert any('FROM "cart_cart"' in sql for sql in locks)
