"""Replay: deliver recorded events again to their handlers, on purpose.

The one exception to "a done delivery is never run again", asked for by staff (a handler was
fixed, an outside system lost its data): each (event, handler) delivery of the events chosen
becomes pending and due now with a fresh round of attempts, and a handler added to the table
after the event was delivered gets its delivery too. Its earlier attempts stay in the attempt
log. Handlers are idempotent on the event id, so a replay repeats only what the handler itself
chooses to repeat. Every replay is recorded as an event (who, what) for the audit trail.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from mercato.core.events import Actor, DomainEvent, record
from mercato.core.models import Event, EventDelivery
from mercato.core.outbox.services import handler_table
from mercato.core.problems import Conflict, InvalidInput, NotFound

CHUNK = 1000


@dataclass(frozen=True)
class EventReplayed(DomainEvent):
    aggregate_type = "event"
    handlers: str = ""  # comma-separated handler paths


@dataclass(frozen=True)
class EventsReplayed(DomainEvent):
    """aggregate_id is the replayed event type."""

    aggregate_type = "event-type"
    since: str = ""
    until: str = ""
    events: int = 0


def replay_event(*, event_id: int, by: Actor) -> int:
    """Deliver one event again to every handler of its type; the number of deliveries due."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        raise NotFound(f"Event {event_id} does not exist.")
    handlers = _handlers_of(event.type)
    with transaction.atomic():
        due = _make_due(Event.objects.filter(pk=event.pk), handlers)
        record(EventReplayed(aggregate_id=str(event.pk), handlers=", ".join(handlers)), by=by)
    return due


def replay_events(*, event_type: str, since: datetime, until: datetime, by: Actor) -> int:
    """Deliver again every event of `event_type` recorded in [since, until) to its handlers;
    the number of events replayed (none in the range: nothing changes, nothing is recorded)."""
    if since >= until:
        raise InvalidInput(f"The range must end after it starts ({since} is not before {until}).")
    handlers = _handlers_of(event_type)
    events = Event.objects.filter(type=event_type, created_at__gte=since, created_at__lt=until)
    with transaction.atomic():
        count = events.count()
        if count:
            _make_due(events, handlers)
            record(EventsReplayed(aggregate_id=event_type, since=since.isoformat(),
                                  until=until.isoformat(), events=count), by=by)
    return count


def _handlers_of(event_type: str) -> list[str]:
    handlers = handler_table().get(event_type)
    if not handlers:
        raise Conflict(f"No handler reacts to {event_type} events: there is nothing to replay.")
    return handlers


def _make_due(events: QuerySet[Event], handlers: list[str]) -> int:
    """Each (event, handler) pending and due now: missing rows created, existing ones reset."""
    now = timezone.now()
    event_ids = list(events.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(event_ids), CHUNK):
        EventDelivery.objects.bulk_create(
            [EventDelivery(event_id=event_id, handler=handler, next_attempt_at=now)
             for event_id in event_ids[start:start + CHUNK] for handler in handlers],
            ignore_conflicts=True)
    # Only the current table's handlers: a removed handler's old deliveries stay as they are.
    return EventDelivery.objects.filter(event__in=events, handler__in=handlers).update(
        status=EventDelivery.Status.PENDING, attempts=0, next_attempt_at=now, lease_until=None,
        last_error="", done_at=None)
