"""Facts the fulfilment app records. A picklist's history is its own aggregate; what happens
to each shipment on it is recorded in its order's history by the orders services."""

from dataclasses import dataclass
from typing import ClassVar

from mercato.core.events import DomainEvent


@dataclass(frozen=True)
class PicklistCreated(DomainEvent):
    aggregate_type: ClassVar[str] = "picklist"  # aggregate_id: the picklist number
    warehouse: str  # code
    shipments: str  # "MRC-100001-1, MRC-100002-1"
    shipment_count: int
    units: int
