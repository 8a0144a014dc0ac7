"""At least once, handled once, on every transport: 1,000 events are delivered by real worker
processes (the embedded `manage.py run_worker`; Celery workers and beat on Redis and on
RabbitMQ) against the test database while a worker is killed with SIGKILL in the middle of a
handler; a new one is started, and in the end every delivery is done and each event's effect
happened once, although its handler ran more than once (tests/core/outbox_effects.py).

PostgreSQL only: the processes share the test database, which SQLite keeps in memory. Redis
db 11 and RabbitMQ's "/" vhost are used with queue names of this run's own. The waits are
bounded (generous) but nothing is timed.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import transaction
from kombu import Connection

from mercato.core.events import record
from mercato.core.models import DeliveryAttempt, Event, EventDelivery
from tests.core.outbox_effects import ParcelScanned, calls_of
from tests.processes import BIN, Processes

EVENTS = 1000
WAIT_SECONDS = 120  # an upper bound for a step, never a measure
BROKERS = {"redis": "redis://127.0.0.1:6379/11",
           "rabbitmq": "amqp://guest:guest@127.0.0.1:5672//"}
# Celery: the pool process running the first hangs is killed (its message is requeued by
# reject_on_worker_lost), then the whole worker in the second (what it held comes back from
# the broker, or is sent again from the table when its lease runs out).
KILL_POOL_PROCESS_AT, KILL_WORKER_AT = "S-0300", "S-0700"

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class Workers(Processes):
    """Worker processes of one test, and the waits on what they do."""

    def start_celery_worker(self, name: str) -> subprocess.Popen:
        node = f"{self.env['CELERY_QUEUE']}-{name}@%h"
        return self.start(name, str(BIN / "celery"), "-A", "mercato", "worker", "-l", "INFO",
                          "-c", "2", "-n", node, "--without-gossip", "--without-mingle",
                          "--without-heartbeat")

    def wait_for(self, what: str, condition: Callable[[], object]) -> object:
        deadline = time.monotonic() + WAIT_SECONDS
        while not (result := condition()):
            if time.monotonic() > deadline:
                pytest.fail(f"{what}: not within {WAIT_SECONDS} s\n{self.logs()}")
            time.sleep(0.2)
        return result

    def pid_in_handler_of(self, scan: str) -> int:
        """The pid of the process whose handler is hanging on `scan` (its first call)."""
        return self.wait_for(f"a worker in the handler of {scan}", lambda: calls_of(scan))[0]


@pytest.fixture
def workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workers]:
    calls = tmp_path / "calls.txt"
    monkeypatch.setenv("MERCATO_TEST_CALLS_FILE", str(calls))  # calls_of() here reads it too
    running = Workers(tmp_path, {
        "MERCATO_HANDLERS_MODULE": "tests.core.outbox_effects",
        "MERCATO_TEST_CALLS_FILE": str(calls),
        "MERCATO_WORKER_POLL_SECONDS": "0.2", "MERCATO_OUTBOX_LEASE": "5s",
        "MERCATO_OUTBOX_IN_FLIGHT": "200", "LOG_LEVEL": "INFO",
    })
    try:
        yield running
    finally:
        running.stop_all()  # before the test database is flushed


def record_scans() -> list[str]:
    scans = [f"S-{number:04d}" for number in range(1, EVENTS + 1)]
    with transaction.atomic():
        for scan in scans:
            record(ParcelScanned(aggregate_id=scan))
    return scans


def all_delivered() -> bool:
    return EventDelivery.objects.filter(status="done").count() == EVENTS


def assert_each_handled_once(scans: list[str], killed_in: list[str], run_by: str) -> None:
    assert not EventDelivery.objects.exclude(status="done").exists()
    assert EventDelivery.objects.count() == EVENTS
    counted = Event.objects.filter(type="ScanCounted").values_list("aggregate_id", flat=True)
    assert Counter(counted) == Counter(scans)  # the effect: once per event
    calls = Counter(line.split()[0] for line in
                    Path(os.environ["MERCATO_TEST_CALLS_FILE"]).read_text().splitlines())
    assert set(calls) == set(scans)
    for scan in killed_in:
        assert calls[scan] >= 2  # its handler ran again after its worker was killed
    # One logged attempt per delivery: a killed attempt leaves no row, a duplicate message none.
    assert DeliveryAttempt.objects.filter(outcome="done").count() == EVENTS
    assert not DeliveryAttempt.objects.exclude(outcome="done").exists()
    assert not DeliveryAttempt.objects.exclude(worker__startswith=f"{run_by} ").exists()


@pytest.fixture
def celery_broker(request: pytest.FixtureRequest, workers: Workers) -> Iterator[str]:
    """The broker named by the test's parameter, with queues of this run's own, deleted after."""
    url = BROKERS[request.param]
    queue = f"mercato-test-{uuid.uuid4().hex[:12]}"
    with Connection(url, connect_timeout=5) as broker:
        try:
            broker.ensure_connection(max_retries=1)
        except Exception as error:
            pytest.fail(f"{request.param} is not reachable at {url}: {error}")
        workers.env.update({"CELERY_BROKER_URL": url, "CELERY_QUEUE": queue})
        try:
            yield url
        finally:
            workers.stop_all()
            channel = broker.default_channel
            for name in (queue, f"{queue}.beat"):
                channel.queue_delete(name)
                channel.exchange_delete(name)


def test_the_embedded_worker_killed_in_a_handler_delivers_every_event_once(workers):
    workers.env["MERCATO_TEST_HANG_AT"] = KILL_WORKER_AT
    scans = record_scans()
    first = workers.start("worker-1", sys.executable, "manage.py", "run_worker")

    assert workers.pid_in_handler_of(KILL_WORKER_AT) == first.pid
    workers.kill(first)
    workers.start("worker-2", sys.executable, "manage.py", "run_worker")
    workers.wait_for("every delivery done", all_delivered)

    assert_each_handled_once(scans, killed_in=[KILL_WORKER_AT], run_by="run_worker")


@pytest.mark.parametrize("celery_broker", list(BROKERS), indirect=True)
def test_celery_workers_killed_in_a_handler_deliver_every_event_once(workers, celery_broker):
    workers.env["MERCATO_TEST_HANG_AT"] = f"{KILL_POOL_PROCESS_AT},{KILL_WORKER_AT}"
    scans = record_scans()
    workers.start("beat", str(BIN / "celery"), "-A", "mercato", "beat", "-l", "INFO",
                  "-s", str(workers.tmp / "beat-schedule"))
    first = workers.start_celery_worker("worker-1")

    os.kill(workers.pid_in_handler_of(KILL_POOL_PROCESS_AT), signal.SIGKILL)
    workers.pid_in_handler_of(KILL_WORKER_AT)
    workers.kill(first)
    workers.start_celery_worker("worker-2")
    workers.wait_for("every delivery done", all_delivered)

    assert_each_handled_once(scans, killed_in=[KILL_POOL_PROCESS_AT, KILL_WORKER_AT],
                             run_by="celery")
