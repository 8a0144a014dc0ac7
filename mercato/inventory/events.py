"""Facts the inventory app records; the aggregate is one stock row (a variant in a warehouse)."""

from dataclasses import dataclass
from typing import ClassVar

from mercato.core.events import DomainEvent


@dataclass(frozen=True)
class StockLevelSet(DomainEvent):
    """Someone counted the shelf and typed in the units on hand."""

    aggregate_type: ClassVar[str] = "stock"
    sku: str
    warehouse: str
    old_on_hand: int
    new_on_hand: int
    bin_location: str


@dataclass(frozen=True)
class StockReceived(DomainEvent):
    """Units arrived in a warehouse and were added to what is on hand."""

    aggregate_type: ClassVar[str] = "stock"
    sku: str
    warehouse: str
    quantity: int
    on_hand: int


@dataclass(frozen=True)
class StockAllocated(DomainEvent):
    """Units of a stock row were set aside for an order (`reference`: the order's public id)."""

    aggregate_type: ClassVar[str] = "stock"
    sku: str
    warehouse: str
    quantity: int
    allocated: int
    reference: str


@dataclass(frozen=True)
class StockReleased(DomainEvent):
    """Allocated units went back to available (a cancelled order or shipment)."""

    aggregate_type: ClassVar[str] = "stock"
    sku: str
    warehouse: str
    quantity: int
    allocated: int
    reference: str


@dataclass(frozen=True)
class StockShipped(DomainEvent):
    """Allocated units left the warehouse in a parcel: on hand and allocated both went down."""

    aggregate_type: ClassVar[str] = "stock"
    sku: str
    warehouse: str
    quantity: int
    on_hand: int
    allocated: int
    reference: str
