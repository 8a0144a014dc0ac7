"""Shipment processing: release, hold, pack, ship, confirm delivery, cancel a shipment.

Every shipment move locks the order row, then the shipment rows (by pk), then stock rows (by
pk), the order cancel_order uses. No move calls a gateway: the capture on shipping, the cash
collected on delivery and the refund of a parcel cancelled after a capture are made by
services.money when the outbox delivers the move's event (see there for what is captured or
refunded when parcels were cancelled), so the move stands whatever the provider answers.
The order's status follows its shipments.
"""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from mercato.core.events import Actor, record
from mercato.core.states import IllegalTransition, advance
from mercato.inventory.services import ship_stock
from mercato.orders import errors
from mercato.orders.events import (
    OrderCompleted,
    OrderPartiallyShipped,
    ShipmentDelivered,
    ShipmentHoldReleased,
    ShipmentPacked,
    ShipmentPutOnHold,
    ShipmentReleased,
    ShipmentShipped,
    ShipmentStatusChanged,
)
from mercato.orders.models import Order, Shipment
from mercato.orders.services.money import _captured
from mercato.orders.services.orders import _cancel_shipments, cancel_order
from mercato.orders.states import (
    ORDER_TRANSITIONS,
    SHIPMENT_TRANSITIONS,
    OrderStatus,
    ShipmentStatus,
)


def release_shipment(*, public_id: str, by: Actor) -> Shipment:
    """InventoryAssigned -> Released ("Released for Shipping"); refused (OrderOnHold,
    IllegalTransition) while the order is on hold or cancelled."""
    with transaction.atomic():
        order, shipment = _locked_shipment(public_id)
        _check_order_open(order, "release")
        _move_shipment(order, shipment, "release", ShipmentReleased, by=by)
    return shipment


def hold_shipment(*, public_id: str, by: Actor, reason: str = "") -> Shipment:
    """InventoryAssigned or Released -> OnHold; the shipment keeps its stock."""
    with transaction.atomic():
        order, shipment = _locked_shipment(public_id)
        _move_shipment(order, shipment, "hold", ShipmentPutOnHold, by=by, reason=reason)
    return shipment


def release_shipment_hold(*, public_id: str, by: Actor) -> Shipment:
    """OnHold -> InventoryAssigned: to be released for shipping again."""
    with transaction.atomic():
        order, shipment = _locked_shipment(public_id)
        _move_shipment(order, shipment, "release_hold", ShipmentHoldReleased, by=by)
    return shipment


def pack_shipments(*, public_ids: Sequence[str], by: Actor,
                   reference: str = "") -> list[Shipment]:
    """Released -> Packing for every shipment, or none (a picklist, `reference` its number):
    ShipmentNotFound, OrderOnHold or IllegalTransition name the first that cannot be packed."""
    wanted = list(dict.fromkeys(public_ids))
    if not wanted:
        raise errors.InvalidShipmentData("Choose at least one shipment.",
                                         errors={"shipments": ["Choose at least one."]})
    with transaction.atomic():
        found = dict(Shipment.objects.filter(public_id__in=wanted)
                     .values_list("public_id", "order_id"))
        missing = [p for p in wanted if p not in found]
        if missing:
            raise errors.ShipmentNotFound(f"There is no shipment {missing[0]}.",
                                          missing=missing)
        orders = Order.objects.select_for_update().order_by("pk").in_bulk(set(found.values()))
        locked = Shipment.objects.select_for_update().order_by("pk").in_bulk(
            wanted, field_name="public_id")
        shipments = [locked[p] for p in wanted]
        for shipment in shipments:
            _check_order_open(orders[shipment.order_id], "pack", shipment)
            _move_shipment(orders[shipment.order_id], shipment, "pack", ShipmentPacked, by=by,
                           reference=reference)
    return shipments


def mark_shipment_shipped(*, public_id: str, carrier: str, tracking_number: str,
                          tracking_url: str, weight_grams: int | None, by: Actor) -> Shipment:
    """Packing -> Shipped with its carrier and tracking; its units leave the stock (on hand and
    allocated go down); the order becomes PartiallyShipped or Completed; ShipmentShipped is
    recorded (notifications email the tracking link; the outbox has the order's Authorized
    payments captured, for less when parcels were cancelled). Refused while the order is on
    hold."""
    carrier, tracking_number = carrier.strip(), tracking_number.strip()
    problems = {}
    if not carrier:
        problems["carrier"] = ["This field is required."]
    if weight_grams is not None and weight_grams <= 0:
        problems["weight_grams"] = ["Must be a positive number of grams."]
    if problems:
        raise errors.InvalidShipmentData("Please correct the shipment data.", errors=problems)
    with transaction.atomic():
        order, shipment = _locked_shipment(public_id)
        _check_allowed(shipment, "ship")
        _check_order_open(order, "ship", shipment)
        old, new = advance(shipment, SHIPMENT_TRANSITIONS, "ship")
        shipment.carrier, shipment.tracking_number = carrier, tracking_number
        shipment.tracking_url, shipment.weight_grams = tracking_url.strip(), weight_grams
        shipment.shipped_at = timezone.now()
        shipment.save(update_fields=["status", "carrier", "tracking_number", "tracking_url",
                                     "weight_grams", "shipped_at"])
        ship_stock(allocations=shipment.lines.filter(stock__isnull=False).order_by("pk")
                   .values_list("stock_id", "quantity"), by=by, reference=order.public_id)
        record(ShipmentShipped(
            aggregate_id=order.public_id, shipment_id=shipment.public_id,
            number=shipment.number, old_status=old, new_status=new,
            warehouse=shipment.warehouse.code if shipment.warehouse else "", carrier=carrier,
            tracking_number=tracking_number, tracking_url=shipment.tracking_url,
            weight_grams=weight_grams, email=order.email), by=by)
        _follow_shipments(order, by=by)
    return shipment


def confirm_delivery(*, public_id: str, by: Actor) -> Shipment:
    """Record that a Shipped parcel was delivered (once); ShipmentDelivered has cash on delivery
    collected: the order's Pending cash-on-delivery payments are captured (marked paid)."""
    with transaction.atomic():
        order, shipment = _locked_shipment(public_id)
        if shipment.status != ShipmentStatus.SHIPPED or shipment.delivered_at is not None:
            state = "already delivered" if shipment.delivered_at else shipment.status
            raise IllegalTransition(f"Cannot confirm the delivery of {shipment.number}: it is "
                                    f"{state}.", action="deliver", current_status=state)
        shipment.delivered_at = timezone.now()
        shipment.save(update_fields=["delivered_at"])
        record(ShipmentDelivered(aggregate_id=order.public_id, shipment_id=shipment.public_id,
                                 number=shipment.number), by=by)
    return shipment


def cancel_shipment(*, public_id: str, by: Actor, reason: str = "") -> Shipment:
    """Cancel a shipment that has not shipped: its stock is released. If it was the order's
    last open shipment and nothing shipped, the order is cancelled (cancel_order: payments
    voided or refunded); if the rest has shipped, the order is Completed. Its value is then
    taken off the order's payments (ShipmentCancelled tells services.money whether to refund
    it or to capture less)."""
    with transaction.atomic():
        order, shipment = _locked_shipment(public_id)
        _check_allowed(shipment, "cancel")
        others = list(order.shipments.exclude(pk=shipment.pk).exclude(
            status=ShipmentStatus.CANCELLED).values_list("status", flat=True))
        if not others and order.status in ORDER_TRANSITIONS.moves["cancel"].source:
            cancel_order(public_id=order.public_id, by=by, reason=reason)
        else:
            _cancel_shipments(order=order, shipments=[shipment], by=by, reason=reason,
                              refund_value=_captured(order))
            _follow_shipments(order, by=by)
    shipment.refresh_from_db()
    return shipment


def _locked_shipment(public_id: str) -> tuple[Order, Shipment]:
    order_id = (Shipment.objects.filter(public_id=public_id)
                .values_list("order_id", flat=True).first())
    if order_id is None:
        raise errors.ShipmentNotFound("There is no such shipment.")
    order = Order.objects.select_for_update().get(pk=order_id)
    shipment = (Shipment.objects.select_for_update(of=("self",)).select_related("warehouse")
                .get(public_id=public_id))
    return order, shipment


def _check_order_open(order: Order, action: str, shipment: Shipment | None = None) -> None:
    """OnHold stops release, packing and shipping; a cancelled order has nothing to send."""
    what = f"{shipment.number} of order {order.number}" if shipment else \
        f"the shipments of order {order.number}"
    if order.status == OrderStatus.ON_HOLD:
        raise errors.OrderOnHold(f"Cannot {action} {what}: the order is on hold.",
                                 action=action, current_status=order.status)
    if order.status == OrderStatus.CANCELLED:
        raise IllegalTransition(f"Cannot {action} {what}: the order is cancelled.",
                                action=action, current_status=order.status)


def _check_allowed(shipment: Shipment, action: str) -> None:
    """IllegalTransition naming the shipment unless the table allows `action` from its status."""
    if shipment.status not in SHIPMENT_TRANSITIONS.moves[action].source:
        raise IllegalTransition(
            f"Cannot {action.replace('_', ' ')} shipment {shipment.number}: it is "
            f"{shipment.status}.", action=action, current_status=shipment.status,
            shipment=shipment.number)


def _move_shipment(order: Order, shipment: Shipment, action: str,
                   event: type[ShipmentStatusChanged], *, by: Actor, reason: str = "",
                   **details: str) -> None:
    """Apply `action` (IllegalTransition names the shipment, nothing changes), record it."""
    _check_allowed(shipment, action)
    old, new = advance(shipment, SHIPMENT_TRANSITIONS, action)
    shipment.save(update_fields=["status"])
    record(event(aggregate_id=order.public_id, shipment_id=shipment.public_id,
                 number=shipment.number, old_status=old, new_status=new, reason=reason,
                 **details), by=by)


def _follow_shipments(order: Order, *, by: Actor) -> None:
    """The order's status follows its shipments: Completed when every shipment not cancelled
    has shipped, PartiallyShipped when some have (an exchange completes when it ships)."""
    statuses = list(order.shipments.exclude(status=ShipmentStatus.CANCELLED)
                    .values_list("status", flat=True))
    shipped = [s for s in statuses if s == ShipmentStatus.SHIPPED]
    if not shipped:
        return
    if len(shipped) == len(statuses):
        action, event = ("exchange_shipped" if order.status == OrderStatus.AWAITING_EXCHANGE
                         else "complete"), OrderCompleted
    elif order.status == OrderStatus.IN_PROGRESS:
        action, event = "mark_partially_shipped", OrderPartiallyShipped
    else:
        return
    if order.status == ORDER_TRANSITIONS.moves[action].target:
        return
    old, new = advance(order, ORDER_TRANSITIONS, action)
    order.save(update_fields=["status"])
    record(event(aggregate_id=order.public_id, number=order.number, old_status=old,
                 new_status=new, reason=""), by=by)
