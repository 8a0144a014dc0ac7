"""Moves of a whole order: hold, release of the hold, cancellation, capture of its payments.

Lock order: the order, then (cancel) its shipments by pk, then stock rows by pk — after the
stock rows and the order-number sequence row that placing takes. A cancellation calls no
gateway: its OrderCancelled event is delivered by the outbox to the settlement (services.money)
that voids or refunds the payments. The staff's capture calls the gateway with no order lock.
"""


from django.db import transaction

from mercato.core.events import Actor, record
from mercato.core.states import IllegalTransition, advance
from mercato.inventory.services import release_stock
from mercato.orders import errors
from mercato.orders.events import (
    OrderCancelled,
    OrderHoldReleased,
    OrderPaymentCaptured,
    OrderPutOnHold,
    OrderStatusChanged,
    ShipmentCancelled,
)
from mercato.orders.models import Order, Shipment, ShipmentLine
from mercato.orders.services.money import _payment_ids, _record_payment
from mercato.orders.states import (
    ORDER_TRANSITIONS,
    SHIPMENT_TRANSITIONS,
    OrderStatus,
    ShipmentStatus,
)
from mercato.payments.models import Transaction
from mercato.payments.services import capture_payment
from mercato.payments.states import PaymentStatus


def hold_order(*, public_id: str, by: Actor, reason: str = "") -> Order:
    """Stop the order (fraud check, customer request). Only the order's status moves: its
    shipments keep theirs, and fulfilment must not release those of an order on hold."""
    return _move(public_id=public_id, action="hold", event=OrderPutOnHold, by=by, reason=reason)


def release_hold(*, public_id: str, by: Actor, reason: str = "") -> Order:
    return _move(public_id=public_id, action="release_hold", event=OrderHoldReleased, by=by,
                 reason=reason)


def _move(*, public_id: str, action: str, event: type[OrderStatusChanged], by: Actor,
          reason: str) -> Order:
    """Lock the order, apply `action` (IllegalTransition leaves it unchanged), record `event`."""
    with transaction.atomic():
        order = _locked_order(public_id)
        old, new = advance(order, ORDER_TRANSITIONS, action)
        order.save(update_fields=["status"])
        record(event(aggregate_id=order.public_id, number=order.number, old_status=old,
                     new_status=new, reason=reason), by=by)
    return order


def _locked_order(public_id: str) -> Order:
    order = Order.objects.select_for_update().filter(public_id=public_id).first()
    if order is None:
        raise errors.OrderNotFound("There is no such order.")
    return order


def cancel_order(*, public_id: str, by: Actor, reason: str = "") -> Order:
    """Cancel an order none of whose shipments has shipped: release its allocated stock,
    cancel its shipments; OrderCancelled, delivered by the outbox, then has its payments voided
    (authorized) or refunded (captured) by services.money.settle_cancelled_order.

    Stock, shipments and status change in one transaction, which calls no gateway: the
    cancellation stands whatever the provider later answers. A refused void or refund is a
    failed transaction in the payment's ledger (and an event in the order's history) that staff
    retry from the payment; a payment still Pending (cash on delivery) has nothing to give
    back."""
    with transaction.atomic():
        order = _locked_order(public_id)
        old, new = advance(order, ORDER_TRANSITIONS, "cancel")
        shipments = list(order.shipments.select_for_update().order_by("pk"))
        shipped = [s.number for s in shipments if s.status == ShipmentStatus.SHIPPED]
        if shipped:
            raise errors.OrderAlreadyShipped(
                f"Cannot cancel order {order.number}: {', '.join(shipped)} has shipped.",
                action="cancel", status=old)
        _cancel_shipments(order=order, shipments=shipments, by=by, reason=reason)
        order.save(update_fields=["status"])
        record(OrderCancelled(aggregate_id=order.public_id, number=order.number, old_status=old,
                              new_status=new, reason=reason), by=by)
    return order


def _cancel_shipments(*, order: Order, shipments: list[Shipment], by: Actor,
                      reason: str = "", refund_value: bool = False) -> None:
    """Release the stock of the shipments not cancelled yet, then cancel them (`refund_value`:
    the order's payments were captured, so each parcel's value is refunded)."""
    open_shipments = [s for s in shipments if s.status != ShipmentStatus.CANCELLED]
    release_stock(
        allocations=ShipmentLine.objects.filter(shipment__in=open_shipments,
                                                stock__isnull=False)
        .order_by("pk").values_list("stock_id", "quantity"),
        by=by, reference=order.public_id)
    for shipment in open_shipments:
        old, new = advance(shipment, SHIPMENT_TRANSITIONS, "cancel")
        shipment.save(update_fields=["status"])
        record(ShipmentCancelled(aggregate_id=order.public_id, shipment_id=shipment.public_id,
                                 number=shipment.number, old_status=old, new_status=new,
                                 reason=reason, refund_value=refund_value), by=by)


def capture_order_payments(*, public_id: str, by: Actor) -> list[Transaction]:
    """Capture every Authorized payment of the order in full (idempotent per payment).

    No order lock is held while the gateway is called: a payment voided meanwhile by a
    cancellation is refused by its own lock in payments (IllegalTransition), and a cancellation
    that finds a payment captured refunds it."""
    order = Order.objects.filter(public_id=public_id).first()
    if order is None:
        raise errors.OrderNotFound("There is no such order.")
    if order.status == OrderStatus.CANCELLED:
        raise IllegalTransition(f"Cannot capture the payments of {order.number}: it is "
                                f"cancelled.", action="capture", status=order.status)
    captured = []
    for payment_id in _payment_ids(order, status=PaymentStatus.AUTHORIZED):
        txn = capture_payment(payment_id=payment_id, idempotency_key=f"capture:{payment_id}",
                              by=by)
        _record_payment(order=order, payment=txn.payment, txn=txn, event=OrderPaymentCaptured,
                        by=by)
        captured.append(txn)
    return captured
