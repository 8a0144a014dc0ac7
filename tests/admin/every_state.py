"""Orders, shipments and returns in every state that offers back-office buttons, so each
button of the order, shipment and return pages is drawn on some page."""

from django.db.models import Model

from mercato.orders.models import Order, Shipment
from mercato.orders.services import (
    hold_order,
    hold_shipment,
    pack_shipments,
    release_shipment,
)
from mercato.returns.models import ReturnRequest
from mercato.returns.services import ReceivedLine, receive_return, request_return
from tests.factories import make_sellable_variant
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


def paid_order(quote) -> Order:
    order = place(quote)
    card(order, order.total)
    return order


def shipment_of(order: Order) -> Shipment:
    return order.shipments.get()


def make_every_state() -> list[Model]:
    """Orders (in progress, on hold, completed), shipments (inventory assigned, released
    (one of an order on hold), packing, on hold, shipped) and returns (requested, awaiting
    stock, awaiting completion, an exchange for a dearer variant): the objects whose pages
    have buttons."""
    quote = make_quote()
    assigned, on_hold, released, packing, held, shipped, exchanged = (
        paid_order(quote) for _ in range(7))
    for order in (on_hold, released, packing):
        release_shipment(public_id=shipment_of(order).public_id, by=STAFF)
    pack_shipments(public_ids=[shipment_of(packing).public_id], by=STAFF)
    hold_order(public_id=on_hold.public_id, by=STAFF, reason="fraud check")
    hold_shipment(public_id=shipment_of(held).public_id, by=STAFF, reason="address check")
    for order in (shipped, exchanged):
        ship_all(order)

    shirt, mug = lines(shipped)
    requested = request_return(order_number=shipped.number, lines=[refund_line(shirt)],
                               by=CUSTOMER, email=shipped.email)
    awaiting_stock = request_return(order_number=shipped.number, lines=[refund_line(shirt)],
                                    by=STAFF)
    awaiting_completion = request_return(order_number=shipped.number, lines=[refund_line(mug)],
                                         by=STAFF)
    receive_return(rma=awaiting_completion.rma, warehouse_id=shipment_of(shipped).warehouse_id,
                   by=STAFF, lines=[ReceivedLine(
                       return_line_id=awaiting_completion.lines.get().public_id, quantity=1,
                       condition="resellable")])
    dearer = make_sellable_variant(price="25.00", on_hand=5)
    exchange = request_return(order_number=exchanged.number, by=STAFF,
                              lines=[exchange_line(lines(exchanged)[0], dearer.pk)])

    orders = [assigned, on_hold, shipped]
    shipments = [shipment_of(order)
                 for order in (assigned, on_hold, released, packing, held, shipped)]
    returns = [requested, awaiting_stock, awaiting_completion, exchange]
    for obj in (*orders, *shipments, *returns):
        obj.refresh_from_db()
    assert [ret.status for ret in ReturnRequest.objects.filter(
        pk__in=[ret.pk for ret in returns]).order_by("pk")] == [
        "Requested", "AwaitingStockReturn", "AwaitingCompletion", "AwaitingStockReturn"]
    return [*orders, *shipments, *returns]
