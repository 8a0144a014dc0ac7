"""django-ninja schemas of the warehouse API (a warehouse app, scanner or WMS)."""

from collections.abc import Mapping
from datetime import datetime

from ninja import Field, Schema
from pydantic import model_validator

from mercato.core.schema_types import whole_number_from
from mercato.fulfilment.models import Picklist
from mercato.fulfilment.rules import (
    CARRIER_MAX_LENGTH,
    MAX_PICKLIST_SHIPMENTS,
    MAX_WEIGHT_GRAMS,
    TRACKING_NUMBER_MAX_LENGTH,
    PickItem,
    pick_groups,
)
from mercato.inventory.models import Warehouse
from mercato.orders.models import Shipment, ShipmentLine
from mercato.orders.schemas import DeliveryMethodRefOut, OrderAddressOut, address_out


class WarehouseOut(Schema):
    code: str = Field(description="The key of the warehouse endpoints "
                                  "(/warehouse/warehouses/{code}/...) and of receiving a "
                                  "return (`warehouse`).", examples=["main"])
    name: str
    country: str = Field(description="ISO 3166-1 alpha-2 code of where it is.")
    is_active: bool = Field(description="An inactive warehouse is given no new shipments.")


class WarehouseListOut(Schema):
    items: list[WarehouseOut]
    count: int


class WarehouseShipmentLineOut(Schema):
    sku: str
    title: str
    variant: str
    quantity: int
    bin_location: str = Field(description="Where the units lie in the warehouse; empty if "
                                          "not recorded.")


class WarehouseShipmentOut(Schema):
    id: str = Field(description="The shipment's public id: the key of the ship endpoint.")
    number: str = Field(description="The order number and the parcel's, e.g. MRC-100001-1.")
    order_number: str
    order_status: str = Field(description="The order's status; while it is OnHold the "
                                          "shipment is not picked.")
    status: str = Field(description="InventoryAssigned, Released (released for shipping), "
                                    "Packing (on a picklist), Shipped, OnHold or Cancelled.")
    warehouse: str = Field(description="The code of the warehouse it ships from.")
    method: DeliveryMethodRefOut
    ship_to: OrderAddressOut
    lines: list[WarehouseShipmentLineOut]
    carrier: str = Field(description="Empty until shipped.")
    tracking_number: str
    tracking_url: str
    weight_grams: int | None
    shipped_at: datetime | None
    created_at: datetime


class ShipmentListOut(Schema):
    items: list[WarehouseShipmentOut]
    count: int


def _one_way_of_choosing(schema: dict) -> None:
    """Documents what `one_way_of_choosing` checks: exactly one of the two, not null."""
    schema["oneOf"] = [
        {"required": [chosen], "properties": {chosen: {"not": {"type": "null"}},
                                               other: {"type": "null"}}}
        for chosen, other in (("shipment_ids", "next_n"), ("next_n", "shipment_ids"))]


class PicklistCreateIn(Schema):
    """Either the shipments chosen, or the next N released shipments, oldest first."""

    model_config = {"json_schema_extra": _one_way_of_choosing}

    shipment_ids: list[str] | None = Field(
        None, min_length=1, max_length=MAX_PICKLIST_SHIPMENTS,
        description="Public ids of released shipments of this warehouse.")
    next_n: whole_number_from(1, MAX_PICKLIST_SHIPMENTS) | None = Field(
        None, description="Take the next N released shipments, oldest first.")

    @model_validator(mode="after")
    def one_way_of_choosing(self) -> "PicklistCreateIn":
        if (self.shipment_ids is None) == (self.next_n is None):
            raise ValueError("Send either shipment_ids or next_n.")
        return self


class PickShipmentOut(Schema):
    shipment: str = Field(description="The shipment number, e.g. MRC-100001-1.")
    quantity: int


class PickOut(Schema):
    bin_location: str
    sku: str
    title: str
    quantity: int = Field(description="Units of this SKU to take from this bin.")
    shipments: list[PickShipmentOut] = Field(description="Which shipment gets how many.")


class PicklistOut(Schema):
    number: str
    warehouse: str
    created_at: datetime
    created_by: str
    shipment_count: int
    unit_count: int
    picks: list[PickOut] = Field(description="Grouped by SKU and bin location, in bin order.")
    shipments: list[WarehouseShipmentOut]


class ShipIn(Schema):
    carrier: str = Field(min_length=1, max_length=CARRIER_MAX_LENGTH, description=(
        "UPS, USPS, FedEx or DHL (their tracking number formats are checked), or any other "
        "carrier's name (free text)."))
    tracking_number: str = Field(min_length=1, max_length=TRACKING_NUMBER_MAX_LENGTH)
    weight_grams: whole_number_from(1, MAX_WEIGHT_GRAMS) | None = Field(
        None, description="The parcel's weight in grams.")


Bins = Mapping[tuple[int, str], str]  # (shipment pk, SKU) -> bin location


def warehouse_list_out(warehouses: list[Warehouse]) -> WarehouseListOut:
    return WarehouseListOut(items=[WarehouseOut(code=w.code, name=w.name, country=str(w.country),
                                                is_active=w.is_active) for w in warehouses],
                            count=len(warehouses))


def line_out(line: ShipmentLine, *, bin_location: str) -> WarehouseShipmentLineOut:
    order_line = line.order_line
    return WarehouseShipmentLineOut(
        sku=order_line.sku, title=order_line.product_title, variant=order_line.variant_name,
        quantity=line.quantity, bin_location=bin_location)


def stock_bin(line: ShipmentLine) -> str:
    return line.stock.bin_location if line.stock is not None else ""


def warehouse_shipment_out(shipment: Shipment, *, warehouse_code: str | None = None,
                           bins: Bins | None = None) -> WarehouseShipmentOut:
    """Pass a shipment read with its order and lines (with order line); without `bins` (the
    bins a picklist recorded) each line's stock and, without `warehouse_code`, the shipment's
    warehouse are read from the shipment: select them."""
    if warehouse_code is None:
        warehouse_code = shipment.warehouse.code if shipment.warehouse is not None else ""
    lines = [line_out(line, bin_location=bins.get((shipment.pk, line.order_line.sku), "")
                      if bins is not None else stock_bin(line))
             for line in shipment.lines.all()]
    return WarehouseShipmentOut(
        id=shipment.public_id, number=shipment.number, order_number=shipment.order.number,
        order_status=shipment.order.status, status=shipment.status, warehouse=warehouse_code,
        method=DeliveryMethodRefOut(code=shipment.delivery_method_code,
                                    name=shipment.delivery_method_name),
        ship_to=address_out(shipment), lines=lines,
        carrier=shipment.carrier, tracking_number=shipment.tracking_number,
        tracking_url=shipment.tracking_url, weight_grams=shipment.weight_grams,
        shipped_at=shipment.shipped_at, created_at=shipment.created_at,
    )


def shipment_list_out(shipments: list[Shipment]) -> ShipmentListOut:
    return ShipmentListOut(items=[warehouse_shipment_out(s) for s in shipments],
                           count=len(shipments))


def picklist_out(picklist: Picklist) -> PicklistOut:
    """Pass a picklist read by selectors.picklist_detail (4 queries, whatever its size)."""
    shipments = [entry.shipment for entry in picklist.entries.all()]
    numbers = {shipment.pk: shipment.number for shipment in shipments}
    lines = list(picklist.lines.all())
    bins = {(line.shipment_id, line.sku): line.bin_location for line in lines}
    groups = pick_groups(
        PickItem(shipment_number=numbers[line.shipment_id], sku=line.sku, title=line.title,
                 bin_location=line.bin_location, quantity=line.quantity)
        for line in lines)
    code = picklist.warehouse.code
    return PicklistOut(
        number=picklist.number, warehouse=code, created_at=picklist.created_at,
        created_by=picklist.created_by, shipment_count=len(shipments),
        unit_count=sum(line.quantity for line in lines),
        picks=[PickOut(bin_location=group.bin_location, sku=group.sku, title=group.title,
                       quantity=group.quantity,
                       shipments=[PickShipmentOut(shipment=number, quantity=quantity)
                                  for number, quantity in group.shipments])
               for group in groups],
        shipments=[warehouse_shipment_out(shipment, warehouse_code=code, bins=bins)
                   for shipment in shipments],
    )
