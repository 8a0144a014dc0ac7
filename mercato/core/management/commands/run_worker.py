"""The embedded worker: deliver outbox events to their handlers and run the scheduled jobs
(mercato/schedule.py), looping until signalled; `--once` delivers what is due and exits."""

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection
from django.utils import timezone

from mercato.core.outbox import DeliveryReport, deliver_due
from mercato.core.outbox.services import worker_label
from mercato.core.scheduling import JobClock, scheduled_jobs


class Command(BaseCommand):
    help = "Run the outbox worker: deliver recorded events to their handlers, run scheduled jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Deliver what is due and exit.")
        parser.add_argument("--limit", type=int, default=100, help="Deliveries per pass.")

    def handle(self, *args: Any, once: bool = False, limit: int = 100, **options: Any) -> None:
        if once:
            self._report(deliver_due(limit=limit, worker=worker_label("run_worker")))
            return
        stop = threading.Event()
        previous = {
            signum: signal.signal(signum, lambda *_: stop.set())
            for signum in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            self._loop(stop, limit)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _loop(self, stop: threading.Event, limit: int) -> None:
        poll = getattr(settings, "MERCATO_WORKER_POLL_SECONDS", 1)
        jobs = JobClock(scheduled_jobs())  # each job runs now, then every `every`
        self.stdout.write("Outbox worker started.")
        if settings.CELERY_BROKER_URL:
            self.stderr.write("CELERY_BROKER_URL is set, so Celery workers deliver: this worker "
                              "delivers too (harmless, the outbox rows decide), but is not needed.")
        while not stop.is_set():
            if not connection.in_atomic_block:  # under a test's transaction, keep it
                close_old_connections()  # drop a broken or expired connection between passes
            for name in jobs.run_due(timezone.now()):
                self.stdout.write(f"ran scheduled job {name}")
            report = deliver_due(limit=limit, worker=worker_label("run_worker"))
            if report.attempted:
                self._report(report)
            if report.attempted < limit:
                stop.wait(poll)  # a signal sets `stop` and ends the wait at once
        self.stdout.write("Outbox worker stopped.")

    def _report(self, report: DeliveryReport) -> None:
        self.stdout.write(
            f"created {report.created}, done {report.done}, retrying {report.failed}, "
            f"dead {report.dead}"
        )
        for error in report.errors:
            self.stderr.write(error)
