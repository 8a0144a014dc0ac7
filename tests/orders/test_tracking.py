"""A shipped parcel's progress (orders.services.record_tracking_event): recorded with its
event while it is on its way, refused before it ships and once it is delivered."""

from datetime import UTC, datetime

import pytest

from mercato.core.events import Actor
from mercato.core.models import Event
from mercato.core.states import IllegalTransition
from mercato.orders.errors import InvalidShipmentData, ShipmentNotFound
from mercato.orders.models import ShipmentTrackingEvent
from mercato.orders.services import confirm_delivery, record_tracking_event
from tests.orders.test_processing import one_shipment_order, ship

pytestmark = pytest.mark.django_db
CARRIER = Actor("integration", "Parcel partner")
AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def track(public_id: str, **overrides) -> ShipmentTrackingEvent:
    values = {"kind": "in_transit", "occurred_at": AT, "location": " Leipzig hub "} | overrides
    return record_tracking_event(public_id=public_id, by=CARRIER, **values)


def test_a_tracking_event_of_a_shipped_parcel_is_recorded_with_its_event():
    order, shipment = one_shipment_order()
    ship(shipment)

    entry = track(shipment.public_id, kind="delivery_exception", description="Nobody home")

    assert (entry.kind, entry.location, entry.occurred_at) == ("delivery_exception",
                                                               "Leipzig hub", AT)
    recorded = Event.objects.get(type="ShipmentTrackingRecorded")
    assert recorded.aggregate_id == order.public_id and recorded.actor == str(CARRIER)
    assert recorded.payload["description"] == "Nobody home"


def test_a_parcel_not_shipped_or_already_delivered_is_not_tracked():
    _order, shipment = one_shipment_order()
    with pytest.raises(IllegalTransition, match="not on its way"):
        track(shipment.public_id)
    ship(shipment)
    confirm_delivery(public_id=shipment.public_id, by=CARRIER)
    events = Event.objects.count()

    with pytest.raises(IllegalTransition, match="delivered"):
        track(shipment.public_id)
    assert not ShipmentTrackingEvent.objects.exists() and Event.objects.count() == events


@pytest.mark.parametrize(("overrides", "field"), [
    ({"kind": "lost"}, "kind"),
    ({"occurred_at": datetime(2026, 12, 1, 9, 30)}, "occurred_at"),  # naive
    ({"description": "x" * 301}, "description"),
])
def test_invalid_tracking_data_is_refused_before_anything_is_read(overrides, field):
    with pytest.raises(InvalidShipmentData) as refused:
        track("no-such-shipment", **overrides)
    assert list(refused.value.errors) == [field]


def test_an_unknown_shipment_is_not_found():
    with pytest.raises(ShipmentNotFound):
        track("no-such-shipment")
