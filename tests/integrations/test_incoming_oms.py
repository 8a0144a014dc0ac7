"""An OMS holds, releases, cancels and ships orders through the services staff use."""

import pytest

from mercato.core.events import Actor
from mercato.core.models import Event
from mercato.integrations.models import IncomingMessage
from mercato.inventory.models import Stock
from mercato.orders.models import Order, Shipment
from mercato.orders.services import mark_shipment_shipped
from mercato.orders.states import OrderStatus, ShipmentStatus
from tests.integrations.incoming import UPS, event, oms_connection, packed_order, send
from tests.orders.builders import make_quote, place
from tests.outbox import deliver_all

pytestmark = pytest.mark.django_db
STAFF = Actor("staff", "warehouse@example.com")


@pytest.fixture
def connection():
    return oms_connection()


def status(order: Order) -> str:
    return Order.objects.get(pk=order.pk).status


def test_an_order_is_put_on_hold_and_released(client, connection):
    order = place(make_quote())

    held = send(client, connection, event("oms", "order.put_on_hold",
                                          order_number=order.number))
    assert held.status_code == 200, held.content
    assert status(order) == OrderStatus.ON_HOLD
    assert Event.objects.get(type="OrderPutOnHold").payload["reason"] == "fraud check"

    released = send(client, connection, event("oms", "order.hold_released",
                                              order_number=order.number))
    assert released.status_code == 200, released.content
    assert status(order) == OrderStatus.IN_PROGRESS
    assert released.json()["detail"] == f"Order {order.number} is released from hold."


def test_a_cancellation_releases_the_stock_and_emails_the_customer(client, connection,
                                                                   mailoutbox):
    order = place(make_quote())

    response = send(client, connection, event("oms", "order.cancelled",
                                              order_number=order.number))
    deliver_all()

    assert response.status_code == 200, response.content
    assert status(order) == OrderStatus.CANCELLED
    assert list(Stock.objects.values_list("allocated", flat=True)) == [0, 0]
    assert [m.to for m in mailoutbox if "cancel" in m.subject.lower()] == [[order.email]]


def test_shipment_shipped_ships_the_packed_parcel(client, connection):
    order, shipment = packed_order()

    response = send(client, connection, event("oms", "shipment.shipped",
                                              shipment_id=shipment.public_id))

    assert response.status_code == 200, response.content
    shipment.refresh_from_db()
    assert (shipment.status, shipment.tracking_number) == (ShipmentStatus.SHIPPED, UPS)
    assert status(order) == OrderStatus.COMPLETED


def test_an_order_on_hold_is_not_shipped(client, connection):
    order, shipment = packed_order()
    send(client, connection, event("oms", "order.put_on_hold", order_number=order.number))

    response = send(client, connection, event("oms", "shipment.shipped",
                                              shipment_id=shipment.public_id))

    assert response.status_code == 409
    assert response.json()["type"].endswith("/order-on-hold")
    assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.PACKING


@pytest.mark.parametrize(("move", "slug"), [
    ("order.cancelled", "illegal-transition"),  # Completed: it shipped
    ("order.put_on_hold", "illegal-transition"),
    ("order.hold_released", "illegal-transition"),
])
def test_a_move_the_order_does_not_allow_is_409_and_changes_nothing(client, connection, move,
                                                                    slug):
    order, shipment = packed_order()
    mark_shipment_shipped(public_id=shipment.public_id, carrier="UPS", tracking_number=UPS,
                          tracking_url="", weight_grams=None, by=STAFF)
    events = Event.objects.count()

    response = send(client, connection, event("oms", move, order_number=order.number))

    assert response.status_code == 409, response.content
    assert response.json()["type"].endswith("/" + slug)
    assert status(order) == OrderStatus.COMPLETED and Event.objects.count() == events
    assert IncomingMessage.objects.get().outcome == "refused"


def test_an_unknown_order_is_404(client, connection):
    response = send(client, connection, event("oms", "order.cancelled",
                                              order_number="MRC-999999"))

    assert response.status_code == 404
    assert response.json()["type"].endswith("/order-not-found")
    assert IncomingMessage.objects.get().status_code == 404


def test_a_logistics_type_is_unknown_to_an_oms(client, connection):
    _order, shipment = packed_order()
    response = send(client, connection, event("logistics", "shipment.handed_to_carrier",
                                              shipment_id=shipment.public_id))

    assert response.status_code == 422
    assert "order.put_on_hold" in response.json()["errors"]["type"][0]
    assert Shipment.objects.get(pk=shipment.pk).status == ShipmentStatus.PACKING
