"""Backorders and automatic release: stock allocated to AwaitingInventory shipments when it
arrives, and (MERCATO_RELEASE_MODE=on_payment) shipments released once the order is paid.

Lock order, as for every shipment move: the orders (by pk), then their shipments (by pk), then
stock rows (by pk).
"""

from collections.abc import Collection
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from mercato.core.events import Actor, record
from mercato.inventory.errors import OutOfStock
from mercato.inventory.models import Warehouse
from mercato.inventory.services import allocate_stock, lock_stock
from mercato.orders.events import ShipmentCreated, ShipmentInventoryAssigned, ShipmentReleased
from mercato.orders.models import Order, Shipment, ShipmentLine
from mercato.orders.rules import ADDRESS_FIELDS, format_shipment_number
from mercato.orders.services.shipments import _move_shipment
from mercato.orders.states import OrderStatus, ShipmentStatus
from mercato.payments.models import Payment, PaymentMethod
from mercato.payments.states import PaymentStatus

MANUAL_RELEASE = "manual"
RELEASE_ON_PAYMENT = "on_payment"
PAID = {PaymentStatus.AUTHORIZED, PaymentStatus.CAPTURED, PaymentStatus.PARTIALLY_REFUNDED}
OPEN_ORDER = {OrderStatus.IN_PROGRESS, OrderStatus.PARTIALLY_SHIPPED,
              OrderStatus.AWAITING_EXCHANGE}


def release_mode() -> str:
    """MERCATO_RELEASE_MODE: "manual" (staff release shipments) or "on_payment" (a shipment is
    released as soon as it has stock and the order's payments are authorized or captured;
    cash on delivery counts as arranged)."""
    return getattr(settings, "MERCATO_RELEASE_MODE", MANUAL_RELEASE)


def allocate_awaiting_shipments(*, variant_ids: Collection[int] | None = None,
                                by: Actor) -> list[Shipment]:
    """Allocate stock to AwaitingInventory shipments (of those variants), first come first
    served: oldest order first, each shipment whole or not at all. A shipment that cannot be
    filled blocks its variants for the later ones (they do not jump the queue). A shipment whose
    stock comes from several warehouses keeps the first warehouse's lines and the others move
    to new InventoryAssigned shipments of the order. Idempotent: run it whenever stock may have
    arrived (the inventory event handler does). Returns the shipments assigned or created."""
    with transaction.atomic():
        waiting = Shipment.objects.filter(status=ShipmentStatus.AWAITING_INVENTORY)
        if variant_ids is not None:
            waiting = waiting.filter(lines__order_line__variant_id__in=set(variant_ids))
        queue = list(waiting.distinct().order_by("order__created_at", "order_id", "pk")
                     .values_list("pk", "order_id"))
        if not queue:
            return []
        orders = Order.objects.select_for_update().order_by("pk").in_bulk(
            {order_id for _, order_id in queue})
        shipments = Shipment.objects.select_for_update().order_by("pk").in_bulk(
            [pk for pk, _ in queue])
        lines: dict[int, list[ShipmentLine]] = {}
        for line in ShipmentLine.objects.filter(shipment_id__in=shipments).select_related(
                "order_line").order_by("pk"):
            lines.setdefault(line.shipment_id, []).append(line)
        lock_stock(variant_ids={line.order_line.variant_id for rows in lines.values()
                                for line in rows if line.order_line.variant_id})
        done: list[Shipment] = []
        blocked: set[int] = set()
        for pk, order_id in queue:
            shipment, order = shipments[pk], orders[order_id]
            if shipment.status != ShipmentStatus.AWAITING_INVENTORY:
                continue
            assigned = _allocate_waiting(order=order, shipment=shipment,
                                         lines=lines.get(pk, []), blocked=blocked, by=by)
            done += assigned
            if assigned:
                done += _auto_release(order=order, by=by)
    return list(dict.fromkeys(done))


def release_paid_order(*, order_number: str, by: Actor) -> list[Shipment]:
    """With MERCATO_RELEASE_MODE=on_payment: release the order's InventoryAssigned shipments
    once its payments are authorized or captured (the payment event handler calls it).
    Does nothing in manual mode, for an order on hold or not yet paid."""
    if release_mode() != RELEASE_ON_PAYMENT:
        return []
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(number=order_number).first()
        if order is None:
            return []
        return _auto_release(order=order, by=by)


def _allocate_waiting(*, order: Order, shipment: Shipment, lines: list[ShipmentLine],
                      blocked: set[int], by: Actor) -> list[Shipment]:
    """Allocate one AwaitingInventory shipment whole, or leave it (and block its variants)."""
    stocked = [line for line in lines if line.order_line.variant_id]
    needs: dict[int, int] = {}
    for line in stocked:
        needs[line.order_line.variant_id] = needs.get(line.order_line.variant_id, 0) + \
            line.quantity
    if order.status == OrderStatus.CANCELLED or not needs or blocked & needs.keys():
        blocked |= needs.keys()
        return []
    try:
        with transaction.atomic():
            allocations = allocate_stock(groups=[(0, list(needs.items()))], by=by,
                                         reference=order.public_id,
                                         destinations={0: shipment.country})
    except OutOfStock:
        blocked |= needs.keys()
        return []
    warehouses = list(dict.fromkeys(a.warehouse_id for a in allocations))
    base = order.shipments.count()
    parcels = {warehouses[0]: shipment} | {
        warehouse_id: _extra_shipment(order=order, like=shipment, warehouse_id=warehouse_id,
                                      position=base + n)
        for n, warehouse_id in enumerate(warehouses[1:], start=1)}
    left = {id(a): a.quantity for a in allocations}
    new_lines = []
    for line in stocked:
        quantity = line.quantity
        for a in (a for a in allocations if a.variant_id == line.order_line.variant_id):
            part = min(quantity, left[id(a)])
            if part:
                left[id(a)] -= part
                quantity -= part
                new_lines.append(ShipmentLine(shipment=parcels[a.warehouse_id],
                                              order_line=line.order_line, stock_id=a.stock_id,
                                              quantity=part))
    ShipmentLine.objects.filter(pk__in=[line.pk for line in stocked]).delete()
    ShipmentLine.objects.bulk_create(new_lines)
    codes = dict(Warehouse.objects.filter(pk__in=warehouses).values_list("pk", "code"))
    shipment.warehouse_id = warehouses[0]
    shipment.save(update_fields=["warehouse"])
    for warehouse_id, parcel in parcels.items():
        summary = ", ".join(f"{line.quantity} x {line.order_line.sku}" for line in new_lines
                            if line.shipment is parcel)
        if parcel is not shipment:
            record(ShipmentCreated(
                aggregate_id=order.public_id, shipment_id=parcel.public_id,
                number=parcel.number, status=parcel.status, warehouse=codes[warehouse_id],
                delivery_method=parcel.delivery_method_code,
                delivery_amount=parcel.delivery_amount, lines=summary), by=by)
            continue
        _move_shipment(order, shipment, "assign", ShipmentInventoryAssigned, by=by,
                       warehouse=codes[warehouse_id], lines=summary)
    return list(parcels.values())


def _extra_shipment(*, order: Order, like: Shipment, warehouse_id: int,
                    position: int) -> Shipment:
    """A backordered shipment's part that another warehouse sends (no second delivery fee)."""
    return Shipment.objects.create(
        order=order, number=format_shipment_number(order_number=order.number,
                                                   position=position),
        status=ShipmentStatus.INVENTORY_ASSIGNED, warehouse_id=warehouse_id,
        delivery_method_code=like.delivery_method_code,
        delivery_method_name=like.delivery_method_name, delivery_amount=Decimal(0),
        **{name: getattr(like, name) for name in ADDRESS_FIELDS})


def _auto_release(*, order: Order, by: Actor) -> list[Shipment]:
    """on_payment mode: release the (locked) order's InventoryAssigned shipments if it is open
    and its payments are authorized or captured (cash on delivery: nothing to wait for)."""
    if release_mode() != RELEASE_ON_PAYMENT or order.status not in OPEN_ORDER:
        return []
    payments = list(Payment.objects.filter(reference=order.number)
                    .values_list("status", "method"))
    paid = payments and all(status in PAID or (method == PaymentMethod.CASH_ON_DELIVERY
                                               and status == PaymentStatus.PENDING)
                            for status, method in payments)
    if not paid:
        return []
    shipments = list(order.shipments.select_for_update().filter(
        status=ShipmentStatus.INVENTORY_ASSIGNED).order_by("pk"))
    for shipment in shipments:
        _move_shipment(order, shipment, "release", ShipmentReleased, by=by,
                       reason="payment received")
    return shipments
