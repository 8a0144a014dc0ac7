"""Facts the orders app records; the aggregate id is the order's public id."""

from dataclasses import dataclass
from datetime import datetime
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


@dataclass(frozen=True)
class OrderPartiallyShipped(OrderStatusChanged):
    pass


@dataclass(frozen=True)
class OrderCompleted(OrderStatusChanged):
    pass


# A shipment belongs to its order: its events are part of the order's history (aggregate = the
# order's public id) and name the shipment by its public id and number.

@dataclass(frozen=True)
class ShipmentCreated(DomainEvent):
    aggregate_type: ClassVar[str] = "order"
    shipment_id: str
    number: str
    status: str
    warehouse: str  # code; "" when nothing in it needs stock
    delivery_method: str
    delivery_amount: Decimal
    lines: str  # "2 x SKU-1, 1 x SKU-2"


@dataclass(frozen=True)
class ShipmentStatusChanged(DomainEvent):
    """Base of a shipment's moves: from which status to which, and why (free text)."""

    aggregate_type: ClassVar[str] = "order"
    shipment_id: str
    number: str
    old_status: str
    new_status: str
    reason: str = ""


@dataclass(frozen=True)
class ShipmentCancelled(ShipmentStatusChanged):
    # The order's payments were captured when the parcel was cancelled (the rest of the order
    # goes on): its value is refunded. Decided in the cancellation's transaction, because a
    # capture made later already leaves the cancelled parcels out.
    refund_value: bool = False


@dataclass(frozen=True)
class ShipmentInventoryAssigned(ShipmentStatusChanged):
    """Stock arrived for a backordered (AwaitingInventory) shipment and was allocated to it."""

    warehouse: str = ""
    lines: str = ""


@dataclass(frozen=True)
class ShipmentReleased(ShipmentStatusChanged):
    """Released for shipping: the warehouse may put it on a picklist."""


@dataclass(frozen=True)
class ShipmentPutOnHold(ShipmentStatusChanged):
    pass


@dataclass(frozen=True)
class ShipmentHoldReleased(ShipmentStatusChanged):
    pass


@dataclass(frozen=True)
class ShipmentPacked(ShipmentStatusChanged):
    """On a picklist (`reference`: its number); the warehouse is packing it."""

    reference: str = ""


@dataclass(frozen=True)
class ShipmentShipped(ShipmentStatusChanged):
    """The parcel left the warehouse; notifications email `email` the tracking link."""

    warehouse: str = ""
    carrier: str = ""
    tracking_number: str = ""
    tracking_url: str = ""
    weight_grams: int | None = None
    email: str = ""


@dataclass(frozen=True)
class ShipmentDelivered(DomainEvent):
    aggregate_type: ClassVar[str] = "order"
    shipment_id: str
    number: str


@dataclass(frozen=True)
class OrderPaymentRecorded(DomainEvent):
    """Base of what staff or a cancellation did to one of the order's payments (the payment's
    own ledger has the details); `succeeded` False when the provider refused."""

    aggregate_type: ClassVar[str] = "order"
    number: str
    payment_id: str
    method: str
    amount: Decimal
    currency: str
    succeeded: bool
    error_code: str


@dataclass(frozen=True)
class OrderPaymentCaptured(OrderPaymentRecorded):
    pass


@dataclass(frozen=True)
class OrderPaymentVoided(OrderPaymentRecorded):
    pass


@dataclass(frozen=True)
class OrderPaymentRefunded(OrderPaymentRecorded):
    pass


@dataclass(frozen=True)
class ShipmentTrackingRecorded(DomainEvent):
    """The carrier reported a shipped parcel's progress (ShipmentTrackingEvent.Kind: in
    transit, out for delivery, a delivery problem, returned to sender); its status stays."""

    aggregate_type: ClassVar[str] = "order"
    shipment_id: str
    number: str
    kind: str
    description: str
    location: str
    occurred_at: datetime
