"""A shipped parcel's progress as its carrier reports it, kept for the shopper's tracking page.

Leaving and arriving are moves of the shipment itself (shipments.mark_shipment_shipped and
confirm_delivery); what happens between them changes no status, so it is an entry of its own.
"""

from datetime import datetime

from django.db import transaction

from mercato.core.events import Actor, record
from mercato.core.states import IllegalTransition
from mercato.orders import errors
from mercato.orders.events import ShipmentTrackingRecorded
from mercato.orders.models import ShipmentTrackingEvent
from mercato.orders.services.shipments import _locked_shipment
from mercato.orders.states import ShipmentStatus

Kind = ShipmentTrackingEvent.Kind
LIMITS = {"description": 300, "location": 200}


def record_tracking_event(*, public_id: str, kind: str, occurred_at: datetime, by: Actor,
                          description: str = "", location: str = "") -> ShipmentTrackingEvent:
    """Add what the carrier saw of a Shipped parcel not delivered yet (in transit, out for
    delivery, a delivery problem, returned to sender); refused (IllegalTransition, nothing
    recorded) before it ships and once it is delivered."""
    texts = {"description": description.strip(), "location": location.strip()}
    _check(kind=kind, occurred_at=occurred_at, texts=texts)
    with transaction.atomic():
        order, shipment = _locked_shipment(public_id)
        if shipment.status != ShipmentStatus.SHIPPED or shipment.delivered_at is not None:
            state = "delivered" if shipment.delivered_at else shipment.get_status_display()
            raise IllegalTransition(
                f"Cannot track shipment {shipment.number}: it is {state}, not on its way.",
                action="track", current_status=state, shipment=shipment.number)
        entry = ShipmentTrackingEvent.objects.create(shipment=shipment, kind=kind,
                                                     occurred_at=occurred_at, **texts)
        record(ShipmentTrackingRecorded(
            aggregate_id=order.public_id, shipment_id=shipment.public_id,
            number=shipment.number, kind=kind, occurred_at=occurred_at, **texts), by=by)
    return entry


def _check(*, kind: str, occurred_at: datetime, texts: dict[str, str]) -> None:
    problems = {name: [f"At most {LIMITS[name]} characters."]
                for name, text in texts.items() if len(text) > LIMITS[name]}
    if kind not in Kind.values:
        problems["kind"] = [f"One of {', '.join(Kind.values)}."]
    if occurred_at.tzinfo is None:
        problems["occurred_at"] = ["Give the time with its UTC offset."]
    if problems:
        raise errors.InvalidShipmentData("Please correct the tracking data.", errors=problems)
