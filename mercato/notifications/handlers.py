"""Reactions of the notifications app to other apps' events (run by the outbox worker).

Each email is sent once per event: the services claim a SentEmail row keyed by the event id.
"""

from mercato.notifications.cancellation import send_order_cancelled
from mercato.notifications.returns import send_return_update
from mercato.notifications.services import send_order_confirmation, send_shipment_shipped
from mercato.orders.events import OrderCancelled, OrderPlaced, ShipmentShipped
from mercato.returns.events import ReturnEvent


def order_placed(event: OrderPlaced, event_id: int) -> None:
    """Email the order confirmation."""
    send_order_confirmation(event_id=event_id, order_public_id=event.aggregate_id)


def shipment_shipped(event: ShipmentShipped, event_id: int) -> None:
    """Email the customer the parcel's carrier and tracking link."""
    send_shipment_shipped(event_id=event_id, order_public_id=event.aggregate_id,
                          shipment_public_id=event.shipment_id)


def return_changed(event: ReturnEvent, event_id: int) -> None:
    """A return's step (requested, approved, rejected, received, refunded, completed,
    cancelled, difference paid or waived): email the customer what happened and what comes
    next."""
    send_return_update(event_id=event_id)


def order_cancelled(event: OrderCancelled, event_id: int) -> None:
    """Email the customer that the order is cancelled and what happens to the money."""
    send_order_cancelled(event_id=event_id, order_public_id=event.aggregate_id,
                         reason=event.reason)
