"""Recording domain events: one row in the same transaction as the change it describes."""

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from mercato.core.models import Event


@dataclass(frozen=True)
class Actor:
    kind: str  # "customer", "staff", "system", "api"
    label: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.label}" if self.label else self.kind


SYSTEM = Actor("system")


@dataclass(frozen=True)
class DomainEvent:
    """Base of every event: a past-tense fact about one aggregate."""

    aggregate_type: ClassVar[str] = ""
    aggregate_id: str

    def payload(self) -> dict[str, Any]:
        encoder = DjangoJSONEncoder()
        return {
            key: value if isinstance(value, str | int | bool | None) else encoder.default(value)
            for key, value in dataclasses.asdict(self).items()
        }


def record(event: DomainEvent, *, by: Actor = SYSTEM) -> Event:
    """Append `event`; must run inside the service's transaction."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("record() must be called inside the service's transaction")
    return Event.objects.create(
        type=type(event).__name__,
        aggregate_type=event.aggregate_type,
        aggregate_id=event.aggregate_id,
        payload=event.payload(),
        actor=str(by)[:200],
    )


def history(aggregate_type: str, aggregate_id: str) -> list[Event]:
    return list(Event.objects.filter(aggregate_type=aggregate_type, aggregate_id=aggregate_id))
