"""Reactions of the orders app to events (run by the outbox worker).

Each is idempotent: it looks at the current stock and payments, not at the event's numbers, and
every gateway call is keyed by what it settles, so a second delivery finds nothing left to do.
"""

from mercato.core.events import SYSTEM
from mercato.inventory.events import StockLevelSet, StockReceived, StockReleased
from mercato.inventory.selectors import variant_of_stock
from mercato.orders.events import (
    OrderCancelled,
    ShipmentCancelled,
    ShipmentDelivered,
    ShipmentShipped,
)
from mercato.orders.services import (
    RELEASE_ON_PAYMENT,
    allocate_awaiting_shipments,
    capture_shipped_order,
    collect_cash_on_delivery,
    refund_cancelled_parcel,
    release_mode,
    release_paid_order,
    settle_cancelled_order,
)
from mercato.payments.events import PaymentReferenceAssigned, PaymentTransactionRecorded
from mercato.payments.selectors import payment_detail

RELEASING_TRANSACTIONS = {"authorize", "capture"}


def stock_arrived(event: StockReceived | StockLevelSet | StockReleased, event_id: int) -> None:
    """Units of a variant may have become available: allocate them to its backordered
    (AwaitingInventory) shipments, oldest order first."""
    variant_id = variant_of_stock(stock_id=int(event.aggregate_id))
    if variant_id is not None:
        allocate_awaiting_shipments(variant_ids=[variant_id], by=SYSTEM)


def payment_changed(event: PaymentReferenceAssigned | PaymentTransactionRecorded,
                    event_id: int) -> None:
    """The order was placed with this payment, or it was authorized or captured later: with
    MERCATO_RELEASE_MODE=on_payment, release the order's shipments once all its payments are
    there."""
    if release_mode() != RELEASE_ON_PAYMENT:
        return
    if isinstance(event, PaymentTransactionRecorded) and not (
            event.succeeded and event.kind in RELEASING_TRANSACTIONS):
        return
    reference = (event.reference if isinstance(event, PaymentReferenceAssigned)
                 else payment_detail(payment_id=event.aggregate_id).reference)
    if reference and not reference.startswith("checkout:"):
        release_paid_order(order_number=reference, by=SYSTEM)


def order_cancelled(event: OrderCancelled, event_id: int) -> None:
    """Void (authorized) or refund (captured) the cancelled order's payments."""
    settle_cancelled_order(public_id=event.aggregate_id, by=SYSTEM)


def shipment_shipped(event: ShipmentShipped, event_id: int) -> None:
    """Capture what the order still owes (less the value of its cancelled parcels)."""
    capture_shipped_order(public_id=event.aggregate_id, by=SYSTEM)


def shipment_delivered(event: ShipmentDelivered, event_id: int) -> None:
    """Cash on delivery was handed over: the order's Pending cash payments are paid."""
    collect_cash_on_delivery(public_id=event.aggregate_id, by=SYSTEM)


def shipment_cancelled(event: ShipmentCancelled, event_id: int) -> None:
    """A parcel cancelled after the order's payments were captured: refund its value."""
    if event.refund_value:
        refund_cancelled_parcel(public_id=event.aggregate_id, shipment_id=event.shipment_id,
                                by=SYSTEM)
