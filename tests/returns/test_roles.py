"""Returns permissions by role: Customer Service approves and refunds, the Warehouse receives;
each refused button answers 403 and changes nothing."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from mercato.core.models import Event
from mercato.fulfilment.roles import CUSTOMER_SERVICE, MERCHANDISER, WAREHOUSE
from mercato.inventory.models import Stock, Warehouse
from mercato.returns.models import ReceivingReceipt, ReturnRefund, ReturnRequest
from mercato.returns.services import approve_return, request_return
from mercato.returns.states import ReturnStatus
from tests.factories import UserFactory
from tests.returns.builders import CUSTOMER, STAFF, lines, refund_line, shipped_order

pytestmark = pytest.mark.django_db


def names(role: str) -> set[str]:
    return {f"{app}.{codename}" for app, codename in Group.objects.get(name=role)
            .permissions.values_list("content_type__app_label", "codename")}


def staff_in(client, role: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return client


def snapshot() -> tuple:
    return (list(ReturnRequest.objects.order_by("id").values_list("status", flat=True)),
            ReceivingReceipt.objects.count(), ReturnRefund.objects.count(),
            Event.objects.count(), list(Stock.objects.order_by("id").values_list("on_hand")))


@pytest.fixture
def order():
    return shipped_order()


@pytest.fixture
def requested(order) -> ReturnRequest:
    return request_return(order_number=order.number, lines=[refund_line(lines(order)[0])],
                          by=CUSTOMER, email=order.email)


@pytest.fixture
def awaiting_stock(order) -> ReturnRequest:
    ret = request_return(order_number=order.number, lines=[refund_line(lines(order)[0])],
                         by=STAFF)
    if ret.status == ReturnStatus.REQUESTED:
        approve_return(rma=ret.rma, by=STAFF)
    ret.refresh_from_db()
    return ret


def approve_url(ret: ReturnRequest) -> str:
    return reverse("admin:returns_returnrequest_act", args=[ret.pk, "approve"])


def refund_url(ret: ReturnRequest) -> str:
    return reverse("admin:returns_returnrequest_refund", args=[ret.pk])


def receive(client, ret: ReturnRequest):
    line = ret.lines.get()
    return client.post(reverse("admin:returns_returnrequest_receive", args=[ret.pk]),
                       {"warehouse": Warehouse.objects.get(code="main").pk,
                        f"resellable-{line.pk}": line.quantity})


def test_the_roles_hold_their_returns_permissions():
    customer_service, warehouse = names(CUSTOMER_SERVICE), names(WAREHOUSE)

    assert {"returns.view_returnrequest", "returns.add_returnrequest",
            "returns.change_returnrequest", "orders.change_order"} <= customer_service
    assert "returns.add_receivingreceipt" not in customer_service
    assert {"returns.view_returnrequest", "returns.view_receivingreceipt",
            "returns.add_receivingreceipt"} <= warehouse
    assert "returns.change_returnrequest" not in warehouse
    assert not {name for name in names(MERCHANDISER) if name.startswith("returns.")}


def test_customer_service_approves_and_refunds(client, requested):
    staff_in(client, CUSTOMER_SERVICE)

    page = client.get(reverse("admin:returns_returnrequest_change", args=[requested.pk]))
    client.post(approve_url(requested))
    requested.refresh_from_db()
    refunded = client.post(refund_url(requested))

    assert [item["action"].name for item in page.context["return_actions"]] == [
        "approve", "reject", "cancel"]
    assert requested.status == ReturnStatus.AWAITING_STOCK_RETURN
    assert refunded.status_code == 302
    assert ReturnRefund.objects.filter(return_request=requested, succeeded=True).exists()


def test_customer_service_may_not_receive(client, awaiting_stock):
    staff_in(client, CUSTOMER_SERVICE)
    page = client.get(reverse("admin:returns_returnrequest_change", args=[awaiting_stock.pk]))
    before = snapshot()

    response = receive(client, awaiting_stock)

    assert not page.context["receive_lines"]
    assert response.status_code == 403
    assert snapshot() == before


def test_the_warehouse_receives(client, awaiting_stock):
    staff_in(client, WAREHOUSE)
    page = client.get(reverse("admin:returns_returnrequest_change", args=[awaiting_stock.pk]))

    response = receive(client, awaiting_stock)

    assert page.context["receive_lines"]
    assert page.context["return_actions"] == [] and not page.context["can_refund"]
    assert response.status_code == 302
    awaiting_stock.refresh_from_db()
    assert awaiting_stock.status == ReturnStatus.AWAITING_COMPLETION


def test_the_warehouse_may_not_approve_refund_replace_cancel_or_edit(client, requested,
                                                                awaiting_stock):
    staff_in(client, WAREHOUSE)
    before = snapshot()

    responses = [
        client.post(approve_url(requested)),
        client.post(refund_url(awaiting_stock)),
        client.post(reverse("admin:returns_returnrequest_replace", args=[awaiting_stock.pk])),
        client.post(reverse("admin:returns_returnrequest_act",
                            args=[awaiting_stock.pk, "cancel"])),
        client.post(reverse("admin:returns_returnrequest_edit", args=[awaiting_stock.pk])),
        client.get(reverse("admin:returns_returnrequest_add")),
    ]

    assert [response.status_code for response in responses] == [403] * 6
    assert snapshot() == before


def test_merchandisers_do_not_see_returns(client, requested):
    staff_in(client, MERCHANDISER)

    listed = client.get(reverse("admin:returns_returnrequest_changelist"))
    approved = client.post(approve_url(requested))

    assert (listed.status_code, approved.status_code) == (403, 403)
    requested.refresh_from_db()
    assert requested.status == ReturnStatus.REQUESTED
