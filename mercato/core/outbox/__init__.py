"""The outbox: delivering recorded events to their handlers (see services.py for the design)."""

from mercato.core.outbox.calls import (
    OutsideCallFailed,
    RetryPolicy,
    idempotency_key,
    outside_transaction,
    retried,
    status_code_of,
)
from mercato.core.outbox.services import (
    DeliveryReport,
    backoff,
    deliver_due,
    replay_event,
    replay_events,
    retry_delivery,
)
from mercato.core.outbox.table import handler_table

__all__ = ["DeliveryReport", "OutsideCallFailed", "RetryPolicy", "backoff", "deliver_due",
           "handler_table", "idempotency_key", "outside_transaction", "replay_event",
           "replay_events", "retried", "retry_delivery", "status_code_of"]
