"""Exchanges: a replacement shipment through the normal flow, the order AwaitingExchange."""

from decimal import Decimal

import pytest

from mercato.core.models import Event
from mercato.core.states import IllegalTransition
from mercato.inventory.errors import OutOfStock
from mercato.inventory.models import Stock
from mercato.orders.models import Order
from mercato.returns import errors
from mercato.returns.services import (
    ReceivedLine,
    complete_return,
    receive_return,
    refund_due,
    refund_return,
    request_return,
    ship_replacement,
)
from mercato.returns.states import ReturnStatus
from tests.factories import make_sellable_variant
from tests.returns.builders import (
    STAFF,
    exchange_line,
    lines,
    refund_line,
    ship_all,
    shipped_order,
)

pytestmark = pytest.mark.django_db


def status(order: Order) -> str:
    return Order.objects.get(pk=order.pk).status


def test_exchange_only_ships_a_replacement_and_the_order_awaits_it():
    order = shipped_order()
    shirt, _ = lines(order)
    other = make_sellable_variant(price="19.90", on_hand=5)
    ret = request_return(order_number=order.number,
                         lines=[exchange_line(shirt, other.pk, 1)], by=STAFF)
    assert refund_due(ret) == Decimal(0)
    receive_return(rma=ret.rma, warehouse_id=ret.warehouse_id, by=STAFF,
                   lines=[ReceivedLine(ret.lines.get().public_id, 1, "resellable")])
    shipment = ship_replacement(rma=ret.rma, by=STAFF)
    assert shipment.number == f"{order.number}-2"
    assert [(sl.order_line.sku, sl.quantity, sl.order_line.gross)
            for sl in shipment.lines.all()] == [(other.sku, 1, Decimal(0))]
    assert Stock.objects.get(variant=other).allocated == 1
    assert status(order) == "AwaitingExchange"
    with pytest.raises(errors.ReturnNotSettled):
        complete_return(rma=ret.rma, by=STAFF)
    ship_all(order)  # and the worker completes the return once its replacement left
    assert status(order) == "Completed"
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.COMPLETE
    types = list(Event.objects.filter(aggregate_id=order.public_id)
                 .values_list("type", flat=True))
    assert {"ReplacementShipmentCreated", "OrderAwaitingExchange", "ReturnCompleted"} <= \
        set(types)


def test_mixed_return_refunds_one_line_and_replaces_the_other_with_a_cheaper_variant():
    order = shipped_order()
    shirt, mug = lines(order)
    cheaper = make_sellable_variant(price="14.90", on_hand=5)
    ret = request_return(order_number=order.number, by=STAFF, lines=[
        exchange_line(shirt, cheaper.pk, 1), refund_line(mug, 1)])
    # mug's paid 7.65 plus the price difference (19.90 - 14.90) of the exchanged shirt
    assert refund_due(ret) == Decimal("7.65") + Decimal("5.00")
    [txn] = refund_return(rma=ret.rma, by=STAFF)
    assert txn.amount == Decimal("12.65")
    ship_replacement(rma=ret.rma, by=STAFF)
    with pytest.raises(IllegalTransition):
        ship_replacement(rma=ret.rma, by=STAFF)
    ship_all(order)
    assert complete_return(rma=ret.rma, by=STAFF).status == ReturnStatus.COMPLETE


def test_replacement_out_of_stock_changes_nothing():
    order = shipped_order()
    other = make_sellable_variant(price="19.90", on_hand=0)
    ret = request_return(order_number=order.number, by=STAFF,
                         lines=[exchange_line(lines(order)[0], other.pk)])
    events = Event.objects.count()
    with pytest.raises(OutOfStock):
        ship_replacement(rma=ret.rma, by=STAFF)
    assert (Event.objects.count(), order.shipments.count(), status(order)) == (
        events, 1, "Completed")
