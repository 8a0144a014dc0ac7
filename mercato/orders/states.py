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
