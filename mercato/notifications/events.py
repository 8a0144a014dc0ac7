"""Facts the notifications app records. The order's history shows its confirmation email."""

from dataclasses import dataclass
from typing import ClassVar

from mercato.core.events import DomainEvent


@dataclass(frozen=True)
class OrderConfirmationSent(DomainEvent):
    aggregate_type: ClassVar[str] = "order"
    number: str
    to: str
    event_id: int  # the OrderPlaced event it answers


@dataclass(frozen=True)
class ShipmentShippedEmailSent(DomainEvent):
    aggregate_type: ClassVar[str] = "order"
    number: str
    shipment_number: str
    to: str
    event_id: int  # the ShipmentShipped event it answers


@dataclass(frozen=True)
class ReturnEmailSent(DomainEvent):
    aggregate_type: ClassVar[str] = "order"
    rma: str
    step: str  # the return event type it answers: ReturnApproved, ReturnRefunded, ...
    to: str
    event_id: int


@dataclass(frozen=True)
class OrderCancelledEmailSent(DomainEvent):
    aggregate_type: ClassVar[str] = "order"
    number: str
    to: str
    event_id: int  # the OrderCancelled event it answers
