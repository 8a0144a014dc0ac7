"""The outbox: delivering recorded events to their handlers (see services.py for the design)."""

from mercato.core.outbox.services import (
    DeliveryReport,
    backoff,
    deliver_due,
    retry_delivery,
)
from mercato.core.outbox.table import handler_table

__all__ = ["DeliveryReport", "backoff", "deliver_due", "handler_table", "retry_delivery"]
