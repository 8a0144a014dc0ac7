"""Reactions of the notifications app to other apps' events (run by the outbox worker)."""

from mercato.core.models import Event
from mercato.notifications.cancellation import send_order_cancelled
from mercato.notifications.returns import send_return_update
from mercato.notifications.services import send_order_confirmation, send_shipment_shipped


def order_placed(event: Event) -> None:
    """OrderPlaced: email the order confirmation (once per event; see the service)."""
    send_order_confirmation(event_id=event.pk, order_public_id=event.aggregate_id)


def shipment_shipped(event: Event) -> None:
    """ShipmentShipped: email the customer the parcel's carrier and tracking link (once)."""
    send_shipment_shipped(event_id=event.pk, order_public_id=event.aggregate_id,
                          shipment_public_id=event.payload["shipment_id"])


def return_changed(event: Event) -> None:
    """A return's step (requested, approved, rejected, received, refunded, completed,
    cancelled, difference paid or waived): email the customer what happened and what comes
    next (once per event)."""
    send_return_update(event_id=event.pk)


def order_cancelled(event: Event) -> None:
    """OrderCancelled: email the customer that the order is cancelled and what happens to the
    money (once per event)."""
    send_order_cancelled(event_id=event.pk, order_public_id=event.aggregate_id,
                         reason=event.payload.get("reason", ""))
