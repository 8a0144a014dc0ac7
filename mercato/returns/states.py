"""Return states and the moves between them (ARCHITECTURE.md, "States").

Requested -> (approve) AwaitingStockReturn -> (receive) AwaitingCompletion -> (complete)
Complete; Requested -> (reject) Rejected; cancel from any open state. A return that needs no
goods back (not faulty) may be completed from AwaitingStockReturn; rules.check_completable
refuses a faulty one without its receiving receipt.
"""

from django.db import models

from mercato.core.states import Move, Transitions


class ReturnStatus(models.TextChoices):
    REQUESTED = "Requested"
    AWAITING_STOCK_RETURN = "AwaitingStockReturn", "Awaiting stock return"
    AWAITING_COMPLETION = "AwaitingCompletion", "Awaiting completion"
    COMPLETE = "Complete"
    CANCELLED = "Cancelled"
    REJECTED = "Rejected"


S = ReturnStatus

OPEN_STATUSES = frozenset({S.REQUESTED, S.AWAITING_STOCK_RETURN, S.AWAITING_COMPLETION})

RETURN_TRANSITIONS = Transitions(
    field="status",
    moves={
        "approve": Move({S.REQUESTED}, S.AWAITING_STOCK_RETURN),
        "reject": Move({S.REQUESTED}, S.REJECTED),
        "receive": Move({S.AWAITING_STOCK_RETURN}, S.AWAITING_COMPLETION),
        "complete": Move({S.AWAITING_STOCK_RETURN, S.AWAITING_COMPLETION}, S.COMPLETE),
        "cancel": Move(OPEN_STATUSES, S.CANCELLED),
    },
)

# Actions that are not status moves but are allowed only in these states.
EDITABLE_STATUSES = frozenset({S.REQUESTED, S.AWAITING_STOCK_RETURN})
REFUNDABLE_STATUSES = frozenset({S.AWAITING_STOCK_RETURN, S.AWAITING_COMPLETION})
REPLACEABLE_STATUSES = frozenset({S.AWAITING_STOCK_RETURN, S.AWAITING_COMPLETION})
# Approved and not settled: the customer has instructions to print.
WITH_INSTRUCTIONS = frozenset({S.AWAITING_STOCK_RETURN, S.AWAITING_COMPLETION})
