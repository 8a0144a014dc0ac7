"""The cart shows the amount to pay as the pricing engine quotes it: discounts, delivery, tax."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from mercato.cart import services
from mercato.cart.models import Cart
from mercato.pricing.models import Promotion
from tests.cart.conftest import database_state, token_header
from tests.cart.pricing_data import (
    amount_off,
    eur,
    german_vat,
    percent_off,
    read,
    standard_delivery,
)
from tests.factories import make_sellable_variant
from tests.pricing.factories import PromotionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def vat():
    return german_vat("19")


def choose(api, token: str, **delivery: str) -> dict:
    response = api.put("/cart/delivery", delivery, **token_header(token))
    assert response.status_code == 200, response.content
    return response.json()


def test_a_tax_inclusive_cart_shows_the_tax_contained_in_its_prices(api, vat, anonymous_cart):
    body = read(api, anonymous_cart)  # 2 x 20.00, gross

    line, totals = body["lines"][0], body["totals"]
    assert (line["subtotal"], line["line_total"], line["discounts"]) == (eur("40.00"),
                                                                         eur("40.00"), [])
    assert (line["net"], line["tax"], line["gross"], line["tax_rate"]) == (
        eur("33.61"), eur("6.39"), eur("40.00"), "19")
    assert totals["subtotal"] == totals["total"] == eur("40.00")
    assert (totals["net_total"], totals["tax_total"]) == (eur("33.61"), eur("6.39"))
    assert totals["taxes"] == [{"name": "VAT 19%", "rate": "19", "net": eur("33.61"),
                                "tax": eur("6.39"), "gross": eur("40.00")}]
    assert (totals["prices_include_tax"], totals["tax_known"]) == (True, False)


@override_settings(MERCATO_PRICES_INCLUDE_TAX=False)
def test_a_tax_exclusive_cart_adds_the_tax_to_its_prices(api, vat, anonymous_cart):
    body = read(api, anonymous_cart)  # 2 x 20.00, net

    line, totals = body["lines"][0], body["totals"]
    assert (line["line_total"], line["net"], line["tax"], line["gross"]) == (
        eur("40.00"), eur("40.00"), eur("7.60"), eur("47.60"))
    assert totals["subtotal"] == eur("40.00")
    assert (totals["net_total"], totals["tax_total"], totals["total"]) == (
        eur("40.00"), eur("7.60"), eur("47.60"))
    assert totals["prices_include_tax"] is False


def test_tax_is_known_only_once_an_address_is_given(api, vat, anonymous_cart):
    before = read(api, anonymous_cart)["totals"]

    after = choose(api, anonymous_cart, country="AT")["totals"]  # no Austrian rate configured

    assert (before["tax_known"], before["tax_total"]) == (False, eur("6.39"))
    assert (after["tax_known"], after["tax_total"], after["total"]) == (True, eur("0.00"),
                                                                        eur("40.00"))


def test_a_category_percentage_promotion_is_named_on_the_line_and_in_the_totals(api, add, vat):
    shirt = make_sellable_variant(price="20.00", title="Linen shirt")
    socks = make_sellable_variant(price="5.00", title="Socks")
    percent_off("Summer sale", "10", categories=(shirt.product.category,))
    add(shirt.sku, 2)

    body = add(socks.sku, 1).json()

    shirt_line, socks_line = body["lines"]
    assert shirt_line["discounts"] == [{"name": "Summer sale", "amount": eur("4.00")}]
    assert shirt_line["line_total"] == eur("36.00")
    assert socks_line["discounts"] == [] and socks_line["line_total"] == eur("5.00")
    totals = body["totals"]
    assert totals["subtotal"] == eur("45.00")
    assert totals["discounts"] == [{"name": "Summer sale", "amount": eur("4.00")}]
    assert (totals["discount_total"], totals["total"]) == (eur("4.00"), eur("41.00"))


def test_an_order_fixed_discount_is_shared_by_the_lines_and_shown_once(api, add, vat):
    amount_off("Welcome 5", "5.00", min_order_value="30.00")
    add(make_sellable_variant(price="30.00").sku, 1)

    body = add(make_sellable_variant(price="10.00").sku, 1).json()

    assert [line["line_total"] for line in body["lines"]] == [eur("26.25"), eur("8.75")]
    assert body["totals"]["discounts"] == [{"name": "Welcome 5", "amount": eur("5.00")}]
    assert body["totals"]["total"] == eur("35.00")
    net, tax = body["totals"]["net_total"], body["totals"]["tax_total"]
    assert Decimal(net["amount"]) + Decimal(tax["amount"]) == Decimal("35.00")


def test_delivery_is_quoted_once_an_address_and_a_method_are_chosen(api, vat, anonymous_cart):
    standard_delivery(price="4.90", free_over="50.00")

    totals = choose(api, anonymous_cart, country="DE", method="standard")["totals"]

    assert totals["delivery"] == {
        "method": "standard", "name": "Standard", "price": eur("4.90"),
        "discount": eur("0.00"), "net": eur("4.12"), "tax": eur("0.78"), "gross": eur("4.90"),
        "estimated_days_min": 2, "estimated_days_max": 4,
    }
    assert (totals["tax_known"], totals["total"], totals["tax_total"]) == (
        True, eur("44.90"), eur("7.17"))


def test_delivery_is_free_from_the_threshold_on(api, add, vat, variant, anonymous_cart):
    standard_delivery(price="4.90", free_over="50.00")
    choose(api, anonymous_cart, country="DE", method="standard")

    body = add(variant.sku, 1, **token_header(anonymous_cart)).json()  # 3 x 20.00

    assert body["totals"]["delivery"]["price"] == eur("0.00")
    assert body["totals"]["total"] == eur("60.00")


def test_a_free_delivery_promotion_waives_the_fee_and_is_named(api, vat, anonymous_cart):
    standard_delivery(price="4.90", free_over=None)
    PromotionFactory(name="Free shipping week", kind="free_delivery", percentage=None)

    totals = choose(api, anonymous_cart, country="DE", method="standard")["totals"]

    assert (totals["delivery"]["price"], totals["delivery"]["discount"],
            totals["delivery"]["gross"]) == (eur("4.90"), eur("4.90"), eur("0.00"))
    assert totals["discounts"] == [{"name": "Free shipping week", "amount": eur("4.90")}]
    assert totals["total"] == eur("40.00")


def test_a_promotion_that_ended_since_the_last_read_is_reported_once(api, vat, anonymous_cart):
    sale = percent_off("Summer sale", "10")
    assert read(api, anonymous_cart)["totals"]["discount_total"] == eur("4.00")
    ended = timezone.now() - timedelta(hours=1)
    Promotion.objects.filter(pk=sale.pk).update(ends_at=ended)

    first = read(api, anonymous_cart)
    second = read(api, anonymous_cart)

    assert first["messages"] == [
        f"Summer sale no longer applies. Summer sale ended on {ended:%Y-%m-%d}."]
    assert first["totals"]["discounts"] == [] and first["totals"]["total"] == eur("40.00")
    assert second["messages"] == []
    assert Cart.objects.get(token=anonymous_cart).shown_promotion_ids == []


def test_an_unchanged_priced_cart_is_read_without_writing(api, vat, anonymous_cart):
    sale = percent_off("Summer sale", "10")
    read(api, anonymous_cart)  # the promotion is shown for the first time: stored
    assert Cart.objects.get(token=anonymous_cart).shown_promotion_ids == [sale.pk]
    before = database_state()

    body = read(api, anonymous_cart)

    assert body["totals"]["discounts"] == [{"name": "Summer sale", "amount": eur("4.00")}]
    assert database_state() == before


def test_promotions_shown_by_a_read_are_not_stored_over_a_cart_changed_meanwhile(
        anonymous_cart):
    cart = Cart.objects.get(token=anonymous_cart)
    stale = cart.updated_at - timedelta(seconds=1)

    services.record_shown_changes(cart_id=cart.pk, cart_updated_at=stale, updates=(),
                                  shown_promotion_ids=[1])

    assert Cart.objects.get(pk=cart.pk).shown_promotion_ids == []
