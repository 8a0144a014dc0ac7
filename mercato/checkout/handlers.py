"""Reactions of the checkout app to events (run by the outbox worker)."""

from django.conf import settings

from mercato.core.events import SYSTEM
from mercato.core.states import IllegalTransition
from mercato.orders.events import OrderPlaced
from mercato.orders.services import capture_order_payments


def capture_placed_order(event: OrderPlaced, event_id: int) -> None:
    """MERCATO_CAPTURE_MODE=order: capture the new order's Authorized payments in full (each
    keyed by its payment, so a second delivery replays the first capture)."""
    if settings.MERCATO_CAPTURE_MODE != "order":
        return
    try:
        capture_order_payments(public_id=event.aggregate_id, by=SYSTEM)
    except IllegalTransition:
        return  # cancelled before this ran: its settlement voids the payments instead
