"""Facts checkout records; the aggregate is the cart (its token stays out of the history)."""

from dataclasses import dataclass
from typing import ClassVar

from mercato.core.events import DomainEvent


@dataclass(frozen=True)
class CheckoutCompleted(DomainEvent):
    aggregate_type: ClassVar[str] = "checkout"
    order_number: str
    payments: str  # public ids, comma-separated


@dataclass(frozen=True)
class CheckoutFailed(DomainEvent):
    aggregate_type: ClassVar[str] = "checkout"
    problem: str  # the problem type slug
    detail: str
