"""Back office > Order Management > Returns: the lists by status, a return's page with its
buttons (approve, reject, receive, refund, ship replacement, complete, cancel) calling the
returns services, and the receiving receipts."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mercato.core.models import Event
from mercato.inventory.models import Stock, Warehouse
from mercato.orders.models import Order
from mercato.payments.models import Transaction
from mercato.returns.models import ReceivingReceipt, ReturnRefund, ReturnRequest
from mercato.returns.services import approve_return, request_return
from mercato.returns.states import ReturnStatus
from tests.factories import UserFactory, make_sellable_variant
from tests.orders.builders import make_quote, place
from tests.returns.builders import (
    CUSTOMER,
    STAFF,
    card,
    exchange_line,
    lines,
    refund_line,
    ship_all,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:returns_returnrequest_changelist"


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(email="boss@example.com", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def quote():
    return make_quote()


@pytest.fixture
def order(quote):
    return shipped(quote)


def shipped(quote) -> Order:
    """Another shipped order of the same quote, paid by card."""
    order = place(quote)
    card(order, order.total)
    ship_all(order)
    order.refresh_from_db()
    return order


def requested(order, *request_lines) -> ReturnRequest:
    """A customer's return, waiting for approval."""
    shirt, _ = lines(order)
    return request_return(order_number=order.number, lines=request_lines or [refund_line(shirt)],
                          by=CUSTOMER, email=order.email)


def approved(order, *request_lines) -> ReturnRequest:
    ret = request_return(order_number=order.number,
                         lines=request_lines or [refund_line(lines(order)[0])], by=STAFF)
    if ret.status == ReturnStatus.REQUESTED:
        approve_return(rma=ret.rma, by=STAFF)
    ret.refresh_from_db()
    return ret


def page(ret: ReturnRequest) -> str:
    return reverse("admin:returns_returnrequest_change", args=[ret.pk])


def act(ret: ReturnRequest, action: str) -> str:
    return reverse("admin:returns_returnrequest_act", args=[ret.pk, action])


def receive_data(ret: ReturnRequest, *, resellable: int, damaged: int = 0) -> dict:
    line = ret.lines.get()
    return {"warehouse": Warehouse.objects.get(code="main").pk,
            f"resellable-{line.pk}": resellable, f"damaged-{line.pk}": damaged}


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def status_of(ret: ReturnRequest) -> str:
    ret.refresh_from_db()
    return ret.status


# --- lists --------------------------------------------------------------------------------------

def test_the_section_lists_returns_by_status(staff_client, order):
    to_approve = requested(order)
    index = staff_client.get(reverse("admin:index"))
    section = next(app for app in index.context["app_list"] if app["name"] == "Order Management")
    entries = {model["name"]: model["admin_url"] for model in section["models"]}

    assert entries["Returns to Approve"] == reverse(CHANGELIST) + "?status__exact=Requested"
    assert entries["Awaiting Stock Return"] == (reverse(CHANGELIST)
                                                + "?status__exact=AwaitingStockReturn")
    assert entries["Receiving receipts"] == reverse(
        "admin:returns_receivingreceipt_changelist")

    response = staff_client.get(entries["Returns to Approve"])
    assert response.status_code == 200
    assert response.context["title"] == "Returns to Approve"
    assert [row.rma for row in response.context["cl"].result_list] == [to_approve.rma]
    assert staff_client.get(entries["Awaiting Stock Return"]).context["cl"].result_count == 0


def test_the_list_takes_the_same_queries_for_one_return_or_many(staff_client, quote):
    requested(shipped(quote))
    staff_client.get(reverse(CHANGELIST))
    with CaptureQueriesContext(connection) as one:
        staff_client.get(reverse(CHANGELIST))
    requested(shipped(quote))
    requested(shipped(quote))
    with CaptureQueriesContext(connection) as three:
        response = staff_client.get(reverse(CHANGELIST))

    assert response.context["cl"].result_count == 3
    assert len(three) == len(one)


# --- a return's page and its buttons ------------------------------------------------------------

def test_a_requested_return_offers_approve_reject_and_cancel(staff_client, order):
    ret = requested(order)

    response = staff_client.get(page(ret))

    assert response.status_code == 200
    assert [item["action"].name for item in response.context["return_actions"]] == [
        "approve", "reject", "cancel"]
    assert not response.context["receive_lines"]
    assert not response.context["can_refund"]
    assert ret.rma in response.content.decode()


def test_approving_moves_the_return_and_shows_in_its_history(staff_client, order):
    ret = requested(order)

    response = staff_client.post(act(ret, "approve"))

    assert response.status_code == 302
    assert status_of(ret) == ReturnStatus.AWAITING_STOCK_RETURN
    assert f"Return {ret.rma} is approved." in texts(response)
    history = staff_client.get(page(ret)).context["history_rows"]
    assert [row["event"].actor for row in history][-1] == "staff:boss@example.com"


def test_rejecting_records_the_reason(staff_client, order):
    ret = requested(order)

    staff_client.post(act(ret, "reject"), {"reason": "Outside the policy"})

    ret.refresh_from_db()
    assert (ret.status, ret.status_reason) == (ReturnStatus.REJECTED, "Outside the policy")


def test_an_action_the_status_refuses_changes_nothing(staff_client, order):
    ret = approved(order)
    events = Event.objects.count()

    response = staff_client.post(act(ret, "approve"))

    assert status_of(ret) == ReturnStatus.AWAITING_STOCK_RETURN
    assert Event.objects.count() == events
    assert texts(response)


def test_receiving_restocks_resellable_units_and_issues_the_receipt(staff_client, order):
    ret = approved(order, refund_line(lines(order)[0], quantity=2))
    stock = Stock.objects.get(variant_id=ret.lines.get().order_line.variant_id)
    on_hand = stock.on_hand
    assert staff_client.get(page(ret)).context["receive_lines"]

    response = staff_client.post(reverse("admin:returns_returnrequest_receive", args=[ret.pk]),
                                 receive_data(ret, resellable=1, damaged=1))

    assert response.status_code == 302, texts(response)
    assert status_of(ret) == ReturnStatus.AWAITING_COMPLETION
    receipt = ReceivingReceipt.objects.get(return_request=ret)
    assert sorted(receipt.lines.values_list("condition", "quantity")) == [
        ("damaged", 1), ("resellable", 1)]
    stock.refresh_from_db()
    assert stock.on_hand == on_hand + 1

    receipt_page = staff_client.get(reverse("admin:returns_receivingreceipt_change",
                                            args=[receipt.pk]))
    assert receipt_page.status_code == 200
    pdf = staff_client.get(reverse("admin:returns_receivingreceipt_pdf", args=[receipt.pk]))
    assert pdf["Content-Type"] == "application/pdf"


def test_receiving_nothing_or_garbage_changes_nothing(staff_client, order):
    ret = approved(order)
    url = reverse("admin:returns_returnrequest_receive", args=[ret.pk])
    events = Event.objects.count()

    empty = staff_client.post(url, receive_data(ret, resellable=0))
    garbage = staff_client.post(url, {**receive_data(ret, resellable=1),
                                      f"damaged-{ret.lines.get().pk}": "two"})

    assert any("Not received" in text for text in texts(empty))
    assert any("Not received" in text for text in texts(garbage))
    assert status_of(ret) == ReturnStatus.AWAITING_STOCK_RETURN
    assert (ReceivingReceipt.objects.count(), Event.objects.count()) == (0, events)


def test_refunding_pays_back_the_card(staff_client, order):
    ret = approved(order)

    response = staff_client.post(reverse("admin:returns_returnrequest_refund", args=[ret.pk]),
                                 {"amount": ""})

    assert response.status_code == 302
    refund = ReturnRefund.objects.get(return_request=ret)
    assert refund.succeeded and refund.amount > 0
    assert Transaction.objects.filter(pk=refund.transaction_id, kind="refund").exists()


def test_refunding_more_than_was_paid_is_refused(staff_client, order):
    ret = approved(order)

    response = staff_client.post(reverse("admin:returns_returnrequest_refund", args=[ret.pk]),
                                 {"amount": "100000"})
    typo = staff_client.post(reverse("admin:returns_returnrequest_refund", args=[ret.pk]),
                             {"amount": "ten"})

    assert texts(response) and "Not refunded" in texts(typo)[-1]
    assert not ReturnRefund.objects.exists()


def test_shipping_a_replacement_creates_its_shipment(staff_client, order):
    other = make_sellable_variant(price="19.90", on_hand=5)
    ret = approved(order, exchange_line(lines(order)[0], other.pk))
    assert staff_client.get(page(ret)).context["can_replace"]

    response = staff_client.post(reverse("admin:returns_returnrequest_replace", args=[ret.pk]))

    assert response.status_code == 302, texts(response)
    ret.refresh_from_db()
    assert ret.replacement_shipment is not None
    assert not staff_client.get(page(ret)).context["can_replace"]


def test_cancelling_a_return(staff_client, order):
    ret = approved(order)

    staff_client.post(act(ret, "cancel"), {"reason": "Customer kept it"})

    assert status_of(ret) == ReturnStatus.CANCELLED


def test_approving_selected_returns_from_the_list(staff_client, quote):
    first, second = requested(shipped(quote)), requested(shipped(quote))

    staff_client.post(reverse(CHANGELIST), {"action": "approve_selected",
                                            "_selected_action": [first.pk, second.pk]})

    assert {status_of(first), status_of(second)} == {ReturnStatus.AWAITING_STOCK_RETURN}


def test_the_instructions_print_as_a_pdf(staff_client, order):
    ret = approved(order)

    response = staff_client.get(reverse("admin:returns_returnrequest_instructions",
                                        args=[ret.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_customer_service_opens_a_return_for_an_order(staff_client, order):
    shirt, mug = lines(order)
    other = make_sellable_variant(price="19.90", on_hand=5)
    add = reverse("admin:returns_returnrequest_add")

    found = staff_client.get(add, {"order": order.number})
    response = staff_client.post(add, {
        "order_number": order.number, f"quantity-{mug.pk}": "1",
        f"reason-{mug.pk}": "faulty", f"resolution-{mug.pk}": "refund",
        f"quantity-{shirt.pk}": "1", f"reason-{shirt.pk}": "does_not_fit",
        f"resolution-{shirt.pk}": "exchange", f"exchange-{shirt.pk}": other.sku})

    assert [line.pk for line in found.context["order_lines"]] == [shirt.pk, mug.pk]
    assert response.status_code == 302, texts(response)
    ret = ReturnRequest.objects.get(order=order)
    assert ret.status == ReturnStatus.AWAITING_STOCK_RETURN
    assert sorted(ret.lines.values_list("order_line_id", "reason", "resolution",
                                        "exchange_variant_id")) == sorted([
        (shirt.pk, "does_not_fit", "exchange", other.pk),
        (mug.pk, "faulty", "refund", None)])


def test_opening_a_return_of_more_than_shipped_is_refused(staff_client, order):
    shirt, _ = lines(order)
    events = Event.objects.count()

    response = staff_client.post(reverse("admin:returns_returnrequest_add"), {
        "order_number": order.number, f"quantity-{shirt.pk}": "9",
        f"reason-{shirt.pk}": "faulty", f"resolution-{shirt.pk}": "refund"})

    assert response.status_code == 200
    assert any(text.startswith("Not opened") for text in texts(response))
    assert (ReturnRequest.objects.count(), Event.objects.count()) == (0, events)


def test_a_received_and_refunded_return_is_completed(staff_client, order):
    ret = approved(order)
    staff_client.post(reverse("admin:returns_returnrequest_receive", args=[ret.pk]),
                      receive_data(ret, resellable=1))
    staff_client.post(reverse("admin:returns_returnrequest_refund", args=[ret.pk]))

    response = staff_client.post(act(ret, "complete"))

    assert status_of(ret) == ReturnStatus.COMPLETE, texts(response)


def test_a_faulty_return_is_not_completed_without_its_receipt(staff_client, order):
    ret = approved(order, refund_line(lines(order)[0], reason="faulty"))
    staff_client.post(reverse("admin:returns_returnrequest_refund", args=[ret.pk]))
    events = Event.objects.count()

    response = staff_client.post(act(ret, "complete"))

    assert status_of(ret) == ReturnStatus.AWAITING_STOCK_RETURN
    assert Event.objects.count() == events
    assert texts(response)


def test_customer_service_edits_a_returns_lines(staff_client, order):
    shirt, mug = lines(order)
    ret = approved(order, refund_line(shirt, quantity=1))
    edit = reverse("admin:returns_returnrequest_edit", args=[ret.pk])

    form = staff_client.get(edit)
    response = staff_client.post(edit, {
        f"quantity-{shirt.pk}": "2", f"reason-{shirt.pk}": "faulty",
        f"resolution-{shirt.pk}": "refund", f"quantity-{mug.pk}": "0"})

    assert form.status_code == 200
    assert [row["current"] is not None for row in form.context["rows"]] == [True, False]
    assert response.status_code == 302, texts(response)
    assert list(ret.lines.values_list("order_line_id", "quantity", "reason")) == [
        (shirt.pk, 2, "faulty")]


def test_editing_a_return_to_more_than_shipped_changes_nothing(staff_client, order):
    shirt, _ = lines(order)
    ret = approved(order, refund_line(shirt, quantity=1))
    events = Event.objects.count()

    response = staff_client.post(reverse("admin:returns_returnrequest_edit", args=[ret.pk]), {
        f"quantity-{shirt.pk}": "7", f"reason-{shirt.pk}": "faulty",
        f"resolution-{shirt.pk}": "refund"})

    assert response.status_code == 200
    assert any(text.startswith("Not changed") for text in texts(response))
    assert list(ret.lines.values_list("quantity", flat=True)) == [1]
    assert Event.objects.count() == events


def test_the_orders_page_lists_its_returns(staff_client, order):
    ret = approved(order)

    html = staff_client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()

    assert 'id="order-returns"' in html and f'href="{page(ret)}"' in html
