"""Reactions of the orders app to other apps' events (run by the outbox worker).

Both are idempotent: they look at the current stock and payments, not at the event's numbers,
so a second delivery finds nothing left to do.
"""

from mercato.core.events import SYSTEM
from mercato.core.models import Event
from mercato.inventory.selectors import variant_of_stock
from mercato.orders.services import (
    RELEASE_ON_PAYMENT,
    allocate_awaiting_shipments,
    release_mode,
    release_paid_order,
)
from mercato.payments.selectors import payment_detail

RELEASING_TRANSACTIONS = {"authorize", "capture"}


def stock_arrived(event: Event) -> None:
    """StockReceived, StockLevelSet, StockReleased: units of a variant may have become available;
    allocate them to its backordered (AwaitingInventory) shipments, oldest order first."""
    variant_id = variant_of_stock(stock_id=int(event.aggregate_id))
    if variant_id is not None:
        allocate_awaiting_shipments(variant_ids=[variant_id], by=SYSTEM)


def payment_changed(event: Event) -> None:
    """PaymentReferenceAssigned (the order was placed with it), PaymentTransactionRecorded
    (authorized or captured later): with MERCATO_RELEASE_MODE=on_payment, release the order's
    shipments once all its payments are there."""
    if release_mode() != RELEASE_ON_PAYMENT:
        return
    if event.type == "PaymentTransactionRecorded" and not (
            event.payload.get("succeeded") and event.payload.get("kind") in RELEASING_TRANSACTIONS):
        return
    reference = (event.payload.get("reference")
                 or payment_detail(payment_id=event.aggregate_id).reference)
    if reference and not reference.startswith("checkout:"):
        release_paid_order(order_number=reference, by=SYSTEM)
