"""Warehouse use cases: picklists of released shipments and shipping a packed parcel.

Every shipment status move is an orders service (pack_shipments, mark_shipment_shipped); these
services choose and check what the warehouse asks for, then call them. The documents (picklist,
packing slip) are made in mercato.fulfilment.pdf and re-exported here.
"""

from collections.abc import Sequence

from django.db import transaction

from mercato.core.events import Actor, record
from mercato.core.ids import new_public_id
from mercato.core.states import IllegalTransition
from mercato.fulfilment.errors import (
    InvalidPicklistRequest,
    NothingToPick,
    ShipmentNotPickable,
    WarehouseNotFound,
)
from mercato.fulfilment.events import PicklistCreated
from mercato.fulfilment.models import Picklist, PicklistLine, PicklistShipment
from mercato.fulfilment.pdf import packing_slip_pdf, picklist_pdf
from mercato.fulfilment.rules import (
    MAX_PICKLIST_SHIPMENTS,
    check_weight,
    item_title,
    picklist_number,
    tracking_for,
)
from mercato.fulfilment.selectors import ORDER_STOPPED, pickable_shipment_ids
from mercato.inventory.models import Warehouse
from mercato.orders.errors import ShipmentNotFound
from mercato.orders.models import Shipment, ShipmentLine
from mercato.orders.services import mark_shipment_shipped, pack_shipments
from mercato.orders.states import ShipmentStatus

__all__ = ["create_picklist", "packing_slip_pdf", "picklist_pdf", "ship_shipment"]

PICK_ATTEMPTS = 3


def create_picklist(*, warehouse_id: int, shipment_ids: Sequence[str] | None = None,
                    next_n: int | None = None, by: Actor) -> Picklist:
    """A numbered picklist of released shipments of one warehouse, the chosen ones or the next
    N oldest (of orders not on hold); its shipments move to Packing, all or nothing.

    Nothing is locked while choosing: pack_shipments locks the shipments and refuses any that
    another picker took meanwhile (IllegalTransition, nothing changed). Chosen shipments then
    fail; "next N" tries again with the next ones, up to three times."""
    if (shipment_ids is None) == (next_n is None):
        raise InvalidPicklistRequest("Choose shipments or a number of them, not both.")
    wanted = len(shipment_ids) if shipment_ids is not None else next_n
    if isinstance(wanted, bool) or not isinstance(wanted, int) or not (
            0 < wanted <= MAX_PICKLIST_SHIPMENTS):
        raise InvalidPicklistRequest(
            f"A picklist holds 1 to {MAX_PICKLIST_SHIPMENTS} shipments.",
            errors={"next_n" if next_n is not None else "shipment_ids": [
                f"From 1 to {MAX_PICKLIST_SHIPMENTS}."]})
    for attempt in range(1, PICK_ATTEMPTS + 1):
        try:
            return _create_picklist(warehouse_id=warehouse_id, shipment_ids=shipment_ids,
                                    next_n=next_n, by=by)
        except IllegalTransition:
            if shipment_ids is not None or attempt == PICK_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _create_picklist(*, warehouse_id: int, shipment_ids: Sequence[str] | None,
                     next_n: int | None, by: Actor) -> Picklist:
    with transaction.atomic():
        warehouse = Warehouse.objects.filter(pk=warehouse_id).first()
        if warehouse is None:
            raise WarehouseNotFound("There is no such warehouse.")
        if shipment_ids is not None:
            public_ids = _chosen(warehouse=warehouse, public_ids=shipment_ids)
        else:
            public_ids = pickable_shipment_ids(warehouse_id=warehouse.pk, limit=next_n)
            if not public_ids:
                raise NothingToPick(f"{warehouse.name} has no released shipments to pick.")
        # The number comes from the row's id: unique and sequential without a counter row.
        picklist = Picklist.objects.create(number=new_public_id(), warehouse=warehouse,
                                           created_by=str(by))
        picklist.number = picklist_number(picklist.pk)
        picklist.save(update_fields=["number"])
        shipments = sorted(pack_shipments(public_ids=public_ids, by=by,
                                          reference=picklist.number), key=lambda s: s.pk)
        PicklistShipment.objects.bulk_create(
            PicklistShipment(picklist=picklist, shipment=shipment, position=position)
            for position, shipment in enumerate(shipments, start=1))
        lines = _snapshot_lines(picklist=picklist, shipments=shipments)
        record(PicklistCreated(
            aggregate_id=picklist.number, warehouse=warehouse.code,
            shipments=", ".join(shipment.number for shipment in shipments),
            shipment_count=len(shipments), units=sum(line.quantity for line in lines)), by=by)
    return picklist


def _chosen(*, warehouse: Warehouse, public_ids: Sequence[str]) -> list[str]:
    """The chosen shipments' public ids, oldest first, once each; refused (nothing changes)
    when one is unknown, of another warehouse, not Released, or of an order on hold."""
    wanted = list(dict.fromkeys(public_ids))
    shipments = list(Shipment.objects.filter(public_id__in=wanted).select_related("order")
                     .order_by("pk"))
    missing = set(wanted) - {shipment.public_id for shipment in shipments}
    if missing:
        raise ShipmentNotFound(f"There is no shipment {', '.join(sorted(missing))}.",
                               errors={"shipment_ids": sorted(missing)})
    problems = []
    for shipment in shipments:
        if shipment.warehouse_id != warehouse.pk:
            problems.append(f"{shipment.number} does not ship from {warehouse.name}.")
        elif shipment.status != ShipmentStatus.RELEASED:
            problems.append(f"{shipment.number} is {shipment.get_status_display()}, "
                            "not released for shipping.")
        elif shipment.order.status in ORDER_STOPPED:
            problems.append(f"{shipment.number}: its order is {shipment.order.status}.")
    if problems:
        raise ShipmentNotPickable(" ".join(problems), errors={"shipment_ids": problems})
    return [shipment.public_id for shipment in shipments]


def _snapshot_lines(*, picklist: Picklist, shipments: list[Shipment]) -> list[PicklistLine]:
    lines = (ShipmentLine.objects.filter(shipment__in=shipments)
             .select_related("order_line", "stock").order_by("shipment_id", "pk"))
    return PicklistLine.objects.bulk_create(
        PicklistLine(picklist=picklist, shipment_id=line.shipment_id, sku=line.order_line.sku,
                     title=item_title(title=line.order_line.product_title,
                                      variant_name=line.order_line.variant_name),
                     bin_location=line.stock.bin_location if line.stock is not None else "",
                     quantity=line.quantity)
        for line in lines)


def ship_shipment(*, public_id: str, carrier: str, tracking_number: str,
                  weight_grams: int | None, by: Actor) -> Shipment:
    """Record a packed parcel's carrier, tracking number, link and weight, and mark it shipped.

    The number's format and check digit are checked for UPS, USPS, FedEx and DHL (any other
    carrier is free text, without a link) before anything changes. The move itself is
    orders.mark_shipment_shipped: one transaction, then the order's authorized payments are
    captured after it commits, so call this outside any transaction of your own."""
    tracking = tracking_for(carrier=carrier, number=tracking_number)
    check_weight(weight_grams)
    return mark_shipment_shipped(public_id=public_id, carrier=tracking.carrier,
                                 tracking_number=tracking.number, tracking_url=tracking.url,
                                 weight_grams=weight_grams, by=by)
