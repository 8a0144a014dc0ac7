"""The handler table bench/outbox.py gives its workers (MERCATO_HANDLERS_MODULE=outbox_handlers,
with bench/ on PYTHONPATH): one handler writing one row, as a typical handler does."""

from dataclasses import dataclass

from mercato.core.events import DomainEvent, record


@dataclass(frozen=True)
class BenchOrderPlaced(DomainEvent):
    aggregate_type = "bench"


@dataclass(frozen=True)
class BenchReceiptWritten(DomainEvent):
    aggregate_type = "bench"


HANDLERS = {"BenchOrderPlaced": ["outbox_handlers.write_receipt"]}


def write_receipt(event: BenchOrderPlaced, event_id: int) -> None:
    record(BenchReceiptWritten(aggregate_id=event.aggregate_id))
