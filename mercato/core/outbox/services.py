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
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from mercato.core.events import Actor, DomainEvent, record
from mercato.core.models import Event, EventDelivery
from mercato.core.outbox.table import call_handler, handler_table
from mercato.core.problems import Conflict, NotFound

logger = logging.getLogger(__name__)

OUTBOX_LOOKBACK = timedelta(minutes=10)
SCAN_BATCH = 500
MAX_BACKOFF_SECONDS = 3600
Status = EventDelivery.Status


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


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2**attempts, MAX_BACKOFF_SECONDS))


def create_deliveries(*, now: datetime | None = None) -> int:
    """Create the missing (event, handler) rows for recently recorded handled events."""
    now = now or timezone.now()
    table = handler_table()
    if not table:
        return 0
    cursor = EventDelivery.objects.aggregate(last=Max("event_id"))["last"] or 0
    events = (
        Event.objects.filter(type__in=table)
        .filter(Q(pk__gt=cursor) | Q(created_at__gte=now - OUTBOX_LOOKBACK))
        .filter(~Exists(EventDelivery.objects.filter(event=OuterRef("pk"))))
        .order_by("pk")
        .values_list("pk", "type")[:SCAN_BATCH]
    )
    rows = [
        EventDelivery(event_id=event_id, handler=path, next_attempt_at=now)
        for event_id, event_type in events
        for path in table[event_type]
    ]
    with transaction.atomic():
        created = EventDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)


def deliver_due(*, limit: int = 100, now: datetime | None = None) -> DeliveryReport:
    """Create missing deliveries, then run up to `limit` due ones; each in its own transaction."""
    now = now or timezone.now()
    report = DeliveryReport(created=create_deliveries(now=now))
    due_ids = list(
        EventDelivery.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for delivery_id in due_ids:
        deliver_one(delivery_id=delivery_id, now=now, report=report)
    return report


def _claim(delivery_id: int, now: datetime) -> EventDelivery | None:
    due = EventDelivery.objects.filter(
        pk=delivery_id, status=Status.PENDING, next_attempt_at__lte=now
    ).select_related("event")
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True, of=("self",))
    return due.first()


def deliver_one(*, delivery_id: int, now: datetime, report: DeliveryReport) -> None:
    with transaction.atomic():
        delivery = _claim(delivery_id, now)
        if delivery is None:
            return  # another worker has it, or it is no longer due
        try:
            with transaction.atomic():
                call_handler(delivery.handler, delivery.event)
        except Exception as error:  # any handler failure is retried, then dead-lettered
            _mark_failed(delivery, error, now, report)
            return
        delivery.status = Status.DONE
        delivery.done_at = now
        delivery.last_error = ""
        delivery.save(update_fields=["status", "done_at", "last_error"])
        report.done += 1


def _mark_failed(delivery: EventDelivery, error: Exception, now: datetime,
                 report: DeliveryReport) -> None:
    logger.warning("delivery %s to %s failed: %r", delivery.pk, delivery.handler, error)
    delivery.attempts += 1
    delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
    if delivery.attempts >= max_attempts():
        delivery.status = Status.DEAD
        report.dead += 1
    else:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
        report.failed += 1
    report.errors.append(f"{delivery.handler}: {delivery.last_error}")
    delivery.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])


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
        delivery.save(update_fields=["status", "next_attempt_at"])
        record(DeliveryRetried(aggregate_id=str(delivery.pk), handler=delivery.handler), by=by)
    return delivery
