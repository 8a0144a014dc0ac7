"""Facts the returns app records. A return belongs to its order: the aggregate is the order
(aggregate_type "order", its public id), so every step shows in the order history; the payload
names the return by its RMA number and carries the customer's email for notifications."""

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from mercato.core.events import DomainEvent
from mercato.orders.events import OrderStatusChanged


@dataclass(frozen=True)
class ReturnEvent(DomainEvent):
    aggregate_type: ClassVar[str] = "order"
    rma: str
    order_number: str
    email: str


@dataclass(frozen=True)
class ReturnStatusChanged(ReturnEvent):
    old_status: str
    new_status: str
    reason: str


@dataclass(frozen=True)
class ReturnRequested(ReturnEvent):
    status: str
    units: int


@dataclass(frozen=True)
class ReturnLinesUpdated(ReturnEvent):
    units: int


@dataclass(frozen=True)
class ReturnApproved(ReturnStatusChanged):
    pass


@dataclass(frozen=True)
class ReturnRejected(ReturnStatusChanged):
    pass


@dataclass(frozen=True)
class ReturnReceived(ReturnStatusChanged):
    receipt_number: str
    warehouse: str
    resellable_units: int
    damaged_units: int


@dataclass(frozen=True)
class ReturnRefunded(ReturnEvent):
    amount: Decimal
    currency: str
    delivery_amount: Decimal


@dataclass(frozen=True)
class ReturnRefundFailed(ReturnEvent):
    payment_id: str
    amount: Decimal
    error_code: str


@dataclass(frozen=True)
class ReturnDifferencePaid(ReturnEvent):
    """The customer's payment for a dearer replacement is authorized."""

    payment_id: str
    method: str
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class ReturnDifferenceWaived(ReturnEvent):
    amount: Decimal
    currency: str
    reason: str


@dataclass(frozen=True)
class ReturnPaidTwice(ReturnEvent):
    """A payment for the difference was authorized while another one had already secured it:
    this one is voided (by the outbox), the customer never pays twice."""

    payment_id: str


@dataclass(frozen=True)
class ReturnPaymentRecorded(ReturnEvent):
    """A return's difference payment captured (replacement shipped) or voided (cancelled)."""

    payment_id: str
    kind: str
    amount: Decimal
    currency: str
    succeeded: bool


@dataclass(frozen=True)
class ReplacementShipmentCreated(ReturnEvent):
    shipment_id: str
    number: str
    units: int


@dataclass(frozen=True)
class ReturnCompleted(ReturnStatusChanged):
    pass


@dataclass(frozen=True)
class ReturnCancelled(ReturnStatusChanged):
    pass


@dataclass(frozen=True)
class OrderAwaitingExchange(OrderStatusChanged):
    pass
