"""The outbox from the shell: what is waiting or dead, retry a delivery, replay events.

    manage.py outbox status
    manage.py outbox attempts <delivery id>
    manage.py outbox retry <delivery id> [<delivery id> ...]
    manage.py outbox replay --event <event id>
    manage.py outbox replay --type OrderPlaced --since 2026-11-01T00:00 --until 2026-11-02T00:00

Times without an offset are read in TIME_ZONE. Retries and replays are recorded as events by
"staff:<os user> (manage.py)".
"""

import getpass
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count, Min
from django.utils import timezone

from mercato.core.events import Actor
from mercato.core.models import DeliveryAttempt, EventDelivery
from mercato.core.outbox import retry_delivery
from mercato.core.outbox.services import replay_event, replay_events
from mercato.core.problems import Problem

DEAD_SHOWN = 20


def moment(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value!r} is not an ISO 8601 time like 2026-11-01T09:30") from error
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


class Command(BaseCommand):
    help = "Outbox deliveries: status, attempts, retry one, replay an event or a type in a range."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("status", help="Deliveries by status, what is due, the dead letters.")
        attempts = actions.add_parser("attempts", help="The attempt log of one delivery.")
        attempts.add_argument("delivery_id", type=int)
        retry = actions.add_parser("retry", help="Make pending or dead deliveries due now.")
        retry.add_argument("delivery_ids", type=int, nargs="+")
        replay = actions.add_parser("replay", help="Deliver events again to their handlers.")
        replay.add_argument("--event", type=int, help="One event, by id.")
        replay.add_argument("--type", dest="event_type", help="Every event of this type...")
        replay.add_argument("--since", type=moment, help="...recorded at or after this time...")
        replay.add_argument("--until", type=moment, help="...and before this one.")

    def handle(self, *args, action: str, **options):
        by = Actor("staff", f"{getpass.getuser()} (manage.py)")
        try:
            getattr(self, f"_{action}")(by=by, **options)
        except Problem as problem:
            raise CommandError(problem.detail) from problem

    def _status(self, *, by, **options):
        now = timezone.now()
        counts = dict(EventDelivery.objects.values_list("status").annotate(Count("pk")))
        for status in EventDelivery.Status:
            self.stdout.write(f"{status.label:<12} {counts.get(status.value, 0)}")
        pending = EventDelivery.objects.filter(status=EventDelivery.Status.PENDING)
        due = pending.filter(next_attempt_at__lte=now)
        oldest = due.aggregate(oldest=Min("next_attempt_at"))["oldest"]
        self.stdout.write(f"due now      {due.count()}"
                          + (f" (oldest due since {oldest:%Y-%m-%d %H:%M:%S})" if oldest else ""))
        dead = EventDelivery.objects.filter(status=EventDelivery.Status.DEAD).select_related(
            "event").order_by("-pk")[:DEAD_SHOWN]
        for delivery in dead:
            self.stdout.write(f"dead #{delivery.pk} {delivery.event.type} "
                              f"(event {delivery.event_id}) -> {delivery.handler}: "
                              f"{delivery.last_error[:160]}")

    def _attempts(self, *, by, delivery_id: int, **options):
        for attempt in DeliveryAttempt.objects.filter(delivery_id=delivery_id):
            code = f" HTTP {attempt.status_code}" if attempt.status_code else ""
            self.stdout.write(f"{attempt.started_at:%Y-%m-%d %H:%M:%S} {attempt.duration_ms} ms "
                              f"{attempt.outcome}{code} {attempt.worker} {attempt.error}".rstrip())

    def _retry(self, *, by, delivery_ids: list[int], **options):
        for delivery_id in delivery_ids:
            retry_delivery(delivery_id=delivery_id, by=by)
            self.stdout.write(f"Delivery {delivery_id} is due now.")

    def _replay(self, *, by, event: int | None, event_type: str | None,
                since: datetime | None, until: datetime | None, **options):
        if event is not None and not (event_type or since or until):
            count = replay_event(event_id=event, by=by)
            self.stdout.write(f"Event {event} replayed: {count} delivery(ies) due now.")
        elif event is None and event_type and since and until:
            count = replay_events(event_type=event_type, since=since, until=until, by=by)
            self.stdout.write(f"{count} {event_type} event(s) replayed.")
        else:
            raise CommandError("Give either --event ID, or --type with --since and --until.")
