"""Back office > Order Management > Purchase Orders: list, filters, the order page and its
buttons (each through an orders service, recorded in the history)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mercato.core.events import Actor
from mercato.core.models import Event
from mercato.core.money import Money
from mercato.inventory.models import Stock
from mercato.orders.models import Order
from mercato.orders.services import cancel_order, hold_order
from mercato.payments.gateways import get_gateway
from mercato.payments.models import Payment
from mercato.payments.services import authorize_payment, capture_payment, create_payment
from tests.factories import UserFactory
from tests.orders.builders import make_quote, place
from tests.outbox import deliver_all

VISA = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"
STAFF = Actor("staff", "boss@example.com")
CHANGELIST = "admin:orders_order_changelist"


def pay(order: Order, *, card: str = VISA, amount: str | None = None) -> Payment:
    payment = create_payment(reference=order.number, method="card",
                             amount=Money(Decimal(amount) if amount else order.total,
                                          order.currency))
    token = get_gateway("test").tokenize_card(card, 12, 2030, "123")
    authorize_payment(payment_id=payment.public_id, token=token,
                      idempotency_key=f"auth-{payment.public_id}")
    payment.refresh_from_db()
    return payment


def page_url(order: Order) -> str:
    return reverse("admin:orders_order_change", args=[order.pk])


def act_url(order: Order, action: str) -> str:
    return reverse("admin:orders_order_act", args=[order.pk, action])


def listed(response) -> list[str]:
    return [order.number for order in response.context["cl"].result_list]


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def state(order: Order) -> tuple:
    """What an order action may change: the order, its payments, the events, the stock."""
    order.refresh_from_db()
    return (order.status,
            list(Payment.objects.filter(reference=order.number).values_list("status", flat=True)),
            Event.objects.count(),
            list(Stock.objects.order_by("pk").values_list("allocated", flat=True)))


@pytest.fixture
def staff_client(client, db):
    client.force_login(UserFactory(email="boss@example.com", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def quote(db):
    return make_quote()


@pytest.fixture
def order(quote):
    return place(quote, customer_id=UserFactory(email="ada@example.com").pk)


# --- the list -----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_list_shows_number_customer_status_payment_total_and_items(staff_client, order,
                                                                       quote):
    pay(order)
    guest = place(quote, email="guest@example.com")

    response = staff_client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    html = response.content.decode()
    assert listed(response) == [guest.number, order.number]
    assert "guest@example.com (guest)" in html and "ada@example.com" in html
    assert "InProgress" in html and "Authorized" in html and "No payment" in html
    assert f"€{order.total.quantize(Decimal('0.01'))}" in html
    items = {o.number: o.item_count for o in response.context["cl"].result_list}
    assert items == {order.number: 3, guest.number: 3}


@pytest.mark.django_db
def test_the_list_takes_the_same_queries_for_one_order_or_many(staff_client, order, quote):
    pay(order)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(reverse(CHANGELIST)).status_code == 200
        return len(captured)

    one = queries()
    for _ in range(3):
        other = place(quote)
        pay(other, card=DECLINED)
        pay(other)

    assert queries() == one


@pytest.mark.django_db
def test_the_list_filters_by_status(staff_client, order, quote):
    held = place(quote)
    hold_order(public_id=held.public_id, by=STAFF)

    response = staff_client.get(reverse(CHANGELIST), {"status__exact": "OnHold"})

    assert listed(response) == [held.number]


@pytest.mark.django_db
def test_the_list_filters_by_payment_state(staff_client, order, quote):
    authorized = order
    pay(authorized)
    captured = place(quote)
    capture_payment(payment_id=pay(captured).public_id, idempotency_key="c1")
    mixed = place(quote)
    pay(mixed, amount="10.00")
    capture_payment(payment_id=pay(mixed, amount="5.00").public_id, idempotency_key="c2")
    failed = place(quote)
    pay(failed, card=DECLINED)
    retried = place(quote)
    pay(retried, card=DECLINED)
    pay(retried)
    unpaid = place(quote)

    def filtered(state: str) -> set[str]:
        return set(listed(staff_client.get(reverse(CHANGELIST), {"payment": state})))

    assert filtered("Authorized") == {authorized.number, retried.number}
    assert filtered("Captured") == {captured.number}
    assert filtered("Mixed") == {mixed.number}
    assert filtered("Failed") == {failed.number}
    assert filtered("NoPayment") == {unpaid.number}
    assert filtered("Voided") == set()


@pytest.mark.django_db
def test_the_list_filters_by_total(staff_client, order):
    small = Order.objects.filter(pk=order.pk)
    assert order.total < 50

    assert listed(staff_client.get(reverse(CHANGELIST), {"total": "lt50"})) == [order.number]
    assert listed(staff_client.get(reverse(CHANGELIST), {"total": "gt200"})) == []
    small.update(total=Decimal("120.00"))
    assert listed(staff_client.get(reverse(CHANGELIST), {"total": "50-200"})) == [order.number]


@pytest.mark.django_db
def test_the_list_filters_by_date(staff_client, order, quote):
    older = place(quote)
    last_year = order.created_at - timedelta(days=400)
    Order.objects.filter(pk=older.pk).update(created_at=last_year)

    response = staff_client.get(reverse(CHANGELIST), {"created_at__year": last_year.year})

    assert listed(response) == [older.number]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["number", "email"])
def test_the_list_searches_by_number_and_email(staff_client, order, quote, query):
    other = place(quote, email="zed@example.org")

    term = other.number if query == "number" else "zed@example"
    response = staff_client.get(reverse(CHANGELIST), {"q": term})

    assert listed(response) == [other.number]


# --- the order page -----------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_order_page_shows_lines_addresses_totals_shipments_payments_and_history(
        staff_client, order):
    payment = pay(order)
    hold_order(public_id=order.public_id, by=STAFF, reason="address check")

    response = staff_client.get(page_url(order))

    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Shirt", "Red / M", "Mug", "€19.90", "Ten off", "Unter den Linden 1",
                 "Potsdam", "BERLIN", f"{order.number}-1", "Inventory", "2 x ",
                 "€4.90", payment.public_id, "Authorized", "authorize", "succeeded"):
        assert text in html, text
    history = [row["event"].type for row in response.context["history_rows"]]
    assert history[0] == "OrderPlaced"
    assert {"ShipmentCreated", "PaymentCreated", "PaymentTransactionRecorded",
            "OrderPutOnHold"} <= set(history)
    times = [row["event"].created_at for row in response.context["history_rows"]]
    assert times == sorted(times)
    assert "staff:boss@example.com" in html and "reason: address check" in html


@pytest.mark.django_db
def test_the_order_page_takes_the_same_queries_whatever_its_payments(staff_client, order,
                                                                     quote):
    pay(order)
    busy = place(quote)
    for amount in ("10.00", "5.00", "1.00"):
        pay(busy, amount=amount)

    def queries(of: Order) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(page_url(of)).status_code == 200
        return len(captured)

    assert queries(busy) == queries(order)


@pytest.mark.django_db
def test_the_order_page_offers_the_buttons_its_state_allows(staff_client, order, quote):
    pay(order)
    held = place(quote)
    hold_order(public_id=held.public_id, by=STAFF)
    cancelled = place(quote)
    cancel_order(public_id=cancelled.public_id, by=STAFF)

    def offered(of: Order) -> list[str]:
        response = staff_client.get(page_url(of))
        return [item["action"].name for item in response.context["order_actions"]]

    assert offered(order) == ["capture", "hold", "cancel"]
    assert offered(held) == ["release_hold", "cancel"]
    assert offered(cancelled) == []


@pytest.mark.django_db
def test_the_order_page_is_read_only(staff_client, order):
    response = staff_client.post(page_url(order), {"email": "eve@example.com"})

    assert response.status_code == 403
    order.refresh_from_db()
    assert order.email == "ada@example.com"
    assert staff_client.get(reverse("admin:orders_order_add")).status_code == 403


# --- the buttons --------------------------------------------------------------------------------

@pytest.mark.django_db
def test_capture_captures_the_authorized_payments_and_shows_in_the_history(staff_client, order):
    payment = pay(order)

    response = staff_client.post(act_url(order, "capture"), follow=True)

    payment.refresh_from_db()
    assert payment.status == "Captured"
    assert shown_messages(response) == [f"Captured 1 payment(s) of order {order.number}."]
    event = Event.objects.get(type="OrderPaymentCaptured")
    assert event.actor == "staff:boss@example.com"
    assert "OrderPaymentCaptured" in [row["event"].type
                                      for row in response.context["history_rows"]]


@pytest.mark.django_db
def test_hold_and_release_move_the_order_with_the_reason_given(staff_client, order):
    held = staff_client.post(act_url(order, "hold"), {"reason": "fraud check"}, follow=True)

    order.refresh_from_db()
    assert order.status == "OnHold"
    assert shown_messages(held) == [f"Order {order.number} is on hold."]
    event = Event.objects.get(type="OrderPutOnHold")
    assert (event.actor, event.payload["reason"]) == ("staff:boss@example.com", "fraud check")

    released = staff_client.post(act_url(order, "release_hold"), follow=True)

    order.refresh_from_db()
    assert order.status == "InProgress"
    assert Event.objects.get(type="OrderHoldReleased").actor == "staff:boss@example.com"
    history = [row["event"].type for row in released.context["history_rows"]]
    assert history[-2:] == ["OrderPutOnHold", "OrderHoldReleased"]


@pytest.mark.django_db
def test_cancel_cancels_releases_stock_voids_payments_and_records_the_reason(staff_client,
                                                                            order):
    payment = pay(order)
    assert sum(Stock.objects.values_list("allocated", flat=True)) == 3

    response = staff_client.post(act_url(order, "cancel"), {"reason": "customer asked"},
                                 follow=True)

    order.refresh_from_db()
    assert order.status == "Cancelled"
    assert sum(Stock.objects.values_list("allocated", flat=True)) == 0
    assert shown_messages(response) == [f"Order {order.number} is cancelled."]
    event = Event.objects.get(type="OrderCancelled")
    assert (event.actor, event.payload["reason"]) == ("staff:boss@example.com",
                                                      "customer asked")
    assert response.context["order_actions"] == []
    deliver_all()  # the worker voids the payment
    payment.refresh_from_db()
    assert payment.status == "Voided"
    page = staff_client.get(response.redirect_chain[-1][0])
    history = [row["event"].type for row in page.context["history_rows"]]
    assert {"OrderCancelled", "ShipmentCancelled", "OrderPaymentVoided"} <= set(history)


@pytest.mark.django_db
def test_cancel_without_a_reason_is_refused_and_changes_nothing(staff_client, order):
    pay(order)
    before = state(order)

    response = staff_client.post(act_url(order, "cancel"), {"reason": "  "}, follow=True)

    assert shown_messages(response) == ["Cancel order: please give a reason."]
    assert state(order) == before


@pytest.mark.django_db
def test_a_move_the_order_state_refuses_shows_its_message_and_changes_nothing(staff_client,
                                                                            order):
    cancel_order(public_id=order.public_id, by=STAFF)
    before = state(order)

    response = staff_client.post(act_url(order, "hold"), {"reason": "late"}, follow=True)

    assert response.status_code == 200
    assert shown_messages(response) == ["Cannot hold a order that is Cancelled."]
    assert state(order) == before


@pytest.mark.django_db
def test_capturing_a_cancelled_order_is_refused_and_changes_nothing(staff_client, order):
    pay(order)
    cancel_order(public_id=order.public_id, by=STAFF)
    before = state(order)

    response = staff_client.post(act_url(order, "capture"), follow=True)

    assert shown_messages(response) == [
        f"Cannot capture the payments of {order.number}: it is cancelled."]
    assert state(order) == before


@pytest.mark.django_db
def test_capture_with_nothing_authorized_says_so_and_changes_nothing(staff_client, order):
    before = state(order)

    response = staff_client.post(act_url(order, "capture"), follow=True)

    assert shown_messages(response) == ["There was no authorized payment to capture."]
    assert state(order) == before


@pytest.mark.django_db
def test_an_unknown_action_is_refused(staff_client, order):
    before = state(order)

    response = staff_client.post(act_url(order, "refund-everything"), follow=True)

    assert shown_messages(response) == ["Unknown action “refund-everything”."]
    assert state(order) == before


@pytest.mark.django_db
def test_buttons_only_post(staff_client, order):
    assert staff_client.get(act_url(order, "hold")).status_code == 405
    order.refresh_from_db()
    assert order.status == "InProgress"


@pytest.mark.django_db
def test_staff_who_may_only_view_orders_get_no_buttons_and_cannot_act(client, order):
    viewer = UserFactory(email="viewer@example.com", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_order"))
    client.force_login(viewer)
    before = state(order)

    page = client.get(page_url(order))
    refused = client.post(act_url(order, "hold"))

    assert page.status_code == 200 and page.context["order_actions"] == []
    assert refused.status_code == 403
    assert state(order) == before


def test_a_history_row_shows_the_facts_not_the_schema_version():
    from mercato.orders.admin import payload_summary

    event = Event(type="OrderPutOnHold", payload={"aggregate_id": "o1", "reason": "fraud check",
                                                  "schema_version": 1})
    assert payload_summary(event) == "reason: fraud check"
