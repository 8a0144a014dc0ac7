"""The accounting export: the orders placed in a date range as streamed CSV, through the
selector, the staff API (GET /api/v1/orders/export.csv) and the back office's form."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mercato.core.csv_download import csv_lines
from mercato.core.events import Actor
from mercato.core.models import Event
from mercato.core.money import Money
from mercato.orders.models import Order
from mercato.orders.rules import EXPORT_COLUMNS
from mercato.orders.selectors import order_export_rows, orders_for_export
from mercato.orders.services import hold_order
from mercato.payments.gateways import get_gateway
from mercato.payments.models import Payment
from mercato.payments.services import (
    authorize_payment,
    capture_payment,
    create_payment,
    refund_payment,
)
from tests.factories import ApiTokenFactory, UserFactory
from tests.orders.builders import make_quote, place

pytestmark = pytest.mark.django_db

STAFF = Actor("staff", "boss@example.com")
EXPORT = "/orders/export.csv"
MARCH = {"placed_from": "2025-03-01", "placed_to": "2025-03-31"}
VISA = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"


@pytest.fixture
def quote():
    return make_quote()


def placed_at(order: Order, when: datetime) -> Order:
    Order.objects.filter(pk=order.pk).update(created_at=when)
    order.refresh_from_db()
    return order


def march_order(quote, day: int, hour: int = 12, **kwargs) -> Order:
    return placed_at(place(quote, **kwargs), datetime(2025, 3, day, hour, tzinfo=UTC))


def pay(order: Order, *, card: str = VISA, amount: Decimal | None = None) -> Payment:
    payment = create_payment(reference=order.number, method="card",
                             amount=Money(amount or order.total, order.currency))
    token = get_gateway("test").tokenize_card(card, 12, 2030, "123")
    authorize_payment(payment_id=payment.public_id, token=token,
                      idempotency_key=f"auth-{payment.public_id}")
    return payment


def parsed(content: bytes | str) -> list[dict[str, str]]:
    text = content.decode() if isinstance(content, bytes) else content
    reader = csv.reader(io.StringIO(text))
    assert next(reader) == list(EXPORT_COLUMNS)
    return [dict(zip(EXPORT_COLUMNS, row, strict=True)) for row in reader]


def streamed(response) -> list[dict[str, str]]:
    assert response.streaming is True
    return parsed(b"".join(response.streaming_content))


def token_for(*, is_staff: bool = True, permissions: tuple[str, ...] = ()) -> str:
    user = UserFactory(is_staff=is_staff)
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(content_type__app_label="orders",
                                                         codename=codename))
    plain = f"export-token-{user.pk:04d}-abcdefghijklmnop"
    ApiTokenFactory(user=user, token=plain)
    return plain


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def accountant() -> str:
    return token_for(permissions=("view_order",))


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


# --- the selector ------------------------------------------------------------------------------

def test_only_orders_placed_on_the_days_are_exported_both_days_included(quote):
    before = placed_at(place(quote), datetime(2025, 2, 28, 23, 59, 59, tzinfo=UTC))
    first = placed_at(place(quote), datetime(2025, 3, 1, 0, 0, tzinfo=UTC))
    last = placed_at(place(quote), datetime(2025, 3, 31, 23, 59, 59, tzinfo=UTC))
    after = placed_at(place(quote), datetime(2025, 4, 1, 0, 0, tzinfo=UTC))

    numbers = [o.number for o in orders_for_export(placed_from=datetime(2025, 3, 1).date(),
                                                   placed_to=datetime(2025, 3, 31).date())]

    assert numbers == [first.number, last.number]
    assert before.number not in numbers and after.number not in numbers


def test_the_days_are_the_shops_in_its_time_zone(quote, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    # 23:30 UTC on 28 February is already 1 March in Berlin; 23:30 UTC on 31 March is 1 April.
    early = placed_at(place(quote), datetime(2025, 2, 28, 23, 30, tzinfo=UTC))
    late = placed_at(place(quote), datetime(2025, 3, 31, 23, 30, tzinfo=UTC))

    rows = parsed("".join(csv_lines(order_export_rows(
        placed_from=datetime(2025, 3, 1).date(), placed_to=datetime(2025, 3, 31).date()))))

    assert [row["number"] for row in rows] == [early.number]
    assert rows[0]["placed_at"] == "2025-03-01T00:30:00+01:00"
    assert late.number not in [row["number"] for row in rows]


def test_the_status_filter_keeps_only_orders_in_that_status(quote):
    march_order(quote, 2)
    held = march_order(quote, 3)
    hold_order(public_id=held.public_id, by=STAFF)

    numbers = [o.number for o in orders_for_export(
        placed_from=datetime(2025, 3, 1).date(), placed_to=datetime(2025, 3, 31).date(),
        status="OnHold")]

    assert numbers == [held.number]


def test_pages_of_orders_are_read_in_order_without_gaps_or_repeats(quote):
    # Two placed in the same instant: the keyset goes on by id.
    orders = [march_order(quote, day) for day in (1, 2, 2, 3, 4)]
    same_time = datetime(2025, 3, 2, 12, tzinfo=UTC)
    assert orders[1].created_at == orders[2].created_at == same_time

    numbers = [o.number for o in orders_for_export(
        placed_from=datetime(2025, 3, 1).date(), placed_to=datetime(2025, 3, 31).date(),
        page_size=2)]

    assert numbers == [o.number for o in orders]


def test_each_page_takes_four_queries_whatever_its_orders_payments(quote):
    # 6 orders in pages of 4: a full page, then a short one that ends the export.
    for day in range(1, 7):
        order = march_order(quote, day)
        pay(order, card=DECLINED)
        pay(order)

    with CaptureQueriesContext(connection) as captured:
        exported = list(orders_for_export(placed_from=datetime(2025, 3, 1).date(),
                                          placed_to=datetime(2025, 3, 31).date(),
                                          page_size=4))

    assert len(exported) == 6
    assert len(captured) == 2 * 4


def test_a_row_carries_billing_totals_and_what_the_ledger_captured_and_refunded(quote):
    order = march_order(quote, 5, email="ada@example.com")
    pay(order, card=DECLINED)  # a declined attempt: neither a method used nor money moved
    payment = pay(order)
    capture_payment(payment_id=payment.public_id, idempotency_key="capture-1")
    refund_payment(payment_id=payment.public_id, amount=Money("10.00", "EUR"),
                   idempotency_key="refund-1")

    [row] = parsed("".join(csv_lines(order_export_rows(
        placed_from=datetime(2025, 3, 1).date(), placed_to=datetime(2025, 3, 31).date()))))

    total = f"{order.total.quantize(Decimal('0.01'))}"
    assert row == {
        "number": order.number, "placed_at": "2025-03-05T12:00:00+00:00",
        "status": "InProgress", "email": "ada@example.com", "customer_name": "Ada Lovelace",
        "billing_country": "DE", "currency": "EUR",
        "subtotal": f"{order.subtotal.quantize(Decimal('0.01'))}",
        "discount": f"{order.discount_total.quantize(Decimal('0.01'))}",
        "delivery": f"{order.delivery_total.quantize(Decimal('0.01'))}",
        "tax": f"{order.tax_total.quantize(Decimal('0.01'))}", "total": total,
        "prices_include_tax": "true" if order.prices_include_tax else "false",
        "payment_status": "PartiallyRefunded", "payment_methods": "card", "captured": total,
        "refunded": "10.00",
    }


def test_an_order_without_payment_says_so_with_nothing_captured(quote):
    march_order(quote, 5)

    [exported] = orders_for_export(placed_from=datetime(2025, 3, 1).date(),
                                   placed_to=datetime(2025, 3, 31).date())

    assert (exported.payment_status, exported.payment_methods) == ("NoPayment", ())
    assert exported.captured == exported.refunded == 0


# --- the API -----------------------------------------------------------------------------------

def test_the_api_streams_the_csv_for_a_staff_member_who_may_view_orders(api, quote, accountant):
    first = march_order(quote, 1)
    order = march_order(quote, 5)
    placed_at(place(quote), datetime(2025, 4, 2, tzinfo=UTC))

    response = api.get(EXPORT, MARCH, **bearer(accountant))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="orders-2025-03-01-to-2025-03-31.csv"')
    rows = streamed(response)
    assert [row["number"] for row in rows] == [first.number, order.number]


def test_the_api_filters_by_status(api, quote, accountant):
    march_order(quote, 2)
    held = march_order(quote, 3)
    hold_order(public_id=held.public_id, by=STAFF)

    response = api.get(EXPORT, MARCH | {"status": "OnHold"}, **bearer(accountant))

    assert [row["number"] for row in streamed(response)] == [held.number]
    assert response["Content-Disposition"].endswith('-OnHold.csv"')


def test_an_empty_range_is_the_header_alone(api, accountant):
    response = api.get(EXPORT, MARCH, **bearer(accountant))

    assert response.status_code == 200 and streamed(response) == []


def test_without_a_token_the_export_is_401(api):
    assert_problem(api.get(EXPORT, MARCH), 401)
    assert_problem(api.get(EXPORT, MARCH, **bearer("no-such-token")), 401)


def test_a_customer_token_is_403(api):
    assert_problem(api.get(EXPORT, MARCH, **bearer(token_for(is_staff=False))), 403)


def test_staff_without_the_orders_view_permission_get_403(api):
    body = assert_problem(api.get(EXPORT, MARCH, **bearer(token_for())), 403)

    assert body["missing_permissions"] == ["orders.view_order"]


@pytest.mark.parametrize(("params", "field"), [
    ({"placed_from": "2025-02-30", "placed_to": "2025-03-31"}, "placed_from"),
    ({"placed_from": "01.03.2025", "placed_to": "2025-03-31"}, "placed_from"),
    ({"placed_from": "2025-03-01"}, "placed_to"),
    (MARCH | {"status": "Shipped"}, "status"),
])
def test_bad_dates_or_an_unknown_status_are_422(api, accountant, params, field):
    body = assert_problem(api.get(EXPORT, params, **bearer(accountant)), 422)

    assert body["type"].endswith("/invalid-input") and field in body["errors"]


def test_a_range_ending_before_it_starts_is_422(api, accountant):
    params = {"placed_from": "2025-03-31", "placed_to": "2025-03-01"}

    body = assert_problem(api.get(EXPORT, params, **bearer(accountant)), 422)

    assert body["type"].endswith("/invalid-date-range")
    assert body["errors"] == {"placed_to": ["Must not be before placed_from."]}


def test_the_export_does_not_hide_a_customers_order_page(api, quote):
    customer = UserFactory()
    order = place(quote, customer_id=customer.pk)
    token = f"customer-token-{customer.pk:04d}-abcdefghijklmnop"
    ApiTokenFactory(user=customer, token=token)

    assert api.get(f"/orders/{order.number}", **bearer(token)).json()["number"] == order.number
    assert api.get(EXPORT, MARCH, **bearer(token)).status_code == 403


def test_the_openapi_document_describes_a_csv_answer():
    from django.test import Client

    document = Client().get("/api/openapi.json").json()
    operation = document["paths"]["/api/v1/orders/export.csv"]["get"]

    assert list(operation["responses"]["200"]["content"]) == ["text/csv"]
    assert operation["security"] == [{"StaffAuth": []}]
    assert {p["name"]: p["required"] for p in operation["parameters"]} == {
        "placed_from": True, "placed_to": True, "status": False}
    assert {"401", "403", "422"} <= set(operation["responses"])


def test_exporting_changes_nothing(api, quote, accountant):
    march_order(quote, 5)
    events = Event.objects.count()

    streamed(api.get(EXPORT, MARCH, **bearer(accountant)))

    assert Event.objects.count() == events


# --- the back office ---------------------------------------------------------------------------

EXPORT_PAGE = "admin:orders_order_export"


def staff(client, *codenames: str):
    user = UserFactory(is_staff=True)
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(content_type__app_label="orders",
                                                         codename=codename))
    client.force_login(user)
    return client


def test_the_back_office_form_downloads_the_csv(client, quote):
    order = march_order(quote, 5)
    viewer = staff(client, "view_order")

    response = viewer.get(reverse(EXPORT_PAGE), MARCH | {"status": ""})

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="orders-2025-03-01-to-2025-03-31.csv"')
    assert [row["number"] for row in streamed(response)] == [order.number]


def test_the_back_office_form_is_shown_without_dates_and_linked_from_the_list(client):
    viewer = staff(client, "view_order")

    form = viewer.get(reverse(EXPORT_PAGE))
    listing = viewer.get(reverse("admin:orders_order_changelist"))

    assert form.status_code == 200 and 'id="order-export-form"' in form.content.decode()
    assert reverse(EXPORT_PAGE) in listing.content.decode()


def test_the_back_office_form_refuses_a_range_ending_before_it_starts(client):
    viewer = staff(client, "view_order")

    response = viewer.get(reverse(EXPORT_PAGE),
                          {"placed_from": "2025-03-31", "placed_to": "2025-03-01"})

    assert response.status_code == 200 and not response.streaming
    assert response.context["form"].errors == {
        "placed_to": ["The last day must not be before the first."]}


def test_the_back_office_export_needs_the_orders_view_permission(client):
    other = staff(client, "view_shipment")

    assert other.get(reverse(EXPORT_PAGE), MARCH).status_code == 403
