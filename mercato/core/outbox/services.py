"""The outbox worker: deliver each recorded Event to each handler of its type, at least once.

Deliveries are created lazily by the worker, not by record(): record() stays one INSERT in the
service's transaction, and a delivery row exists only for events whose type has handlers. The
scan picks handled events with no delivery yet, either newer than the newest event that has one
(the cursor) or recorded within OUTBOX_LOOKBACK: on PostgreSQL ids are not committed in order, so
a slow transaction can commit an older id after the cursor passed it; the window catches it.
Each delivery runs in its own transaction with its row locked (skip_locked on PostgreSQL, so
several workers share the work; SQLite serialises writers), so a handler's own database writes
commit together with "done". A done delivery is never re-run; a failing one is retried with
exponential backoff and becomes a dead letter after MERCATO_OUTBOX_MAX_ATTEMPTS.

Both transports end in deliver_one: the embedded worker (deliver_due, a loop in `manage.py
run_worker`) and the Celery tasks (dispatch.py leases rows and sends their ids; a worker runs
deliver_one for each), so "handled once" rests on the row, never on the transport. Staff may
retry a delivery, or replay events (the one way a done delivery runs again; see the replay
section at the end).
"""

import contextlib
import logging
import os
import random
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from mercato.core.events import Actor, DomainEvent, from_row, record
from mercato.core.models import DeliveryAttempt, Event, EventDelivery
from mercato.core.operations.log_context import delivery_log_context
from mercato.core.outbox.calls import (
    RetryPolicy,
    exchange_of,
    retry_policy_of,
    runs_outside_transaction,
    status_code_of,
)
from mercato.core.outbox.table import (
    call_handler,
    deliverable_table,
    handler_of,
    handler_table,
)
from mercato.core.problems import Conflict, InvalidInput, NotFound

logger = logging.getLogger(__name__)

OUTBOX_LOOKBACK = timedelta(minutes=10)
SCAN_BATCH = 500
MAX_BACKOFF_SECONDS = 3600
Status = EventDelivery.Status
Outcome = DeliveryAttempt.Outcome
OUTCOME_OF = {Status.DONE: Outcome.DONE, Status.PENDING: Outcome.FAILED, Status.DEAD: Outcome.DEAD}


@dataclass(frozen=True)
class DeliveryRetried(DomainEvent):
    aggregate_type = "delivery"
    handler: str = ""


@dataclass
class DeliveryReport:
    created: int = 0
    done: int = 0
    failed: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.done + self.failed + self.dead


def max_attempts() -> int:
    return int(getattr(settings, "MERCATO_OUTBOX_MAX_ATTEMPTS", 8))


def backoff(attempts: int, *, jitter: float | None = None,
            ceiling: timedelta | None = None) -> timedelta:
    """The wait after the `attempts`-th failure: 2, 4, 8 ... seconds up to an hour (or the
    `ceiling` a handler's RetryPolicy gives), each drawn between half and all of that (`jitter`
    in [0, 1], random by default), so deliveries that failed together (an outage) are not all
    retried in the same second."""
    ceiling = (ceiling.total_seconds() if ceiling is not None
               else min(2**attempts, MAX_BACKOFF_SECONDS))
    fraction = random.random() if jitter is None else jitter
    return timedelta(seconds=ceiling * (0.5 + fraction / 2))


def create_deliveries(*, now: datetime | None = None) -> int:
    """Create the missing (event, handler) rows for recently recorded handled events."""
    now = now or timezone.now()
    table = deliverable_table()
    if not table:
        return 0
    cursor = EventDelivery.objects.aggregate(last=Max("event_id"))["last"] or 0
    events = list(
        Event.objects.filter(type__in=table)
        .filter(Q(pk__gt=cursor) | Q(created_at__gte=now - OUTBOX_LOOKBACK))
        .filter(~Exists(EventDelivery.objects.filter(event=OuterRef("pk"))))
        .order_by("pk")
        .values_list("pk", "type")[:SCAN_BATCH]
    )
    # Asked again after the scan: a handler wanted from a moment ago (a webhook subscription
    # just made) gets the events just scanned, which will not be scanned again.
    table = deliverable_table() if events else table
    rows = [
        EventDelivery(event_id=event_id, handler=path, next_attempt_at=now)
        for event_id, event_type in events
        for path in table.get(event_type, ())
    ]
    with transaction.atomic():
        created = EventDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)


def deliver_due(*, limit: int = 100, now: datetime | None = None,
                worker: str = "") -> DeliveryReport:
    """Create missing deliveries, then run up to `limit` due ones; each in its own transaction."""
    now = now or timezone.now()
    report = DeliveryReport(created=create_deliveries(now=now))
    due_ids = list(
        EventDelivery.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for delivery_id in due_ids:
        deliver_one(delivery_id=delivery_id, now=now, report=report, worker=worker)
    return report


def _claim(delivery_id: int, now: datetime) -> EventDelivery | None:
    due = EventDelivery.objects.filter(
        pk=delivery_id, status=Status.PENDING, next_attempt_at__lte=now
    ).select_related("event")
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True, of=("self",))
    return due.first()


def worker_label(kind: str = "") -> str:
    """Who ran an attempt, for its log: "run_worker shop-1 pid 812", "celery celery@shop-2 pid
    90" (a Celery worker's node name)."""
    return " ".join(filter(None, (kind, socket.gethostname(), f"pid {os.getpid()}")))


def deliver_one(*, delivery_id: int, now: datetime | None = None,
                report: DeliveryReport | None = None, worker: str = "") -> None:
    """One attempt at one delivery, if it is still pending and due: every transport ends here
    (the embedded worker's pass, a Celery task), so a second message for it changes nothing.
    `worker` names who runs it in the attempt log (worker_label() if not given)."""
    now = now or timezone.now()
    report = report if report is not None else DeliveryReport()
    with delivery_log_context(delivery_id):
        with transaction.atomic():
            delivery = _claim(delivery_id, now)
            if delivery is None:
                return  # done, not due, or another worker has it locked
            if not _outside_transaction(delivery.handler):
                _record(delivery, _attempt(delivery), now, report, worker)
                return
            # From the clock, not the pass's `now`: a pass of slow calls would claim in the past.
            claimed_until = timezone.now() + settings.MERCATO_OUTBOX_LEASE
            delivery.next_attempt_at = claimed_until
            delivery.save(update_fields=["next_attempt_at"])
        attempt = _attempt(delivery, in_savepoint=False)
        with transaction.atomic():
            delivery = EventDelivery.objects.select_for_update().select_related("event").filter(
                pk=delivery_id, status=Status.PENDING, next_attempt_at=claimed_until).first()
            if delivery is None:
                return  # the claim ran out and another worker took it over (or staff did)
            _record(delivery, attempt, max(now, timezone.now()), report, worker)


def _record(delivery: EventDelivery, attempt: "Attempt", now: datetime, report: DeliveryReport,
            worker: str) -> None:
    """The attempt's outcome: done, retried later or dead, and its line in the attempt log."""
    delivery.attempts += 1
    if attempt.error is None:
        _mark_done(delivery, now, report)
    else:
        _mark_failed(delivery, attempt.error, now, report)
    DeliveryAttempt.objects.create(
        delivery=delivery, started_at=attempt.started_at, duration_ms=attempt.duration_ms,
        outcome=OUTCOME_OF[delivery.status], status_code=attempt.status_code,
        exchange=attempt.exchange, error=delivery.last_error,
        worker=(worker or worker_label())[:100])


@dataclass(frozen=True)
class Attempt:
    started_at: datetime
    duration_ms: int
    status_code: int | None
    exchange: dict
    error: Exception | None


def _attempt(delivery: EventDelivery, *, in_savepoint: bool = True) -> Attempt:
    """Run the handler in a savepoint: if it raises, its writes roll back and the error is kept.
    A handler that runs outside the transaction (calls.outside_transaction) has no savepoint."""
    started_at, start = timezone.now(), time.monotonic()
    try:
        with transaction.atomic() if in_savepoint else contextlib.nullcontext():
            result = _run_handler(delivery)
    except Exception as error:  # any handler failure is retried, then dead-lettered
        outcome, failure = error, error
    else:
        outcome, failure = result, None
    return Attempt(started_at=started_at, duration_ms=round((time.monotonic() - start) * 1000),
                   status_code=status_code_of(outcome), exchange=exchange_of(outcome),
                   error=failure)


def _run_handler(delivery: EventDelivery) -> object:
    """Call the delivery's handler with its event (the one place a handler is called); what it
    returns may carry the status_code of an outside call."""
    return call_handler(delivery.handler, delivery.event)


def _mark_done(delivery: EventDelivery, now: datetime, report: DeliveryReport) -> None:
    delivery.status = Status.DONE
    delivery.done_at = now
    delivery.last_error = ""
    delivery.save(update_fields=["status", "attempts", "done_at", "last_error"])
    report.done += 1


def _mark_failed(delivery: EventDelivery, error: Exception, now: datetime,
                 report: DeliveryReport) -> None:
    logger.warning("delivery %s to %s failed: %r", delivery.pk, delivery.handler, error)
    delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
    policy = _policy_of(delivery.handler)
    if delivery.attempts >= (policy.max_attempts if policy else max_attempts()):
        delivery.status = Status.DEAD
        report.dead += 1
        if policy and policy.on_dead:
            # In the transaction that makes it a dead letter: both happen, or neither.
            policy.on_dead(from_row(delivery.event), delivery.event_id, error)
    else:
        wait = policy.waits[delivery.attempts - 1] if policy else None
        delivery.next_attempt_at = now + backoff(delivery.attempts, ceiling=wait)
        report.failed += 1
    delivery.lease_until = None  # due again after the backoff, not after the lease
    report.errors.append(f"{delivery.handler}: {delivery.last_error}")
    delivery.save(update_fields=["attempts", "last_error", "status", "next_attempt_at",
                                 "lease_until"])


def _outside_transaction(handler: str) -> bool:
    try:
        return runs_outside_transaction(handler_of(handler))
    except ImportError:
        return False


def _policy_of(handler: str) -> RetryPolicy | None:
    try:
        return retry_policy_of(handler_of(handler))
    except ImportError:  # a handler renamed or removed since: the default policy
        return None


def retry_delivery(*, delivery_id: int, by: Actor) -> EventDelivery:
    """Make a pending or dead delivery due now (one more attempt); a done one is refused."""
    with transaction.atomic():
        delivery = EventDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            raise NotFound(f"Delivery {delivery_id} does not exist.")
        if delivery.status == Status.DONE:
            raise Conflict(f"Delivery {delivery_id} is done; it is never run again.")
        delivery.status = Status.PENDING
        delivery.next_attempt_at = timezone.now()
        delivery.lease_until = None
        delivery.save(update_fields=["status", "next_attempt_at", "lease_until"])
        record(DeliveryRetried(aggregate_id=str(delivery.pk), handler=delivery.handler), by=by)
    return delivery


# --- Replay: deliver recorded events again to their handlers, on purpose --------------------
#
# The one exception to "a done delivery is never run again", asked for by staff (a handler was
# fixed, an outside system lost its data): each (event, handler) delivery of the events chosen
# becomes pending and due now with a fresh round of attempts, and a handler added to the table
# after the event was delivered gets its delivery too (create_deliveries only looks at events
# without any delivery). Earlier attempts stay in the attempt log. Every replay is recorded.

REPLAY_CHUNK = 1000


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
    for start in range(0, len(event_ids), REPLAY_CHUNK):
        EventDelivery.objects.bulk_create(
            [EventDelivery(event_id=event_id, handler=handler, next_attempt_at=now)
             for event_id in event_ids[start:start + REPLAY_CHUNK] for handler in handlers],
            ignore_conflicts=True)
    # Only the current table's handlers: a removed handler's old deliveries stay as they are.
    return EventDelivery.objects.filter(event__in=events, handler__in=handlers).update(
        status=EventDelivery.Status.PENDING, attempts=0, next_attempt_at=now, lease_until=None,
        last_error="", done_at=None)

