"""Reactions of the returns app to events (run by the outbox worker).

Each is idempotent: the payment calls are keyed by the payment, a payment no longer Authorized
is left alone, and a completed return is left as it is.
"""

from django.conf import settings

from mercato.core.events import SYSTEM
from mercato.orders.events import ShipmentShipped
from mercato.returns.events import (
    ReturnCancelled,
    ReturnDifferencePaid,
    ReturnPaidTwice,
    ReturnRejected,
)
from mercato.returns.models import ReturnRequest
from mercato.returns.services import (
    capture_difference,
    complete_if_settled,
    void_difference,
    void_duplicate_payment,
)


def replacement_shipped(event: ShipmentShipped, event_id: int) -> None:
    """When the parcel is a return's replacement, capture the difference the customer paid
    for it and complete the return if nothing else is left."""
    rma = (ReturnRequest.objects.filter(replacement_shipment__public_id=event.shipment_id)
           .values_list("rma", flat=True).first())
    if rma is None:
        return
    capture_difference(rma=rma, by=SYSTEM)
    complete_if_settled(rma=rma, by=SYSTEM)


def difference_paid(event: ReturnDifferencePaid, event_id: int) -> None:
    """MERCATO_CAPTURE_MODE=order: the difference is captured as soon as it is paid."""
    if settings.MERCATO_CAPTURE_MODE == "order":
        capture_difference(rma=event.rma, by=SYSTEM)


def return_closed(event: ReturnRejected | ReturnCancelled, event_id: int) -> None:
    """A rejected or cancelled return gives back the difference the customer paid."""
    void_difference(rma=event.rma, by=SYSTEM)


def paid_twice(event: ReturnPaidTwice, event_id: int) -> None:
    """The second payment of a difference already secured is voided."""
    void_duplicate_payment(rma=event.rma, payment_id=event.payment_id, by=SYSTEM)
