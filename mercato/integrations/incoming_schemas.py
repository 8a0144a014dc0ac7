"""What a logistics system and an OMS post to the shop: one schema per event type.

Every message is a Standard Webhooks envelope, `{"type": "shipment.delivered", "timestamp":
"2026-12-01T10:00:00Z", "data": {...}}`: `type` chooses the schema `data` is read with, and
`timestamp` (with its UTC offset) is when the event happened at the sender. Members a schema
does not name are ignored, so a sender may add some.

Shipments are named by their public id (`shipment_id`, as the warehouse API and the shop's
outgoing webhooks name them); orders by their number (`order_number`, e.g. "MRC-100001"), which
is what an OMS holds. docs/webhooks/schemas/incoming/<kind>.<type>.json are these schemas as JSON
Schema (`incoming_json_schemas()`); after changing a schema, write them again with
`manage.py webhook_schemas` (tests/integrations/test_incoming_schemas.py fails until then).
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from ninja import Schema
from pydantic import AwareDatetime, Field, create_model, field_validator

from mercato.integrations.models import IncomingConnection

LOGISTICS = IncomingConnection.Kind.LOGISTICS.value
OMS = IncomingConnection.Kind.OMS.value
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_DIRECTORY = Path(__file__).resolve().parents[2] / "docs/webhooks/schemas/incoming"


class IncomingEnvelope(Schema):
    """The members every message has; `data` is read by its type's schema next."""

    type: str = Field(min_length=1, max_length=60, examples=["shipment.delivered"])
    timestamp: AwareDatetime
    data: dict[str, Any]

    @field_validator("timestamp")
    @classmethod
    def in_utc(cls, timestamp: datetime) -> datetime:
        """As UTC; a time UTC cannot hold (year 1 with a positive offset) is refused."""
        try:
            return timestamp.astimezone(UTC)
        except OverflowError:
            raise ValueError("Not a time the shop can keep.") from None


class ShipmentData(Schema):
    shipment_id: str = Field(min_length=1, max_length=24,
                             description="The shipment's public id (not its number).")


class HandedToCarrierData(ShipmentData):
    carrier: str = Field(min_length=1, max_length=40, examples=["UPS", "DHL", "Local courier"])
    tracking_number: str = Field(min_length=1, max_length=100,
                                 description="Checked (format and check digit) for UPS, USPS, "
                                             "FedEx and DHL; free text for other carriers.")
    weight_grams: int | None = Field(default=None, gt=0, le=1_000_000)


class TrackingData(ShipmentData):
    location: str = Field(default="", max_length=200, examples=["Leipzig hub"])
    description: str = Field(default="", max_length=300,
                             description="What the carrier says, shown to the shopper.")


class DeliveryExceptionData(TrackingData):
    description: str = Field(min_length=1, max_length=300,
                             examples=["Address not found; we will try again tomorrow."])


class OrderData(Schema):
    order_number: str = Field(min_length=1, max_length=32, examples=["MRC-100001"])
    reason: str = Field(default="", max_length=500,
                        description="Why, for the order's history (and the customer's email "
                                    "when it is cancelled).")


@dataclass(frozen=True)
class IncomingEventType:
    """One type of message a kind of connection may send, and the schema of its data."""

    kind: str
    name: str  # the envelope's `type`
    data: type[Schema]
    description: str

    @property
    def filename(self) -> str:
        return f"{self.kind}.{self.name}.json"


INCOMING_EVENT_TYPES = (
    IncomingEventType(LOGISTICS, "shipment.handed_to_carrier", HandedToCarrierData,
                      "The carrier took the packed parcel: it is Shipped with this carrier and "
                      "tracking number, and the customer is emailed the tracking link."),
    IncomingEventType(LOGISTICS, "shipment.in_transit", TrackingData,
                      "The parcel is on its way (a hub scan): shown on the tracking page."),
    IncomingEventType(LOGISTICS, "shipment.out_for_delivery", TrackingData,
                      "The parcel is on the delivery vehicle: shown on the tracking page."),
    IncomingEventType(LOGISTICS, "shipment.delivered", ShipmentData,
                      "The parcel was delivered: cash on delivery is collected."),
    IncomingEventType(LOGISTICS, "shipment.delivery_exception", DeliveryExceptionData,
                      "Delivery failed or is delayed (description says why): shown on the "
                      "tracking page."),
    IncomingEventType(LOGISTICS, "shipment.returned_to_sender", TrackingData,
                      "The carrier is sending the parcel back: shown on the tracking page."),
    IncomingEventType(OMS, "order.put_on_hold", OrderData,
                      "Stop the order: nothing more is released, packed or shipped."),
    IncomingEventType(OMS, "order.hold_released", OrderData,
                      "The order goes on (OnHold -> InProgress)."),
    IncomingEventType(OMS, "order.cancelled", OrderData,
                      "Cancel an order none of whose parcels shipped: stock released, payments "
                      "voided or refunded, the customer emailed."),
    IncomingEventType(OMS, "shipment.shipped", HandedToCarrierData,
                      "A packed parcel left with this carrier and tracking number (as "
                      "shipment.handed_to_carrier of a logistics system)."),
)


def incoming_event_type(*, kind: str, name: str) -> IncomingEventType | None:
    return next((t for t in INCOMING_EVENT_TYPES if (t.kind, t.name) == (kind, name)), None)


def incoming_event_types(kind: str) -> list[str]:
    return [t.name for t in INCOMING_EVENT_TYPES if t.kind == kind]


def envelope_schema(event_type: IncomingEventType) -> type[Schema]:
    """The whole message of one type: the envelope with its `type` fixed and its `data`."""
    title = "".join(part.title() for part in
                    f"{event_type.kind} {event_type.name}".replace(".", " ").replace("_", " ")
                    .split())
    return create_model(title, __base__=Schema, __doc__=event_type.description,
                        type=(Literal[event_type.name], ...), timestamp=(AwareDatetime, ...),
                        data=(event_type.data, ...))


COMPONENTS = "#/components/schemas/{model}"


def openapi_components() -> dict[str, Any]:
    """The component schemas of every incoming message, for the OpenAPI document."""
    components: dict[str, Any] = {}
    for event_type in INCOMING_EVENT_TYPES:
        schema = envelope_schema(event_type).model_json_schema(ref_template=COMPONENTS)
        components.update(schema.pop("$defs", {}))
        components[schema["title"]] = schema
    return components


def openapi_request_body(kind: str) -> dict[str, Any]:
    """An endpoint's `openapi_extra`: its body is one of the kind's messages. Documented only:
    the body is read unparsed, because the signature covers its bytes."""
    refs = [{"$ref": COMPONENTS.format(model=envelope_schema(event_type).__name__)}
            for event_type in INCOMING_EVENT_TYPES if event_type.kind == kind]
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": {"oneOf": refs}}}}}


def incoming_json_schemas() -> dict[str, dict[str, Any]]:
    """Each incoming event type's JSON Schema by the file name it is published under."""
    return {event_type.filename: {"$schema": JSON_SCHEMA_DIALECT,
                                  **envelope_schema(event_type).model_json_schema()}
            for event_type in INCOMING_EVENT_TYPES}


def json_schema_text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_incoming_json_schemas(directory: Path = SCHEMA_DIRECTORY) -> list[Path]:
    """Write each incoming event type's JSON Schema file (and only those) into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    schemas = incoming_json_schemas()
    for stale in directory.glob("*.json"):
        if stale.name not in schemas:
            stale.unlink()
    written = []
    for filename, schema in schemas.items():
        path = directory / filename
        path.write_text(json_schema_text(schema), encoding="utf-8")
        written.append(path)
    return written


class IncomingAnswerOut(Schema):
    """The answer to a message that was applied (a repeat of its webhook-id gets it again)."""

    webhook_id: str
    type: str
    outcome: Literal["applied"]
    detail: str
