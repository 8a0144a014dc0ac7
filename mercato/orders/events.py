"""Facts the orders app records; the aggregate id is the order's public id."""

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from mercato.core.events import DomainEvent


@dataclass(frozen=True)
class OrderPlaced(DomainEvent):
    aggregate_type: ClassVar[str] = "order"
    number: str
    email: str
    currency: str
    total: Decimal


@dataclass(frozen=True)
class OrderStatusChanged(DomainEvent):
    """Base of the status moves: from which status to which, and why (free text)."""

    aggregate_type: ClassVar[str] = "order"
    number: str
    old_status: str
    new_status: str
    reason: str


@dataclass(frozen=True)
class OrderPutOnHold(OrderStatusChanged):
    pass


@dataclass(frozen=True)
class OrderHoldReleased(OrderStatusChanged):
    pass


@dataclass(frozen=True)
class OrderCancelled(OrderStatusChanged):
    pass
