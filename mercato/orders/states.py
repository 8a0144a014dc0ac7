"""Order states and the moves between them (ARCHITECTURE.md, "States")."""

from django.db import models

from mercato.core.states import Move, Transitions


class OrderStatus(models.TextChoices):
    IN_PROGRESS = "InProgress"
    ON_HOLD = "OnHold"
    PARTIALLY_SHIPPED = "PartiallyShipped"
    COMPLETED = "Completed"
    CANCELLED = "Cancelled"
    AWAITING_EXCHANGE = "AwaitingExchange"


S = OrderStatus

ORDER_TRANSITIONS = Transitions(
    field="status",
    moves={
        "hold": Move({S.IN_PROGRESS}, S.ON_HOLD),
        "release_hold": Move({S.ON_HOLD}, S.IN_PROGRESS),
        "mark_partially_shipped": Move({S.IN_PROGRESS}, S.PARTIALLY_SHIPPED),
        "complete": Move({S.IN_PROGRESS, S.PARTIALLY_SHIPPED}, S.COMPLETED),
        "cancel": Move({S.IN_PROGRESS, S.ON_HOLD}, S.CANCELLED),
        "await_exchange": Move({S.COMPLETED}, S.AWAITING_EXCHANGE),
        "exchange_shipped": Move({S.AWAITING_EXCHANGE}, S.COMPLETED),
    },
)


class ShipmentStatus(models.TextChoices):
    AWAITING_INVENTORY = "AwaitingInventory"
    INVENTORY_ASSIGNED = "InventoryAssigned"
    RELEASED = "Released", "Released for shipping"
    PACKING = "Packing"
    SHIPPED = "Shipped"
    ON_HOLD = "OnHold"
    CANCELLED = "Cancelled"


SS = ShipmentStatus

SHIPMENT_TRANSITIONS = Transitions(
    field="status",
    moves={
        "assign": Move({SS.AWAITING_INVENTORY}, SS.INVENTORY_ASSIGNED),
        "release": Move({SS.INVENTORY_ASSIGNED}, SS.RELEASED),
        "pack": Move({SS.RELEASED}, SS.PACKING),
        "ship": Move({SS.PACKING}, SS.SHIPPED),
        # A held parcel keeps its stock; released from hold, it must be released for shipping
        # again. Once on a picklist (Packing) it is the warehouse's to finish or cancel.
        "hold": Move({SS.INVENTORY_ASSIGNED, SS.RELEASED}, SS.ON_HOLD),
        "release_hold": Move({SS.ON_HOLD}, SS.INVENTORY_ASSIGNED),
        "cancel": Move({SS.AWAITING_INVENTORY, SS.INVENTORY_ASSIGNED, SS.RELEASED, SS.PACKING,
                        SS.ON_HOLD}, SS.CANCELLED),
    },
)

# Moves of a shipment that the orders services refuse while its order is on hold or cancelled
# (services/shipments.py _check_order_open): the back office does not offer them then.
MOVES_STOPPED_BY_ORDER = frozenset({"release", "pack", "ship"})
ORDER_STOPS_SHIPPING = frozenset({S.ON_HOLD, S.CANCELLED})


def shipment_moves_allowed(*, shipment_status: str, order_status: str) -> set[str]:
    """The shipment's moves its own status allows, less those its order's status stops."""
    allowed = set(SHIPMENT_TRANSITIONS.allowed_actions(shipment_status))
    if order_status in ORDER_STOPS_SHIPPING:
        allowed -= MOVES_STOPPED_BY_ORDER
    return allowed
