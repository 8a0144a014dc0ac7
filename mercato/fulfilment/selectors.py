"""Reads for the warehouse pages, API and documents, each a bounded number of queries."""

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from mercato.fulfilment.errors import PicklistNotFound
from mercato.fulfilment.models import Picklist, PicklistLine, PicklistShipment
from mercato.inventory.models import Warehouse
from mercato.orders.errors import ShipmentNotFound
from mercato.orders.models import Shipment, ShipmentLine
from mercato.orders.states import OrderStatus, ShipmentStatus

LINES = Prefetch("lines", queryset=ShipmentLine.objects.select_related("order_line", "stock"))
# An order on hold or cancelled keeps its released shipments out of the warehouse's hands.
ORDER_STOPPED = (OrderStatus.ON_HOLD, OrderStatus.CANCELLED)


def warehouses() -> QuerySet[Warehouse]:
    """Every warehouse, active or not, in the order shipments are given to them."""
    return Warehouse.objects.order_by("priority", "code")


def released_shipments(warehouse_id: int | None = None) -> QuerySet[Shipment]:
    """Released for Shipping, oldest first, with order, warehouse and lines (3 queries).
    Includes shipments of orders put on hold after release (order.status tells)."""
    shipments = Shipment.objects.filter(status=ShipmentStatus.RELEASED)
    if warehouse_id is not None:
        shipments = shipments.filter(warehouse_id=warehouse_id)
    return (shipments.select_related("order", "warehouse").prefetch_related(LINES)
            .order_by("pk"))


def pickable_shipment_ids(*, warehouse_id: int, limit: int | None = None) -> list[str]:
    """Public ids of the warehouse's released shipments whose order is not stopped, oldest
    first: the "next N" a picklist takes."""
    ids = (Shipment.objects.filter(status=ShipmentStatus.RELEASED, warehouse_id=warehouse_id)
           .exclude(order__status__in=ORDER_STOPPED).order_by("pk")
           .values_list("public_id", flat=True))
    return list(ids[:limit] if limit is not None else ids)


def shipped_shipments(warehouse_id: int | None = None) -> QuerySet[Shipment]:
    """Shipped, most recent first, with order and warehouse."""
    shipments = Shipment.objects.filter(status=ShipmentStatus.SHIPPED)
    if warehouse_id is not None:
        shipments = shipments.filter(warehouse_id=warehouse_id)
    return shipments.select_related("order", "warehouse").order_by("-shipped_at", "-pk")


def picklists(warehouse_id: int | None = None) -> QuerySet[Picklist]:
    """Picklists, newest first, with their warehouse, shipment count and units (1 query)."""
    lists = Picklist.objects.all()
    if warehouse_id is not None:
        lists = lists.filter(warehouse_id=warehouse_id)
    # Subqueries, not joins: counting entries and summing lines over one join multiplies both.
    entries = (PicklistShipment.objects.filter(picklist=OuterRef("pk")).order_by()
               .values("picklist").annotate(count=Count("pk")).values("count"))
    units = (PicklistLine.objects.filter(picklist=OuterRef("pk")).order_by()
             .values("picklist").annotate(units=Sum("quantity")).values("units"))
    return lists.select_related("warehouse").annotate(
        shipment_count=Coalesce(Subquery(entries), 0), units=Coalesce(Subquery(units), 0),
    ).order_by("-created_at", "-pk")


def picklist_detail(number: str) -> Picklist:
    """The picklist with its warehouse, lines, and shipments (with order and lines), in
    picklist order as `picklist.entries.all()` (4 queries)."""
    picklist = (
        Picklist.objects.filter(number=number.strip()).select_related("warehouse")
        .prefetch_related(
            "lines",
            Prefetch("entries", queryset=PicklistShipment.objects.select_related(
                "shipment__order")),
            Prefetch("entries__shipment__lines",
                     queryset=ShipmentLine.objects.select_related("order_line")),
        ).first())
    if picklist is None:
        raise PicklistNotFound(f"There is no picklist {number}.")
    return picklist


def shipment_for_warehouse(public_id: str) -> Shipment:
    """One shipment with its order, warehouse and lines (with their stock), for its packing
    slip and the warehouse API (3 queries)."""
    shipment = (Shipment.objects.filter(public_id=public_id)
                .select_related("order", "warehouse").prefetch_related(LINES).first())
    if shipment is None:
        raise ShipmentNotFound("There is no such shipment.")
    return shipment
