"""What each webhook event type carries: a Standard Webhooks envelope `{type, timestamp, data}`
whose data is the whole resource as it is when the message is queued (an order with its lines,
shipments and payments; a shipment with its ship-to, lines and tracking; ...), so a receiver
never needs to call back. The schemas here are the published contract: docs/webhooks/schemas
holds their JSON Schemas (manage.py webhook_schemas writes them; a test checks they match).
"""

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import create_model

from mercato.catalog.models import ProductVariant
from mercato.catalog.schemas import MoneyOut, ProductDetailOut
from mercato.catalog.selectors import product_detail
from mercato.core.events import DomainEvent
from mercato.fulfilment.schemas import (
    WarehouseShipmentLineOut,
    WarehouseShipmentOut,
    warehouse_shipment_out,
)
from mercato.fulfilment.selectors import shipment_for_warehouse
from mercato.inventory.models import Stock
from mercato.orders.events import OrderPaymentRefunded
from mercato.orders.schemas import OrderOut, money, order_out
from mercato.orders.selectors import order_detail
from mercato.returns.events import ReturnRefunded
from mercato.returns.schemas import ReturnOut, return_out
from mercato.returns.selectors import return_detail

SCHEMA_VERSION = 1
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class WebhookShipmentLine(WarehouseShipmentLineOut):
    weight_grams: int = Field(description="Of one unit, as the catalog states it.")


class WebhookShipment(WarehouseShipmentOut):
    order_id: str = Field(description="The order's public id.")
    lines: list[WebhookShipmentLine]
    delivered_at: datetime | None


class WebhookStock(Schema):
    sku: str
    product_title: str
    warehouse: str = Field(description="The warehouse's code.")
    on_hand: int
    allocated: int = Field(description="Set aside for orders, not yet shipped.")
    available: int = Field(description="on_hand - allocated.")
    bin_location: str
    change: str = Field(description="What moved it: StockLevelSet (counted), StockReceived, "
                                    "StockAllocated, StockReleased or StockShipped.")


class WebhookProduct(ProductDetailOut):
    is_published: bool


class WebhookRefund(Schema):
    source: Literal["return", "order"] = Field(
        description="return: a return was refunded; order: a payment of a cancelled order or "
                    "shipment was refunded.")
    reference: str = Field(description="The return's RMA, or the refunded payment's id.")
    amount: MoneyOut
    order: OrderOut
    return_request: ReturnOut | None = Field(description="The return refunded (source return).")


DATA_SCHEMAS: dict[str, type[Schema]] = {
    "order.created": OrderOut, "order.updated": OrderOut, "order.cancelled": OrderOut,
    "shipment.released": WebhookShipment, "shipment.shipped": WebhookShipment,
    "shipment.delivered": WebhookShipment,
    "return.created": ReturnOut, "return.received": ReturnOut,
    "refund.created": WebhookRefund, "stock.changed": WebhookStock,
    "product.updated": WebhookProduct,
}


def envelope_schema(event_type: str) -> type[Schema]:
    """The body of one event type's messages, as a schema of its own."""
    name = "".join(part.title() for part in event_type.split(".")) + "Webhook"
    return create_model(
        name, __base__=Schema,
        type=(Literal[event_type], Field(description="The event type.")),  # type: ignore[valid-type]
        timestamp=(datetime, Field(description="When it happened.")),
        schema_version=(int, Field(SCHEMA_VERSION, description="Raised when a field changes "
                                   "incompatibly; new fields may appear at any time.")),
        data=(DATA_SCHEMAS[event_type], Field(description="The whole resource, as it is when "
                                              "the message is queued.")),
    )


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of each event type's body, by event type."""
    return {event_type: {"$schema": JSON_SCHEMA_DIALECT, **envelope_schema(event_type)
                         .model_json_schema(by_alias=True, mode="serialization")}
            for event_type in DATA_SCHEMAS}


COMPONENTS = "#/components/schemas/{model}"


def openapi_webhooks() -> tuple[dict[str, Any], dict[str, Any]]:
    """The OpenAPI `webhooks` section (one POST per event type, its body's schema) and the
    component schemas those refer to."""
    webhooks: dict[str, Any] = {}
    components: dict[str, Any] = {}
    for event_type in DATA_SCHEMAS:
        schema = envelope_schema(event_type).model_json_schema(
            by_alias=True, mode="serialization", ref_template=COMPONENTS)
        components.update(schema.pop("$defs", {}))
        components[schema["title"]] = schema
        webhooks[event_type] = {"post": {
            "operationId": f"webhook_{event_type.replace('.', '_')}",
            "summary": f"{event_type}, signed as Standard Webhooks say",
            "description": WEBHOOK_DESCRIPTION,
            "parameters": [{"name": name, "in": "header", "required": True,
                            "schema": {"type": "string"}, "description": description}
                           for name, description in SIGNATURE_HEADERS],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": COMPONENTS.format(model=schema["title"])}}}},
            "responses": {"2XX": {"description": "Received; any other answer (or none within "
                                                 "the timeout) is retried for up to 3 days."}},
        }}
    return webhooks, components


WEBHOOK_DESCRIPTION = (
    "Sent to every active subscription to this event type (POST /webhook-subscriptions). "
    "Verify the signature with any Standard Webhooks library and the subscription's secret; "
    "de-duplicate on webhook-id (delivery is at least once). The JSON Schema of the body is "
    "also in the repository: docs/webhooks/schemas/<event type>.json.")
SIGNATURE_HEADERS = (
    ("webhook-id", "The message id (msg_...): the same on every retry and replay."),
    ("webhook-timestamp", "Seconds since the epoch, when this attempt was signed."),
    ("webhook-signature", "v1,<base64 HMAC-SHA256 of id.timestamp.body>; two, space-separated, "
                          "while a rotated secret's grace lasts."),
)


def body_of(event_type: str, event: DomainEvent, occurred_at: datetime) -> dict[str, Any]:
    """The message body for `event` sent as `event_type`."""
    # Built as a dict, not validated again: the data schemas read Django objects (aliases,
    # resolvers), and a schema built is already valid. Tests validate bodies against the files.
    return {"type": event_type, "timestamp": occurred_at.isoformat(),
            "schema_version": SCHEMA_VERSION,
            "data": data_of(event_type, event).model_dump(mode="json", by_alias=True)}


def data_of(event_type: str, event: DomainEvent) -> Schema:
    kind = event_type.split(".", 1)[0]
    if kind == "order":
        return order_out(order_detail(public_id=event.aggregate_id))
    if kind == "shipment":
        return shipment_data(event.shipment_id)
    if kind == "return":
        return return_out(return_detail(event.rma))
    if kind == "refund":
        return refund_data(event)
    if kind == "stock":
        return stock_data(event)
    return product_data(event.aggregate_id)


def shipment_data(shipment_public_id: str) -> WebhookShipment:
    shipment = shipment_for_warehouse(shipment_public_id)
    variant_ids = [line.order_line.variant_id for line in shipment.lines.all()]
    weight_of = dict(ProductVariant.objects.filter(pk__in=variant_ids)
                     .values_list("sku", "weight_grams"))
    base = fields_of(warehouse_shipment_out(shipment))
    base["lines"] = [WebhookShipmentLine(**fields_of(line), weight_grams=weight_of.get(line.sku, 0))
                     for line in base["lines"]]
    return WebhookShipment(**base, order_id=shipment.order.public_id,
                           delivered_at=shipment.delivered_at)


def refund_data(event: DomainEvent) -> WebhookRefund:
    order = order_detail(public_id=event.aggregate_id)
    if isinstance(event, ReturnRefunded):
        return WebhookRefund(source="return", reference=event.rma,
                             amount=money(event.amount, order.currency),
                             order=order_out(order),
                             return_request=return_out(return_detail(event.rma)))
    assert isinstance(event, OrderPaymentRefunded)
    return WebhookRefund(source="order", reference=event.payment_id,
                         amount=money(event.amount, event.currency), order=order_out(order),
                         return_request=None)


def stock_data(event: DomainEvent) -> WebhookStock:
    stock = Stock.objects.select_related("variant__product", "warehouse").get(
        pk=int(event.aggregate_id))
    return WebhookStock(sku=stock.variant.sku, product_title=stock.variant.product.title,
                        warehouse=stock.warehouse.code, on_hand=stock.on_hand,
                        allocated=stock.allocated, available=stock.on_hand - stock.allocated,
                        bin_location=stock.bin_location, change=type(event).__name__)


def product_data(slug: str) -> WebhookProduct:
    detail = product_detail(slug=slug, published_only=False)
    return WebhookProduct.from_detail(detail, is_published=detail.product.is_published)


def fields_of(schema: Schema) -> dict[str, Any]:
    """A schema's fields as they are (nested schemas kept), to build a wider schema from it."""
    return {name: getattr(schema, name) for name in type(schema).model_fields}

