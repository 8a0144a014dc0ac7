"""Facts the payments app records; the aggregate id is the payment's (or gift card's) public id."""

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from mercato.core.events import DomainEvent


@dataclass(frozen=True)
class PaymentCreated(DomainEvent):
    aggregate_type: ClassVar[str] = "payment"
    reference: str
    method: str
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class PaymentTransactionRecorded(DomainEvent):
    """One gateway call (or cash collection) and its result; status is the payment's after it."""

    aggregate_type: ClassVar[str] = "payment"
    kind: str
    amount: Decimal
    succeeded: bool
    error_code: str
    status: str


@dataclass(frozen=True)
class GiftCardIssued(DomainEvent):
    aggregate_type: ClassVar[str] = "giftcard"
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class GiftCardBalanceChanged(DomainEvent):
    """Redeemed (negative amount) or restored (positive), for `reference`."""

    aggregate_type: ClassVar[str] = "giftcard"
    amount: Decimal
    reference: str


@dataclass(frozen=True)
class PaymentReferenceAssigned(DomainEvent):
    aggregate_type: ClassVar[str] = "payment"
    reference: str


@dataclass(frozen=True)
class PaymentDisputed(DomainEvent):
    """The card holder's bank disputes the charge (a chargeback); Stripe holds `amount`."""

    aggregate_type: ClassVar[str] = "payment"
    amount: Decimal
    currency: str
    reason: str
    dispute_reference: str
