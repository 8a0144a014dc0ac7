"""Delivery estimate: the methods offered for an address and the cart, and choosing one."""

import pytest

from mercato.cart.models import Cart
from mercato.pricing.models import DeliveryMethod
from tests.cart.conftest import database_state, token_header
from tests.cart.pricing_data import eur, german_vat, standard_delivery
from tests.factories import CategoryFactory, make_sellable_variant

pytestmark = pytest.mark.django_db

PROBLEM = "https://mercato.dev/problems/"


@pytest.fixture(autouse=True)
def methods():
    german_vat("19")
    standard_delivery(code="standard", price="4.90", free_over="50.00", days=(2, 4))
    standard_delivery(code="express", price="12.00", free_over=None, days=(1, 1),
                      countries=("DE",), position=1)


def methods_for(api, token: str, **params: str):
    return api.get("/cart/delivery-methods", params, **token_header(token))


def choose(api, token: str, **delivery: object):
    return api.put("/cart/delivery", delivery, **token_header(token))


def test_germany_is_offered_both_methods_with_fees_and_times(api, anonymous_cart):
    response = methods_for(api, anonymous_cart, country="DE")

    assert response.status_code == 200
    assert response.json() == {"country": "DE", "region": "", "methods": [
        {"code": "standard", "name": "Standard", "description": "standard parcel",
         "fee": eur("4.90"), "is_free": False, "estimated_days_min": 2, "estimated_days_max": 4},
        {"code": "express", "name": "Express", "description": "express parcel",
         "fee": eur("12.00"), "is_free": False, "estimated_days_min": 1,
         "estimated_days_max": 1},
    ]}


def test_austria_is_offered_only_the_method_whose_zone_covers_it(api, anonymous_cart):
    body = methods_for(api, anonymous_cart, country="at").json()

    assert body["country"] == "AT"
    assert [method["code"] for method in body["methods"]] == ["standard"]


def test_a_country_in_no_zone_is_offered_nothing(api, anonymous_cart):
    body = methods_for(api, anonymous_cart, country="US", region="ca").json()

    assert (body["country"], body["region"], body["methods"]) == ("US", "CA", [])


def test_a_cart_above_the_threshold_is_offered_free_delivery(api, add, variant, anonymous_cart):
    add(variant.sku, 1, **token_header(anonymous_cart))  # 3 x 20.00

    standard = methods_for(api, anonymous_cart, country="DE").json()["methods"][0]
    assert standard["code"] == "standard"

    assert (standard["fee"], standard["is_free"]) == (eur("0.00"), True)


def test_a_method_excluding_a_category_in_the_cart_is_not_offered(api, add, anonymous_cart):
    fragile = CategoryFactory(name="Glass")
    DeliveryMethod.objects.get(code="express").excluded_categories.add(fragile)
    add(make_sellable_variant(category=fragile).sku, 1, **token_header(anonymous_cart))

    body = methods_for(api, anonymous_cart, country="DE").json()

    assert [method["code"] for method in body["methods"]] == ["standard"]


def test_without_a_country_the_cart_estimate_address_is_used(api, anonymous_cart):
    choose(api, anonymous_cart, country="AT")

    body = methods_for(api, anonymous_cart).json()

    assert body["country"] == "AT"


def test_without_any_country_a_country_is_asked_for(api, anonymous_cart):
    response = methods_for(api, anonymous_cart)

    assert response.status_code == 422
    assert response.json()["type"] == PROBLEM + "country-needed"
    assert "country" in response.json()["errors"]


def test_an_unknown_country_is_refused(api, anonymous_cart):
    response = methods_for(api, anonymous_cart, country="XX")

    assert response.status_code == 422
    assert response.json()["errors"]["country"] == [
        "'XX' is not a country: give an ISO 3166-1 alpha-2 code such as DE."]


def test_delivery_methods_need_a_cart(api):
    assert api.get("/cart/delivery-methods", {"country": "DE"}).status_code == 404


def test_choosing_an_address_and_a_method_is_stored_and_quoted(api, anonymous_cart):
    response = choose(api, anonymous_cart, country="de", region="", method="express")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["delivery"] == {"country": "DE", "region": "", "method": "express"}
    assert body["totals"]["delivery"]["price"] == eur("12.00")
    assert body["totals"]["total"] == eur("52.00")
    cart = Cart.objects.get(token=anonymous_cart)
    assert (cart.estimate_country, cart.estimate_region, cart.delivery_method) == (
        "DE", "", "express")


def test_choosing_only_an_address_quotes_no_delivery_yet(api, anonymous_cart):
    body = choose(api, anonymous_cart, country="AT").json()

    assert body["delivery"] == {"country": "AT", "region": "", "method": None}
    assert body["totals"]["delivery"] is None and body["totals"]["tax_known"] is True


@pytest.mark.parametrize(("delivery", "field"), [
    ({"country": "AT", "method": "express"}, "method"),  # express does not go to Austria
    ({"country": "DE", "method": "teleport"}, "method"),
    ({"country": "XX", "method": "standard"}, "country"),
    ({"country": "DEU"}, "country"),
    ({"region": "BY"}, "country"),
])
def test_a_delivery_choice_that_cannot_be_served_is_refused_and_changes_nothing(
        api, anonymous_cart, delivery, field):
    choose(api, anonymous_cart, country="DE", method="standard")
    before = database_state()

    response = choose(api, anonymous_cart, **delivery)

    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert database_state() == before


def test_a_chosen_method_no_longer_offered_is_kept_and_reported(api, add, anonymous_cart):
    choose(api, anonymous_cart, country="DE", method="express")
    fragile = CategoryFactory(name="Glass")
    DeliveryMethod.objects.get(code="express").excluded_categories.add(fragile)

    body = add(make_sellable_variant(category=fragile).sku, 1,
               **token_header(anonymous_cart)).json()

    assert body["totals"]["delivery"] is None
    assert body["messages"] == [
        "The delivery method 'express' is not available for this address and cart."]
    assert Cart.objects.get(token=anonymous_cart).delivery_method == "express"


def test_choosing_delivery_needs_a_cart(api):
    assert api.put("/cart/delivery", {"country": "DE"}).status_code == 404
    assert not Cart.objects.exists()
