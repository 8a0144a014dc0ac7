"""Messages to the incoming endpoints as a logistics system or an OMS sends them: signed with
the standardwebhooks library itself, so the tests check our verification against theirs."""

import json
from datetime import UTC, datetime
from uuid import uuid4

from standardwebhooks.webhooks import Webhook

from mercato.core.events import Actor
from mercato.integrations.models import IncomingConnection
from mercato.integrations.services.incoming import create_incoming_connection
from mercato.orders.models import Order, Shipment
from mercato.orders.services import pack_shipments, release_shipment
from tests.orders.builders import make_quote, place

STAFF = Actor("staff", "warehouse@example.com")
UPS = "1Z5R89390357567127"
PATHS = {IncomingConnection.Kind.LOGISTICS: "/api/v1/integrations/logistics/events",
         IncomingConnection.Kind.OMS: "/api/v1/integrations/oms/events"}

# One example of each type's data; tests name the real shipment or order over these.
EXAMPLE_DATA = {
    "logistics": {
        "shipment.handed_to_carrier": {"shipment_id": "shp_example", "carrier": "UPS",
                                       "tracking_number": UPS, "weight_grams": 1200},
        "shipment.in_transit": {"shipment_id": "shp_example", "location": "Leipzig hub"},
        "shipment.out_for_delivery": {"shipment_id": "shp_example", "location": "Berlin"},
        "shipment.delivered": {"shipment_id": "shp_example"},
        "shipment.delivery_exception": {"shipment_id": "shp_example", "location": "Berlin",
                                        "description": "Nobody at home; we try tomorrow."},
        "shipment.returned_to_sender": {"shipment_id": "shp_example",
                                        "description": "Refused by the recipient."},
    },
    "oms": {
        "order.put_on_hold": {"order_number": "MRC-100001", "reason": "fraud check"},
        "order.hold_released": {"order_number": "MRC-100001", "reason": "checked"},
        "order.cancelled": {"order_number": "MRC-100001", "reason": "customer asked"},
        "shipment.shipped": {"shipment_id": "shp_example", "carrier": "UPS",
                             "tracking_number": UPS},
    },
}


def event(kind: str, event_type: str, **data) -> dict:
    """The envelope of one message of `event_type`, its example data with `data` over it."""
    return {"type": event_type, "timestamp": datetime.now(tz=UTC).isoformat(),
            "data": EXAMPLE_DATA[kind].get(event_type, {}) | data}


def headers_for(body: str, *, secret: str, msg_id: str | None = None,
                at: datetime | None = None) -> dict[str, str]:
    msg_id = msg_id or f"msg_{uuid4().hex}"
    at = at or datetime.now(tz=UTC)
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": Webhook(secret).sign(msg_id, at, body)}


def send(client, connection: IncomingConnection, message: dict | str, *,
         secret: str | None = None, path: str | None = None, **signing):
    """POST the message signed with the connection's secret (or `secret`)."""
    body = message if isinstance(message, str) else json.dumps(message)
    headers = headers_for(body, secret=secret or connection.secret, **signing)
    return client.post(path or PATHS[connection.kind], data=body,
                       content_type="application/json", headers=headers)


def logistics_connection() -> IncomingConnection:
    return create_incoming_connection(name="Parcel partner", kind="logistics")


def oms_connection() -> IncomingConnection:
    return create_incoming_connection(name="Order hub", kind="oms")


def packed_order() -> tuple[Order, Shipment]:
    """An order of one parcel on a picklist: the warehouse is packing it."""
    order = place(make_quote())
    shipment = order.shipments.get()
    release_shipment(public_id=shipment.public_id, by=STAFF)
    pack_shipments(public_ids=[shipment.public_id], by=STAFF, reference="PL-1")
    shipment.refresh_from_db()
    return order, shipment
