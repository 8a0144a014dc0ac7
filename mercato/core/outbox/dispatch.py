"""Handing due deliveries to a message broker (Celery) without making the broker the truth.

Each pass (Celery beat sends one every MERCATO_WORKER_POLL_SECONDS) creates the missing
deliveries, then leases the due ones: it stamps `lease_until` on each row and sends one message
per row. A leased row is not sent again until its lease (MERCATO_OUTBOX_LEASE) runs out, so a
message the broker loses, or one a killed worker held, is simply sent again from the table; the
worker that receives it runs deliver_one, which locks the row and does nothing if it is done,
not due or being run. A broker therefore needs no durability of its own for correctness, only
for speed of recovery.

At most MERCATO_OUTBOX_IN_FLIGHT rows are leased at once: the queue never holds more than that,
so a backlog waits in the table (where retry and replay see it) and leases do not run out while
their messages wait behind a long queue (which would send them twice). The lease should exceed
the time a message may wait in the queue: in-flight / deliveries per second.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from mercato.core.models import EventDelivery
from mercato.core.outbox.services import create_deliveries

Status = EventDelivery.Status


@dataclass(frozen=True)
class DispatchReport:
    created: int
    sent: int


def dispatch_due(*, send: Callable[[list[int]], None],
                 now: datetime | None = None) -> DispatchReport:
    """Create missing deliveries, lease the due ones and `send` their ids (after the commit)."""
    now = now or timezone.now()
    created = create_deliveries(now=now)
    leased = lease_due(now=now)
    if leased:
        send(leased)
    return DispatchReport(created=created, sent=len(leased))


def lease_due(*, now: datetime) -> list[int]:
    """Stamp a lease on due, unleased pending rows (up to the in-flight room); their ids."""
    in_flight = EventDelivery.objects.filter(status=Status.PENDING, lease_until__gt=now).count()
    room = settings.MERCATO_OUTBOX_IN_FLIGHT - in_flight
    if room <= 0:
        return []
    with transaction.atomic():
        due = (EventDelivery.objects
               .filter(status=Status.PENDING, next_attempt_at__lte=now)
               .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
               .order_by("next_attempt_at", "pk"))
        if connection.features.has_select_for_update_skip_locked:
            # Rows a worker is delivering right now are locked: skipped, not sent again.
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:room])
        EventDelivery.objects.filter(pk__in=ids).update(
            lease_until=now + settings.MERCATO_OUTBOX_LEASE)
    return ids
