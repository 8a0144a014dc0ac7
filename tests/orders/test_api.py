"""The customer order API: my orders, one of my orders, a guest's lookup."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mercato.core.money import Money
from mercato.orders.models import Order
from mercato.orders.rules import ShipmentPlan
from mercato.orders.schemas import order_out
from mercato.orders.selectors import order_detail, payment_state
from mercato.orders.services import place_order
from mercato.payments.gateways import get_gateway
from mercato.payments.models import Payment
from mercato.payments.services import authorize_payment, create_payment
from tests.customers.conftest import bearer_for
from tests.factories import UserFactory
from tests.orders.builders import ADDRESS, SHOPPER, express, make_quote, place

VISA = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"


def pay(order: Order, *, card: str = VISA, amount: str | None = None) -> Payment:
    """A card payment of the order (its whole total unless `amount`), authorized."""
    payment = create_payment(reference=order.number, method="card",
                             amount=Money(Decimal(amount) if amount else order.total,
                                          order.currency))
    token = get_gateway("test").tokenize_card(card, 12, 2030, "123")
    authorize_payment(payment_id=payment.public_id, token=token,
                      idempotency_key=f"auth-{payment.public_id}")
    payment.refresh_from_db()
    return payment


def split_order(quote, *, customer_id: int | None = None) -> Order:
    """The shirts to one address (standard delivery), the mug to another (express)."""
    shirts, mug = quote.lines[0].quantity, quote.lines[1].quantity
    plans = [ShipmentPlan(ADDRESS, quote.delivery, ((0, shirts),)),
             ShipmentPlan(ADDRESS | {"first_name": "Charles"}, express(quote), ((1, mug),))]
    return place_order(quote=quote, customer_id=customer_id, email="ada@example.com",
                       billing_address=ADDRESS, shipments=plans, by=SHOPPER)


def queries_of(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.fixture
def customer():
    return UserFactory(email="ada@example.com")


@pytest.fixture
def logged_in(api, customer):
    api.client.force_login(customer)
    return api


# --- GET /orders --------------------------------------------------------------------------------

@pytest.mark.django_db
def test_my_orders_lists_only_mine_newest_first_with_items_total_and_payment(logged_in,
                                                                             customer):
    quote = make_quote()
    first = place(quote, customer_id=customer.pk)
    second = place(quote, customer_id=customer.pk)
    place(quote, customer_id=UserFactory().pk)
    place(quote)
    pay(first)

    response = logged_in.get("/orders")

    assert response.status_code == 200
    body = response.json()
    assert [item["number"] for item in body["items"]] == [second.number, first.number]
    assert (body["page"], body["total"], body["pages"]) == (1, 2, 1)
    newest, oldest = body["items"]
    assert newest["status"] == "InProgress"
    assert newest["item_count"] == 3
    assert newest["total"] == {"amount": str(second.total.quantize(Decimal("0.01"))),
                               "currency": "EUR"}
    assert (newest["payment_status"], oldest["payment_status"]) == ("NoPayment", "Authorized")


@pytest.mark.django_db
def test_my_orders_are_paginated(logged_in, customer):
    quote = make_quote()
    orders = [place(quote, customer_id=customer.pk) for _ in range(3)]

    body = logged_in.get("/orders", {"page": 2, "page_size": 2}).json()

    assert [item["number"] for item in body["items"]] == [orders[0].number]
    assert (body["page"], body["page_size"], body["total"], body["pages"]) == (2, 2, 3, 2)


@pytest.mark.django_db
def test_my_orders_take_the_same_queries_for_one_order_or_many(logged_in, customer):
    quote = make_quote()
    pay(place(quote, customer_id=customer.pk))
    one = queries_of(lambda: logged_in.get("/orders"))
    for _ in range(3):
        order = place(quote, customer_id=customer.pk)
        pay(order)
        pay(order, card=DECLINED)

    assert queries_of(lambda: logged_in.get("/orders")) == one


@pytest.mark.django_db
def test_my_orders_with_a_bad_page_size_is_a_422_problem(logged_in):
    response = logged_in.get("/orders", {"page_size": 0})

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/orders", "/orders/MRC-100001"])
def test_orders_need_a_logged_in_customer(api, customer, path):
    place(make_quote(), customer_id=customer.pk)

    response = api.get(path)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Not authenticated"


@pytest.mark.django_db
def test_my_orders_with_a_bearer_token(api, customer):
    order = place(make_quote(), customer_id=customer.pk)

    response = api.get("/orders", **bearer_for(customer))

    assert [item["number"] for item in response.json()["items"]] == [order.number]


# --- GET /orders/{number} -----------------------------------------------------------------------

@pytest.mark.django_db
def test_my_order_shows_lines_totals_addresses_shipments_and_payments(logged_in, customer):
    order = place(make_quote(), customer_id=customer.pk)
    payment = pay(order)

    response = logged_in.get(f"/orders/{order.number}")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["number"], body["status"]) == (order.public_id, order.number,
                                                           "InProgress")
    assert (body["email"], body["currency"]) == ("ada@example.com", "EUR")
    shirt, mug = body["lines"]
    assert (shirt["title"], shirt["variant"], shirt["quantity"]) == ("Shirt", "Red / M", 2)
    assert shirt["unit_price"] == {"amount": "19.90", "currency": "EUR"}
    assert shirt["discount"] == {"amount": "3.98", "currency": "EUR"}
    assert shirt["total"] == {"amount": "35.82", "currency": "EUR"}
    assert shirt["tax_rate"] == "19"
    assert (mug["title"], mug["variant"], mug["quantity"]) == ("Mug", "", 1)
    assert body["discounts"] == [{"name": "Ten off", "amount": {"amount": "4.83",
                                                                "currency": "EUR"}}]
    totals = body["totals"]
    assert set(totals) == {"subtotal", "discount", "delivery", "tax", "total",
                           "prices_include_tax"}
    assert totals["delivery"] == {"amount": "4.90", "currency": "EUR"}
    assert totals["total"]["amount"] == str(order.total.quantize(Decimal("0.01")))
    assert body["billing_address"]["city"] == "Potsdam"
    assert body["shipping_address"]["city"] == "BERLIN"
    assert body["shipping_address"]["country"] == "DE"
    [shipment] = body["shipments"]
    assert shipment["number"] == f"{order.number}-1"
    assert shipment["status"] == "InventoryAssigned"
    assert shipment["delivery_fee"] == {"amount": "4.90", "currency": "EUR"}
    assert shipment["ship_to"]["street_address_1"] == "Unter den Linden 1"
    assert [(line["sku"], line["quantity"]) for line in shipment["lines"]] == [
        (shirt["sku"], 2), (mug["sku"], 1)]
    assert "warehouse" not in shipment
    [paid] = body["payments"]
    assert (paid["id"], paid["method"], paid["status"]) == (payment.public_id, "card",
                                                            "Authorized")
    [authorization] = paid["transactions"]
    assert (authorization["kind"], authorization["succeeded"]) == ("authorize", True)
    assert authorization["amount"] == paid["amount"]
    assert body["payment_status"] == "Authorized"


@pytest.mark.django_db
def test_my_order_never_shows_payment_tokens_or_provider_references(logged_in, customer):
    order = place(make_quote(), customer_id=customer.pk)
    payment = pay(order)
    reference = payment.transactions.get().provider_reference

    response = logged_in.get(f"/orders/{order.number}")

    assert reference and reference not in response.content.decode()
    assert "token" not in response.content.decode()


@pytest.mark.django_db
def test_a_declined_attempt_shows_its_error_and_does_not_count_beside_a_paid_payment(
        logged_in, customer):
    order = place(make_quote(), customer_id=customer.pk)
    pay(order, card=DECLINED)
    pay(order)

    body = logged_in.get(f"/orders/{order.number}").json()

    declined, paid = body["payments"]
    assert declined["status"] == "Failed"
    assert declined["transactions"][0]["succeeded"] is False
    assert declined["transactions"][0]["error_message"]
    assert paid["status"] == "Authorized"
    assert body["payment_status"] == "Authorized"


@pytest.mark.django_db
def test_my_order_takes_the_same_queries_whatever_its_lines_shipments_and_payments(
        logged_in, customer):
    quote = make_quote()
    simple = place(quote, customer_id=customer.pk)
    pay(simple)
    split = split_order(quote, customer_id=customer.pk)
    for amount in ("10.00", "5.00", "1.00"):
        pay(split, amount=amount)
    pay(split, card=DECLINED)
    assert split.shipments.count() == 2

    one = queries_of(lambda: logged_in.get(f"/orders/{simple.number}"))
    many = queries_of(lambda: logged_in.get(f"/orders/{split.number}"))

    assert many == one
    # the session and its user, then order, lines, addresses, discounts, shipments, shipment
    # lines, payments and transactions
    assert one == 2 + 8


@pytest.mark.django_db
def test_order_detail_reads_everything_in_eight_queries(django_assert_num_queries):
    order = split_order(make_quote())
    pay(order)

    with django_assert_num_queries(8):
        found = order_detail(public_id=order.public_id)
        assert len(found.lines.all()) == 2
        assert len(found.addresses.all()) == 2
        assert len(found.discounts.all()) == 1
        shipments = found.shipments.all()
        assert [len(s.lines.all()) for s in shipments] == [1, 1]
        assert shipments[1].lines.all()[0].order_line.sku == found.lines.all()[1].sku
        assert [len(p.transactions.all()) for p in found.payments] == [1]


@pytest.mark.django_db
def test_split_shipments_show_each_address_method_and_lines(logged_in, customer):
    order = split_order(make_quote(), customer_id=customer.pk)

    shipments = logged_in.get(f"/orders/{order.number}").json()["shipments"]

    assert [s["method"]["code"] for s in shipments][1] == "express"
    assert shipments[1]["ship_to"]["first_name"] == "Charles"
    assert [[line["quantity"] for line in s["lines"]] for s in shipments] == [[2], [1]]


@pytest.mark.django_db
def test_another_customers_order_is_a_404_problem(logged_in):
    order = place(make_quote(), customer_id=UserFactory().pk)

    response = logged_in.get(f"/orders/{order.number}")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/order-not-found")


@pytest.mark.django_db
def test_a_guest_order_is_not_one_of_mine_even_with_my_email(logged_in, customer):
    order = place(make_quote(), email=customer.email)

    assert logged_in.get(f"/orders/{order.number}").status_code == 404


@pytest.mark.django_db
def test_an_unknown_order_number_is_a_404_problem(logged_in):
    response = logged_in.get("/orders/MRC-999999")

    assert response.status_code == 404
    assert response.json()["detail"] == "There is no such order."


# --- POST /orders/lookup ------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_guest_looks_up_their_order_by_number_and_email(api):
    order = place(make_quote(), email="Guest@Example.com")
    pay(order)

    response = api.post("/orders/lookup", {"number": order.number,
                                           "email": "guest@example.COM"})

    assert response.status_code == 200
    body = response.json()
    assert body["number"] == order.number
    assert len(body["lines"]) == 2 and len(body["shipments"]) == 1
    assert body["payments"][0]["status"] == "Authorized"


@pytest.mark.django_db
def test_a_wrong_number_or_email_gets_the_same_404(api):
    order = place(make_quote(), email="guest@example.com")

    wrong_email = api.post("/orders/lookup", {"number": order.number,
                                              "email": "eve@example.com"})
    wrong_number = api.post("/orders/lookup", {"number": "MRC-999999",
                                               "email": "guest@example.com"})

    assert wrong_email.status_code == wrong_number.status_code == 404
    assert wrong_email["Content-Type"] == "application/problem+json"
    assert wrong_email.json() == wrong_number.json()


@pytest.mark.django_db
def test_a_lookup_without_an_email_is_a_422_problem(api):
    response = api.post("/orders/lookup", {"number": "MRC-100001"})

    assert response.status_code == 422
    assert "email" in response.json()["errors"]


@pytest.mark.django_db
def test_order_out_of_a_freshly_placed_order_reads_it_whole():
    """What checkout answers after completion: an Order straight from place_order."""
    order = place(make_quote())
    pay(order)

    body = order_out(order)

    assert body.number == order.number
    assert [len(s.lines) for s in body.shipments] == [2]
    assert body.payment_status == "Authorized"


# --- payment state ------------------------------------------------------------------------------

@pytest.mark.parametrize(("statuses", "state"), [
    ([], "NoPayment"),
    (["Authorized"], "Authorized"),
    (["Captured", "Captured"], "Captured"),
    (["Failed", "Captured"], "Captured"),
    (["Failed", "Failed"], "Failed"),
    (["Captured", "Authorized"], "Mixed"),
    (["Refunded", "PartiallyRefunded", "Failed"], "Mixed"),
])
def test_payment_state_is_what_the_payments_share(statuses, state):
    assert payment_state(statuses) == state
