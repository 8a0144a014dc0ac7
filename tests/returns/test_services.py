"""Requesting, approving, receiving, completing and cancelling returns."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mercato.core.models import Event
from mercato.core.states import IllegalTransition
from mercato.inventory.models import Stock
from mercato.orders.models import Order, Shipment
from mercato.returns import errors
from mercato.returns.models import ReceivingReceipt, ReturnLine, ReturnRequest
from mercato.returns.services import (
    ReceivedLine,
    approve_return,
    cancel_return,
    complete_return,
    receive_return,
    refund_return,
    reject_return,
    request_return,
)
from mercato.returns.states import ReturnStatus
from tests.returns.builders import CUSTOMER, STAFF, lines, refund_line, shipped_order

pytestmark = pytest.mark.django_db


def snapshot() -> tuple:
    return (ReturnRequest.objects.count(), ReturnLine.objects.count(), Event.objects.count(),
            list(Stock.objects.order_by("pk").values_list("on_hand", "allocated")))


def on_hand(variant_id: int) -> int:
    return Stock.objects.get(variant_id=variant_id).on_hand


def test_customer_request_waits_for_approval_and_is_in_the_order_history():
    order = shipped_order()
    shirt, _ = lines(order)
    ret = request_return(order_number=order.number, lines=[refund_line(shirt)], by=CUSTOMER,
                         customer_id=None, email="ADA@example.com")
    assert ret.rma == f"RMA-{order.number}-1"
    assert ret.status == ReturnStatus.REQUESTED
    approve_return(rma=ret.rma, by=STAFF)
    assert ReturnRequest.objects.get(pk=ret.pk).status == ReturnStatus.AWAITING_STOCK_RETURN
    types = list(Event.objects.filter(aggregate_id=order.public_id)
                 .values_list("type", flat=True))
    assert types[-2:] == ["ReturnRequested", "ReturnApproved"]


def test_staff_return_is_approved_at_once(settings):
    order = shipped_order()
    ret = request_return(order_number=order.number, lines=[refund_line(lines(order)[0])],
                         by=STAFF)
    assert ret.status == ReturnStatus.AWAITING_STOCK_RETURN


def test_customer_return_without_approval_setting_starts_awaiting_stock(settings):
    settings.MERCATO_RETURNS_NEED_APPROVAL = False
    order = shipped_order()
    ret = request_return(order_number=order.number, lines=[refund_line(lines(order)[0])],
                         by=CUSTOMER, email=order.email)
    assert ret.status == ReturnStatus.AWAITING_STOCK_RETURN


def test_reject_closes_the_request_and_frees_its_quantity():
    order = shipped_order()
    shirt, _ = lines(order)
    ret = request_return(order_number=order.number, lines=[refund_line(shirt, 2)], by=CUSTOMER)
    reject_return(rma=ret.rma, by=STAFF, reason="Worn")
    assert ReturnRequest.objects.get(pk=ret.pk).status == ReturnStatus.REJECTED
    request_return(order_number=order.number, lines=[refund_line(shirt, 2)], by=CUSTOMER)


def test_partial_quantities_then_over_return_refused_and_nothing_changes():
    order = shipped_order()
    shirt, _ = lines(order)
    request_return(order_number=order.number, lines=[refund_line(shirt, 1)], by=STAFF)
    request_return(order_number=order.number, lines=[refund_line(shirt, 1)], by=STAFF)
    before = snapshot()
    with pytest.raises(errors.OverReturn):
        request_return(order_number=order.number, lines=[refund_line(shirt, 1)], by=STAFF)
    assert snapshot() == before


def test_someone_elses_order_is_not_found():
    order = shipped_order()
    before = snapshot()
    with pytest.raises(errors.OrderNotReturnable):
        request_return(order_number=order.number, lines=[refund_line(lines(order)[0])],
                       by=CUSTOMER, email="eve@example.com")
    with pytest.raises(errors.OrderNotReturnable):
        request_return(order_number=order.number, lines=[refund_line(lines(order)[0])],
                       by=CUSTOMER, customer_id=987654)
    assert snapshot() == before


def test_return_window_closed_is_refused(settings):
    settings.MERCATO_RETURN_WINDOW_DAYS = 30
    order = shipped_order()
    Shipment.objects.filter(order=order).update(
        shipped_at=timezone.now() - timedelta(days=31))
    with pytest.raises(errors.ReturnWindowClosed):
        request_return(order_number=order.number, lines=[refund_line(lines(order)[0])],
                       by=STAFF)


def test_unshipped_lines_cannot_be_returned():
    from tests.orders.builders import make_quote, place
    order = place(make_quote())
    with pytest.raises(errors.InvalidReturn):
        request_return(order_number=order.number,
                       lines=[refund_line(order.lines.first())], by=STAFF)


def test_receiving_restocks_resellable_units_only_and_issues_the_receipt():
    order = shipped_order()
    shirt, mug = lines(order)
    ret = request_return(order_number=order.number,
                         lines=[refund_line(shirt, 2), refund_line(mug, 1)], by=STAFF)
    shirt_line, mug_line = ret.lines.order_by("id")
    warehouse_id = Shipment.objects.filter(order=order).first().warehouse_id
    shirt_before, mug_before = on_hand(shirt.variant_id), on_hand(mug.variant_id)
    receipt = receive_return(rma=ret.rma, warehouse_id=warehouse_id, by=STAFF, lines=[
        ReceivedLine(shirt_line.public_id, 1, "resellable"),
        ReceivedLine(shirt_line.public_id, 1, "damaged"),
        ReceivedLine(mug_line.public_id, 1, "damaged")])
    assert receipt.number == ret.rma.replace("RMA-", "RR-")
    assert on_hand(shirt.variant_id) == shirt_before + 1
    assert on_hand(mug.variant_id) == mug_before
    assert ReturnRequest.objects.get(pk=ret.pk).status == ReturnStatus.AWAITING_COMPLETION
    event = Event.objects.filter(type="ReturnReceived").get()
    assert (event.payload["resellable_units"], event.payload["damaged_units"]) == (1, 2)


def test_receiving_more_than_was_returned_is_refused_and_nothing_changes():
    order = shipped_order()
    ret = request_return(order_number=order.number, lines=[refund_line(lines(order)[0], 1)],
                         by=STAFF)
    before = snapshot()
    with pytest.raises(errors.OverReturn):
        receive_return(rma=ret.rma, warehouse_id=ret.warehouse_id, by=STAFF,
                       lines=[ReceivedLine(ret.lines.get().public_id, 2, "resellable")])
    assert snapshot() == before
    assert not ReceivingReceipt.objects.exists()


def test_faulty_product_return_needs_its_receiving_receipt_to_complete():
    order = shipped_order()
    ret = request_return(order_number=order.number,
                         lines=[refund_line(lines(order)[1], 1, reason="faulty")], by=STAFF)
    refund_return(rma=ret.rma, by=STAFF)
    with pytest.raises(errors.ReceiptRequired):
        complete_return(rma=ret.rma, by=STAFF)
    assert ReturnRequest.objects.get(pk=ret.pk).status == ReturnStatus.AWAITING_STOCK_RETURN
    receive_return(rma=ret.rma, warehouse_id=ret.warehouse_id, by=STAFF,
                   lines=[ReceivedLine(ret.lines.get().public_id, 1, "damaged")])
    # refunded before the goods came back: receiving them completes the return by itself
    assert ReturnRequest.objects.get(pk=ret.pk).status == ReturnStatus.COMPLETE


def test_non_faulty_return_completes_once_refunded_without_goods_back():
    order = shipped_order()
    ret = request_return(order_number=order.number, lines=[refund_line(lines(order)[1])],
                         by=STAFF)
    with pytest.raises(errors.ReturnNotSettled):
        complete_return(rma=ret.rma, by=STAFF)
    refund_return(rma=ret.rma, by=STAFF)
    assert complete_return(rma=ret.rma, by=STAFF).status == ReturnStatus.COMPLETE


def test_cancel_open_return_but_not_after_a_refund():
    order = shipped_order()
    shirt, mug = lines(order)
    first = request_return(order_number=order.number, lines=[refund_line(shirt)], by=STAFF)
    assert cancel_return(rma=first.rma, by=STAFF, reason="Kept it").status == \
        ReturnStatus.CANCELLED
    second = request_return(order_number=order.number, lines=[refund_line(mug)], by=STAFF)
    refund_return(rma=second.rma, by=STAFF)
    with pytest.raises(IllegalTransition):
        cancel_return(rma=second.rma, by=STAFF)
    assert Order.objects.get(pk=order.pk).status == "Completed"


def test_staff_edit_lines_before_receiving_within_what_is_returnable():
    from mercato.returns.services import update_return_lines
    order = shipped_order()
    shirt, mug = lines(order)
    ret = request_return(order_number=order.number, lines=[refund_line(shirt, 1)], by=CUSTOMER)
    update_return_lines(rma=ret.rma, by=STAFF,
                        lines=[refund_line(shirt, 2), refund_line(mug, 1)])
    assert sorted(ret.lines.values_list("quantity", flat=True)) == [1, 2]
    with pytest.raises(errors.OverReturn):
        update_return_lines(rma=ret.rma, by=STAFF, lines=[refund_line(shirt, 3)])
    approve_return(rma=ret.rma, by=STAFF)
    receive_return(rma=ret.rma, warehouse_id=ret.warehouse_id, by=STAFF,
                   lines=[ReceivedLine(ret.lines.first().public_id, 1, "resellable")])
    with pytest.raises(IllegalTransition):
        update_return_lines(rma=ret.rma, by=STAFF, lines=[refund_line(shirt, 1)])
