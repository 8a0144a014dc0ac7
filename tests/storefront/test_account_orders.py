"""Account pages: order history, order detail, and the guest order lookup."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mercato.core.money import Money
from mercato.orders.models import Order
from mercato.orders.rules import ShipmentPlan
from mercato.orders.services import place_order
from mercato.payments.gateways import get_gateway
from mercato.payments.models import Payment
from mercato.payments.services import authorize_payment, create_payment
from tests.factories import UserFactory
from tests.orders.builders import ADDRESS, SHOPPER, express, make_quote, place

pytestmark = pytest.mark.django_db
NOT_FOUND = "There is no order with this number and email."


@pytest.fixture
def customer(client):
    customer = UserFactory(email="ada@example.com")
    client.force_login(customer)
    return customer


@pytest.fixture
def quote():
    return make_quote()


def pay(order: Order, *, card: str = "4242 4242 4242 4242") -> Payment:
    """A card payment of the whole order, authorized by the test gateway."""
    payment = create_payment(reference=order.number, method="card",
                             amount=Money(order.total, order.currency))
    token = get_gateway("test").tokenize_card(card, 12, 2030, "123")
    authorize_payment(payment_id=payment.public_id, token=token,
                      idempotency_key=f"auth-{payment.public_id}")
    return payment


def split_order(quote, *, customer_id: int | None = None) -> Order:
    """The shirts to Ada (standard delivery), the mug to Charles (express)."""
    plans = [ShipmentPlan(ADDRESS, quote.delivery, ((0, quote.lines[0].quantity),)),
             ShipmentPlan(ADDRESS | {"first_name": "Charles"}, express(quote),
                          ((1, quote.lines[1].quantity),))]
    return place_order(quote=quote, customer_id=customer_id, email="ada@example.com",
                       billing_address=ADDRESS, shipments=plans, by=SHOPPER)


def queries_of(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


# --- order history -------------------------------------------------------------------------------

def test_my_orders_lists_only_mine_newest_first(client, customer, quote):
    first = place(quote, customer_id=customer.pk)
    second = place(quote, customer_id=customer.pk)
    theirs = place(quote, customer_id=UserFactory().pk)
    pay(first)

    page = client.get("/account/orders/").content.decode()

    assert page.index(second.number) < page.index(first.number)
    assert theirs.number not in page
    assert "Authorized, not charged yet" in page and "No payment" in page
    assert "Processing" in page and "In Progress" not in page
    assert "€" in page and str(first.total.quantize(Decimal("0.01"))) in page


def test_the_account_overview_shows_recent_orders(client, customer, quote):
    order = place(quote, customer_id=customer.pk)

    page = client.get("/account/").content.decode()

    assert f'href="/account/orders/{order.number}/"' in page
    assert "ada@example.com" in page


def test_orders_are_paged(client, customer, quote, monkeypatch):
    monkeypatch.setattr("mercato.storefront.views.account.ORDERS_PAGE_SIZE", 2)
    numbers = [place(quote, customer_id=customer.pk).number for _ in range(3)]

    first_page = client.get("/account/orders/").content.decode()
    second_page = client.get("/account/orders/?page=2").content.decode()

    assert numbers[2] in first_page and numbers[0] not in first_page
    assert numbers[0] in second_page and 'rel="prev"' in second_page
    assert client.get("/account/orders/?page=3").status_code == 404


def test_order_pages_need_login(client):
    assert client.get("/account/orders/MRC-100001/")["Location"] == (
        "/account/login/?next=/account/orders/MRC-100001/")


# --- order detail --------------------------------------------------------------------------------

def test_order_detail_shows_lines_totals_addresses_shipments_and_payments(client, customer,
                                                                         quote):
    order = split_order(quote, customer_id=customer.pk)
    pay(order)

    response = client.get(f"/account/orders/{order.number}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert f'<span data-testid="order-number">{order.number}</span>' in page
    for text in ("Shirt", "Red / M", "Mug", "Ten off", "Unter den Linden 1", "Charles",
                 "Express", f"Shipment {order.number}-1", f"Shipment {order.number}-2",
                 "Preparing", "Card", "Authorized, not charged yet"):
        assert text in page, text
    assert "€" in page


def test_another_customers_order_is_not_found(client, customer, quote):
    theirs = place(quote, customer_id=UserFactory().pk, email="bob@example.com")

    assert client.get(f"/account/orders/{theirs.number}/").status_code == 404
    assert client.get("/account/orders/MRC-999999/").status_code == 404


def test_order_pages_read_a_bounded_number_of_queries(client, customer, quote):
    one = split_order(quote, customer_id=customer.pk)
    pay(one)
    list_queries = queries_of(client, "/account/orders/")
    detail_queries = queries_of(client, f"/account/orders/{one.number}/")

    for _ in range(4):
        pay(split_order(quote, customer_id=customer.pk))
    many = split_order(quote, customer_id=customer.pk)
    pay(many)
    pay(many)

    assert queries_of(client, "/account/orders/") == list_queries
    assert queries_of(client, f"/account/orders/{many.number}/") == detail_queries
    # session, user and the layout's cart count, then the selectors' (3 for a page, 8 an order
    # and 1 for its parcels' tracking events)
    assert list_queries <= 7 and detail_queries <= 12


# --- guest lookup --------------------------------------------------------------------------------

def test_a_guest_finds_the_order_by_number_and_email(client, quote):
    order = place(quote, email="guest@example.com")

    form = client.get("/orders/lookup/").content.decode()
    assert '<label for="id_number">' in form and '<label for="id_email">' in form
    response = client.post("/orders/lookup/", {"number": f" {order.number} ",
                                               "email": "Guest@Example.com"})

    page = response.content.decode()
    assert response.status_code == 200
    assert f'<span data-testid="order-number">{order.number}</span>' in page
    assert "Unter den Linden 1" in page and "Shirt" in page


def test_a_wrong_number_or_email_get_the_same_message(client, quote):
    order = place(quote, email="guest@example.com")

    wrong_email = client.post("/orders/lookup/", {"number": order.number,
                                                  "email": "other@example.com"})
    wrong_number = client.post("/orders/lookup/", {"number": "MRC-999999",
                                                   "email": "guest@example.com"})

    for response in (wrong_email, wrong_number):
        page = response.content.decode()
        assert response.status_code == 200
        assert NOT_FOUND in page
        assert "Unter den Linden" not in page and "data-testid=\"order-number\"" not in page


def test_the_guest_lookup_reads_a_bounded_number_of_queries(client, quote,
                                                           django_assert_max_num_queries):
    order = split_order(quote)
    pay(order)

    with django_assert_max_num_queries(9):
        response = client.post("/orders/lookup/", {"number": order.number,
                                                   "email": "ada@example.com"})
    assert response.status_code == 200
