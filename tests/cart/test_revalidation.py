"""Reading the cart re-checks prices, stock and publication, and says each change once."""

from decimal import Decimal

import pytest
from django.test import override_settings

from mercato.catalog.models import Product, VariantPrice
from mercato.inventory.models import Stock
from tests.cart.conftest import database_state, lines_of, seen_amount, token_header
from tests.factories import StockFactory, WarehouseFactory, make_sellable_variant

pytestmark = pytest.mark.django_db

# Anonymous read by header: the cart; its lines with current prices; their stock; then the
# pricing engine: variants and categories of the lines, tax classes by product and by product
# type, tax rates, live promotions (with no promotion targeting the lines).
ANONYMOUS_READ_QUERIES = 9


def reprice(variant, amount: str, currency: str = "EUR") -> None:
    VariantPrice.objects.filter(variant=variant, currency=currency).update(amount=Decimal(amount))


def restock(variant, on_hand: int) -> None:
    Stock.objects.filter(variant=variant).update(on_hand=on_hand)


def read(api, token: str) -> dict:
    response = api.get("/cart", **token_header(token))
    assert response.status_code == 200, response.content
    return response.json()


def test_a_price_change_is_reported_once_then_the_cart_is_quiet(
        api, variant, anonymous_cart, django_assert_num_queries):
    reprice(variant, "18.00")

    first = read(api, anonymous_cart)
    with django_assert_num_queries(ANONYMOUS_READ_QUERIES):
        second = read(api, anonymous_cart)

    label = "Linen shirt (Default)"
    assert first["messages"] == [f"The price of {label} changed from €20.00 to €18.00."]
    line = first["lines"][0]
    assert line["price_changed"] is True
    assert line["issues"] == [{
        "code": "price_changed", "message": first["messages"][0],
        "old_price": {"amount": "20.00", "currency": "EUR"},
        "new_price": {"amount": "18.00", "currency": "EUR"},
    }]
    assert line["unit_price"] == {"amount": "18.00", "currency": "EUR"}
    assert first["totals"]["total"] == {"amount": "36.00", "currency": "EUR"}
    assert second["messages"] == [] and second["lines"][0]["issues"] == []
    assert second["lines"][0]["price_changed"] is False
    assert seen_amount(anonymous_cart, variant) == Decimal("18.00")


def test_an_unchanged_cart_is_read_without_writing(api, anonymous_cart,
                                                   django_assert_num_queries):
    before = database_state()

    with django_assert_num_queries(ANONYMOUS_READ_QUERIES):
        body = read(api, anonymous_cart)

    assert body["messages"] == []
    assert database_state() == before


def test_reduced_stock_caps_the_quantity_with_a_message_once(api, variant, anonymous_cart):
    restock(variant, 1)  # 2 in the cart

    first = read(api, anonymous_cart)
    second = read(api, anonymous_cart)

    line = first["lines"][0]
    assert (line["quantity"], line["quantity_reduced"]) == (1, True)
    assert first["messages"] == [
        "Only 1 of Linen shirt (Default) are available: the quantity was reduced from 2 to 1."
    ]
    assert first["totals"]["subtotal"]["amount"] == "20.00"
    assert first["totals"]["item_count"] == 1
    assert lines_of(anonymous_cart) == {variant.sku: 1}
    assert second["messages"] == []


def test_an_out_of_stock_line_is_flagged_and_left_out_of_the_totals(api, add, variant,
                                                                    other_variant,
                                                                    anonymous_cart):
    add(other_variant.sku, 1, **token_header(anonymous_cart))
    restock(variant, 0)
    before = database_state()

    body = read(api, anonymous_cart)

    shirt, socks = body["lines"]
    assert (shirt["out_of_stock"], shirt["is_counted"], shirt["line_total"]) == (True, False, None)
    assert shirt["quantity"] == 2
    assert socks["is_counted"] is True
    assert body["messages"] == ["Linen shirt (Default) is out of stock."]
    assert body["totals"]["subtotal"] == {"amount": "9.50", "currency": "EUR"}
    assert body["totals"]["item_count"] == 1
    assert database_state() == before  # the line stays: it is a state, said on every read


def test_an_unpublished_product_is_flagged_unavailable(api, variant, anonymous_cart):
    Product.objects.filter(pk=variant.product_id).update(is_published=False)

    body = read(api, anonymous_cart)

    line = body["lines"][0]
    assert (line["unavailable"], line["is_counted"]) == (True, False)
    assert body["messages"] == ["Linen shirt (Default) is no longer available."]
    assert body["totals"]["total"]["amount"] == "0.00"


def test_a_line_without_a_price_in_the_cart_currency_is_flagged_unavailable(api, variant,
                                                                             anonymous_cart):
    VariantPrice.objects.filter(variant=variant).delete()

    line = read(api, anonymous_cart)["lines"][0]

    assert (line["unavailable"], line["unit_price"], line["line_total"]) == (True, None, None)


def test_stock_is_summed_over_warehouses(api, add, variant, anonymous_cart):
    StockFactory(variant=variant, warehouse=WarehouseFactory(code="north"), on_hand=3)

    response = add(variant.sku, 6, **token_header(anonymous_cart))  # 2 + 6 <= 5 + 3

    assert response.status_code == 200
    assert response.json()["lines"][0]["quantity"] == 8


def test_totals_are_exact_in_euros(api, add, client):
    a = make_sellable_variant(price="19.99")
    b = make_sellable_variant(price="0.10")
    c = make_sellable_variant(price="0.3333")
    for variant, quantity in ((a, 3), (b, 2), (c, 3)):
        add(variant.sku, quantity)

    body = api.get("/cart").json()

    totals = [line["line_total"]["amount"] for line in body["lines"]]
    assert totals == ["59.97", "0.20", "1.00"]
    assert body["lines"][2]["unit_price"]["amount"] == "0.33"
    totals = body["totals"]
    assert (totals["subtotal"], totals["total"]) == ({"amount": "61.17", "currency": "EUR"},) * 2
    assert totals["item_count"] == 8


def test_totals_round_each_line_before_adding_them(api, add):
    for _ in range(3):
        add(make_sellable_variant(price="0.005").sku, 1)

    body = api.get("/cart").json()

    assert [line["line_total"]["amount"] for line in body["lines"]] == ["0.01"] * 3
    assert body["totals"]["total"]["amount"] == "0.03"


@override_settings(MERCATO_CURRENCIES=["EUR", "JPY"])
def test_totals_are_exact_in_a_currency_without_minor_units(api, add):
    tea = make_sellable_variant(currency="JPY", price="1500")
    cups = make_sellable_variant(currency="JPY", price="333.5")
    token = api.post("/carts", {"currency": "JPY"}).json()["token"]
    add(tea.sku, 3, **token_header(token))
    body = add(cups.sku, 3, **token_header(token)).json()

    assert [line["line_total"]["amount"] for line in body["lines"]] == ["4500", "1001"]
    assert body["lines"][1]["unit_price"] == {"amount": "334", "currency": "JPY"}
    assert body["totals"]["total"] == {"amount": "5501", "currency": "JPY"}


@override_settings(MERCATO_CURRENCIES=["EUR", "JPY"])
def test_a_price_change_in_yen_is_reported_in_yen(api, add):
    tea = make_sellable_variant(currency="JPY", price="1500", title="Sencha")
    token = api.post("/carts", {"currency": "JPY"}).json()["token"]
    add(tea.sku, 1, **token_header(token))
    reprice(tea, "1200", currency="JPY")

    body = read(api, token)

    assert body["messages"] == ["The price of Sencha (Default) changed from ¥1,500 to ¥1,200."]


@pytest.mark.parametrize("line_count", [2, 20])
def test_reading_a_cart_takes_the_same_queries_whatever_its_size(
        api, add, client, line_count, django_assert_num_queries):
    token = None
    for _ in range(line_count):
        token = add(make_sellable_variant().sku, 1).json()["token"]
    client.cookies.clear()

    with django_assert_num_queries(ANONYMOUS_READ_QUERIES):
        body = read(api, token)

    assert len(body["lines"]) == line_count


@pytest.mark.parametrize("line_count", [2, 20])
def test_reporting_changes_takes_one_short_write_whatever_the_cart_size(
        api, add, client, line_count, django_assert_max_num_queries):
    variants = [make_sellable_variant(price="10.00", on_hand=5) for _ in range(line_count)]
    token = None
    for variant in variants:
        token = add(variant.sku, 3).json()["token"]
    client.cookies.clear()
    VariantPrice.objects.update(amount=Decimal("9.00"))
    Stock.objects.update(on_hand=2)

    # + one UPDATE, and the savepoint the test transaction wraps it in
    with django_assert_max_num_queries(ANONYMOUS_READ_QUERIES + 3):
        body = read(api, token)

    assert len(body["messages"]) == 2 * line_count
    assert set(lines_of(token).values()) == {2}


@pytest.mark.parametrize("line_count", [2, 20])
def test_a_customer_reads_their_cart_in_bounded_queries(
        api, add, client, customer, line_count, django_assert_max_num_queries):
    client.force_login(customer)
    for _ in range(line_count):
        add(make_sellable_variant().sku, 1)

    with django_assert_max_num_queries(ANONYMOUS_READ_QUERIES + 2):  # + session, user
        body = api.get("/cart").json()

    assert len(body["lines"]) == line_count
