"""A logistics system reports a shipment's progress: each event moves the real shipment through
the orders and fulfilment services, is applied once per webhook-id, and a refusal changes
nothing."""

import pytest

from mercato.core.events import Actor
from mercato.core.models import Event
from mercato.core.money import Money
from mercato.integrations.models import IncomingMessage
from mercato.inventory.models import Stock
from mercato.orders.models import Order, Shipment, ShipmentTrackingEvent
from mercato.orders.services import mark_shipment_shipped
from mercato.orders.states import OrderStatus, ShipmentStatus
from mercato.payments.services import create_payment
from mercato.payments.states import PaymentStatus
from tests.integrations.incoming import (
    UPS,
    event,
    logistics_connection,
    packed_order,
    send,
)
from tests.outbox import deliver_all

pytestmark = pytest.mark.django_db
STAFF = Actor("staff", "warehouse@example.com")
TRACKING_TYPES = {
    "shipment.in_transit": "in_transit",
    "shipment.out_for_delivery": "out_for_delivery",
    "shipment.delivery_exception": "delivery_exception",
    "shipment.returned_to_sender": "returned_to_sender",
}


@pytest.fixture
def connection():
    return logistics_connection()


@pytest.fixture
def packed():
    return packed_order()


@pytest.fixture
def shipped(packed):
    order, shipment = packed
    mark_shipment_shipped(public_id=shipment.public_id, carrier="UPS", tracking_number=UPS,
                          tracking_url="", weight_grams=None, by=STAFF)
    deliver_all()
    return order, Shipment.objects.get(pk=shipment.pk)


def snapshot(order: Order) -> tuple:
    """Everything a refused message must leave as it was."""
    shipment = order.shipments.get()
    return (Order.objects.get(pk=order.pk).status, shipment.status, shipment.carrier,
            shipment.delivered_at, ShipmentTrackingEvent.objects.count(),
            list(Stock.objects.order_by("pk").values_list("on_hand", "allocated")),
            Event.objects.count())


def assert_problem(response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["type"].endswith("/" + slug), body
    return body


# --- each event moves the shipment ---------------------------------------------------------------

def test_handed_to_carrier_ships_the_packed_parcel_and_emails_the_tracking_link(
        client, connection, packed, mailoutbox):
    order, shipment = packed

    response = send(client, connection, event("logistics", "shipment.handed_to_carrier",
                                              shipment_id=shipment.public_id))
    deliver_all()

    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "applied"
    shipment.refresh_from_db()
    assert (shipment.status, shipment.carrier, shipment.tracking_number) == (
        ShipmentStatus.SHIPPED, "UPS", UPS)
    assert shipment.weight_grams == 1200 and "ups.com" in shipment.tracking_url
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COMPLETED
    shipped = Event.objects.get(type="ShipmentShipped")
    assert shipped.actor == "integration:Parcel partner"
    assert [m.to for m in mailoutbox if UPS in m.body] == [[order.email]]
    message = IncomingMessage.objects.get()
    assert (message.outcome, message.status_code, message.event_type) == (
        "applied", 200, "shipment.handed_to_carrier")


@pytest.mark.parametrize(("event_type", "kind"), TRACKING_TYPES.items())
def test_a_tracking_event_is_recorded_and_leaves_the_status(client, connection, shipped,
                                                             event_type, kind):
    order, shipment = shipped

    response = send(client, connection, event("logistics", event_type,
                                              shipment_id=shipment.public_id))

    assert response.status_code == 200, response.content
    entry = ShipmentTrackingEvent.objects.get(shipment=shipment)
    assert entry.kind == kind
    assert entry.description == event("logistics", event_type)["data"].get("description", "")
    recorded = Event.objects.get(type="ShipmentTrackingRecorded")
    assert recorded.aggregate_id == order.public_id
    assert recorded.payload["kind"] == kind and recorded.payload["number"] == shipment.number
    assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.SHIPPED


def test_the_tracking_page_lists_what_the_carrier_reported(client, connection, shipped):
    order, shipment = shipped
    for event_type in ("shipment.in_transit", "shipment.out_for_delivery",
                       "shipment.delivery_exception"):
        response = send(client, connection, event("logistics", event_type,
                                                  shipment_id=shipment.public_id))
        assert response.status_code == 200, response.content

    page = client.post("/orders/lookup/", {"number": order.number,
                                           "email": order.email}).content.decode()

    tracking = page[page.index('data-testid="tracking-events"'):]
    assert tracking.index("In transit") < tracking.index("Out for delivery") < tracking.index(
        "Delivery problem")
    assert "Leipzig hub" in tracking and "Nobody at home; we try tomorrow." in tracking


def test_delivered_confirms_the_delivery_and_collects_cash_on_delivery(client, connection,
                                                                       packed):
    order, shipment = packed
    cash = create_payment(reference=order.number, method="cash_on_delivery",
                          amount=Money(order.total, order.currency))
    send(client, connection, event("logistics", "shipment.handed_to_carrier",
                                   shipment_id=shipment.public_id))
    deliver_all()
    cash.refresh_from_db()
    assert cash.status == PaymentStatus.PENDING

    response = send(client, connection, event("logistics", "shipment.delivered",
                                              shipment_id=shipment.public_id))
    deliver_all()

    assert response.status_code == 200, response.content
    assert Shipment.objects.get(pk=shipment.pk).delivered_at is not None
    cash.refresh_from_db()
    assert cash.status == PaymentStatus.CAPTURED
    page = client.post("/orders/lookup/", {"number": order.number,
                                           "email": order.email}).content.decode()
    assert 'data-testid="shipment-status">Delivered<' in page


# --- the same message twice ----------------------------------------------------------------------

def test_a_repeated_webhook_id_gets_the_first_answer_and_applies_nothing(client, connection,
                                                                         packed):
    _order, shipment = packed
    message = event("logistics", "shipment.handed_to_carrier", shipment_id=shipment.public_id)

    first = send(client, connection, message, msg_id="msg_once")
    events = Event.objects.count()
    again = send(client, connection, message, msg_id="msg_once")

    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert Event.objects.count() == events
    assert Event.objects.filter(type="ShipmentShipped").count() == 1
    assert IncomingMessage.objects.count() == 1


def test_a_message_refused_for_the_shops_state_applies_when_its_sender_retries_it(
        client, connection, packed):
    _order, shipment = packed
    too_early = event("logistics", "shipment.in_transit", shipment_id=shipment.public_id)
    first = send(client, connection, too_early, msg_id="msg_early")
    send(client, connection, event("logistics", "shipment.handed_to_carrier",
                                   shipment_id=shipment.public_id))

    again = send(client, connection, too_early, msg_id="msg_early")
    third = send(client, connection, too_early, msg_id="msg_early")

    assert_problem(first, 409, "illegal-transition")
    assert again.status_code == 200 and third.json() == again.json()
    assert ShipmentTrackingEvent.objects.count() == 1
    kept = IncomingMessage.objects.get(webhook_id="msg_early")
    assert (kept.outcome, kept.status_code) == ("applied", 200)


def test_a_message_refused_for_what_it_says_is_refused_again(client, connection, packed):
    _order, shipment = packed
    unreadable = event("logistics", "shipment.handed_to_carrier",
                       shipment_id=shipment.public_id, tracking_number="")
    first = send(client, connection, unreadable, msg_id="msg_bad")
    again = send(client, connection, unreadable, msg_id="msg_bad")

    assert first.status_code == 422
    assert (again.status_code, again.json()) == (422, first.json())


def test_webhook_ids_are_per_connection(client, connection, shipped):
    _order, shipment = shipped
    other = logistics_connection()
    message = event("logistics", "shipment.in_transit", shipment_id=shipment.public_id)

    send(client, connection, message, msg_id="msg_1")
    send(client, other, message, msg_id="msg_1")

    assert ShipmentTrackingEvent.objects.count() == 2


# --- a refused message changes nothing, and is kept ----------------------------------------------

@pytest.mark.parametrize(("message", "status", "slug"), [
    (event("logistics", "shipment.delivered", shipment_id="no-such-shipment"), 404,
     "shipment-not-found"),
    ("PACKED", 409, "illegal-transition"),  # delivered before it shipped
    (event("logistics", "shipment.lost_in_space"), 422, "unknown-event-type"),
    (event("oms", "order.cancelled"), 422, "unknown-event-type"),  # an OMS type
    (event("logistics", "shipment.handed_to_carrier", tracking_number=""), 422,
     "invalid-incoming-message"),
    (event("logistics", "shipment.handed_to_carrier", tracking_number="1Z5R89390357567128"),
     422, "invalid-tracking-number"),
    ({"type": "shipment.delivered", "data": {}}, 422, "invalid-incoming-message"),
    ('{"type": "shipment.delivered", ', 422, "invalid-incoming-message"),
])
def test_a_message_that_cannot_apply_is_refused_kept_and_changes_nothing(
        client, connection, packed, message, status, slug):
    order, shipment = packed
    if message == "PACKED":
        message = event("logistics", "shipment.delivered", shipment_id=shipment.public_id)
    elif isinstance(message, dict) and message.get("type") == "shipment.handed_to_carrier":
        message["data"]["shipment_id"] = shipment.public_id
    before = snapshot(order)

    response = send(client, connection, message, msg_id="msg_refused")

    body = assert_problem(response, status, slug)
    assert snapshot(order) == before
    kept = IncomingMessage.objects.get()
    assert (kept.outcome, kept.status_code, kept.answer) == ("refused", status, body)
    assert kept.webhook_id == "msg_refused"


def test_invalid_data_is_named_by_its_field(client, connection, packed):
    _order, shipment = packed
    response = send(client, connection, event("logistics", "shipment.handed_to_carrier",
                                              shipment_id=shipment.public_id, carrier=""))

    body = assert_problem(response, 422, "invalid-incoming-message")
    assert list(body["errors"]) == ["data.carrier"]


def test_a_timestamp_utc_cannot_hold_is_refused_as_invalid(client, connection, shipped):
    _order, shipment = shipped
    message = event("logistics", "shipment.in_transit", shipment_id=shipment.public_id)
    message["timestamp"] = "0001-01-01T00:00:00+01:00"
    assert send(client, connection, message).status_code == 422
    assert not ShipmentTrackingEvent.objects.exists()
