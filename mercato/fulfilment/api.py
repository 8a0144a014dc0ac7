"""Warehouse API for a warehouse app, scanner or WMS: released shipments, picklists, shipping.

Callers are staff: a bearer token of an active user with is_staff (POST /api/v1/auth/tokens
with their back-office email and password). Each endpoint then needs the same Django
permission as the matching back-office action, so the Warehouse role can use it and a role
without fulfilment permissions gets 403. No token or a bad one is 401; a customer's token 403.
"""

from django.http import HttpRequest, HttpResponse
from ninja import Router

from mercato.core.openapi import answers
from mercato.core.states import IllegalTransition
from mercato.customers.auth import allowed, staff_auth
from mercato.fulfilment import selectors, services
from mercato.fulfilment.errors import (
    InvalidPicklistRequest,
    InvalidTrackingNumber,
    InvalidWeight,
    NothingToPick,
    PicklistNotFound,
    ShipmentNotPickable,
    WarehouseNotFound,
)
from mercato.fulfilment.pdf import pdf_response
from mercato.fulfilment.schemas import (
    PicklistCreateIn,
    PicklistOut,
    ShipIn,
    ShipmentListOut,
    WarehouseListOut,
    WarehouseShipmentOut,
    picklist_out,
    shipment_list_out,
    warehouse_list_out,
    warehouse_shipment_out,
)
from mercato.inventory.models import Warehouse
from mercato.orders.errors import ShipmentNotFound

# The back office's permissions for the same work (the Warehouse role holds them all).
VIEW_SHIPMENTS = "orders.view_shipment"
SHIP = "orders.change_shipment"
VIEW_PICKLISTS = "fulfilment.view_picklist"
CREATE_PICKLISTS = "fulfilment.add_picklist"

router = Router(tags=["warehouse"], auth=staff_auth)


def warehouse_id_for(code: str) -> int:
    warehouse_id = Warehouse.objects.filter(code=code).values_list("pk", flat=True).first()
    if warehouse_id is None:
        raise WarehouseNotFound(f"There is no warehouse {code}.")
    return warehouse_id


@router.get("/warehouses", response=WarehouseListOut,
            summary="The shop's warehouses: the codes the other warehouse endpoints take")
def list_warehouses(request: HttpRequest) -> WarehouseListOut:
    """Needs orders.view_shipment."""
    allowed(request, VIEW_SHIPMENTS)
    return warehouse_list_out(list(selectors.warehouses()))


@router.get("/warehouses/{code}/released-shipments", response=ShipmentListOut,
            summary="Shipments released for shipping from one warehouse, oldest first")
@answers(WarehouseNotFound)
def list_released_shipments(request: HttpRequest, code: str) -> ShipmentListOut:
    """What the warehouse may pick now: shipments in Released, with ship-to, lines and bins.
    Needs orders.view_shipment."""
    allowed(request, VIEW_SHIPMENTS)
    shipments = list(selectors.released_shipments(warehouse_id=warehouse_id_for(code)))
    return shipment_list_out(shipments)


@router.post("/warehouses/{code}/picklists", response={201: PicklistOut},
             summary="Create a picklist from released shipments of one warehouse")
@answers(WarehouseNotFound, InvalidPicklistRequest, NothingToPick, ShipmentNotPickable)
def create_picklist(request: HttpRequest, code: str,
                    payload: PicklistCreateIn) -> tuple[int, PicklistOut]:
    """Choose the shipments (`shipment_ids`) or take the next N released ones (`next_n`);
    they move to Packing, all or none (409 when one is not Released in this warehouse).
    Needs orders.change_shipment and fulfilment.add_picklist."""
    by = allowed(request, SHIP, CREATE_PICKLISTS)
    picklist = services.create_picklist(warehouse_id=warehouse_id_for(code),
                                        shipment_ids=payload.shipment_ids,
                                        next_n=payload.next_n, by=by)
    return 201, picklist_out(selectors.picklist_detail(picklist.number))


@router.get("/picklists/{number}", response=PicklistOut, summary="One picklist")
@answers(PicklistNotFound)
def get_picklist(request: HttpRequest, number: str) -> PicklistOut:
    """Its picks grouped by SKU and bin location, and its shipments.
    Needs fulfilment.view_picklist."""
    allowed(request, VIEW_PICKLISTS)
    return picklist_out(selectors.picklist_detail(number))


@router.get("/picklists/{number}/pdf", summary="One picklist as a PDF to print",
            response={200: None})
@answers(PicklistNotFound)
def get_picklist_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """application/pdf. Needs fulfilment.view_picklist."""
    allowed(request, VIEW_PICKLISTS)
    picklist = selectors.picklist_detail(number)
    return pdf_response(services.picklist_pdf(picklist=picklist), f"picklist-{number}.pdf")


@router.get("/shipments/{public_id}/packing-slip", summary="A shipment's packing slip (PDF)",
            response={200: None})
@answers(ShipmentNotFound)
def get_packing_slip(request: HttpRequest, public_id: str) -> HttpResponse:
    """application/pdf. Needs orders.view_shipment."""
    allowed(request, VIEW_SHIPMENTS)
    content = services.packing_slip_pdf(shipment_public_id=public_id)
    return pdf_response(content, f"packing-slip-{public_id}.pdf")


@router.post("/shipments/{public_id}/ship", response=WarehouseShipmentOut,
             summary="Mark a packed shipment shipped with its carrier and tracking number")
@answers(ShipmentNotFound, InvalidTrackingNumber, InvalidWeight, IllegalTransition)
def ship_shipment(request: HttpRequest, public_id: str, payload: ShipIn) -> WarehouseShipmentOut:
    """Packing -> Shipped. The tracking number's format is checked for UPS, USPS, FedEx and
    DHL (422 when it does not fit); other carriers take free text. The tracking link is built,
    the order's authorized payments are captured and the customer is emailed.
    Needs orders.change_shipment."""
    by = allowed(request, SHIP)
    services.ship_shipment(public_id=public_id, carrier=payload.carrier,
                           tracking_number=payload.tracking_number,
                           weight_grams=payload.weight_grams, by=by)
    return warehouse_shipment_out(selectors.shipment_for_warehouse(public_id))
