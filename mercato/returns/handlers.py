"""Reactions of the returns app to other apps' events (run by the outbox worker)."""

from mercato.core.events import SYSTEM
from mercato.core.models import Event
from mercato.returns.models import ReturnRequest
from mercato.returns.services import capture_difference, complete_if_settled


def replacement_shipped(event: Event) -> None:
    """ShipmentShipped: when the parcel is a return's replacement, capture the difference the
    customer paid for it and complete the return if nothing else is left. Idempotent: the
    capture is keyed by the payment, and a completed return is left as it is."""
    shipment_id = event.payload["shipment_id"]
    rma = (ReturnRequest.objects.filter(replacement_shipment__public_id=shipment_id)
           .values_list("rma", flat=True).first())
    if rma is None:
        return
    capture_difference(rma=rma, by=SYSTEM)
    complete_if_settled(rma=rma, by=SYSTEM)
