"""The outbox: delivering recorded events to their handlers (see services.py for the design)."""

from mercato.core.outbox.calls import OutsideCallFailed, idempotency_key, status_code_of
from mercato.core.outbox.services import (
    DeliveryReport,
    backoff,
    deliver_due,
    handler_table,
    retry_delivery,
)

__all__ = ["DeliveryReport", "OutsideCallFailed", "backoff", "deliver_due", "handler_table",
           "idempotency_key", "retry_delivery", "status_code_of"]
