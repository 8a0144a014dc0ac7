"""make bench: outbox delivery throughput — events delivered per second by each transport.

Runs (each on a fresh database, the worker processes started and ready before anything is
recorded): the embedded worker (`manage.py run_worker`) on SQLite and on PostgreSQL, then Celery
on Redis (db 11, a queue of the run's own) with beat and one worker of 1 and of 4 pool processes
on PostgreSQL. A child process records N events (default 5,000) in one transaction; the clock
starts at its commit and stops when the last of the N deliveries is done. The handler writes one
row (bench/outbox_handlers.py).

Then the lag under load: on a fresh PostgreSQL database seeded with the demo catalog, gunicorn
(3 sync workers) serves the shop while 16 clients run full guest checkouts (bench/checkout.py)
for --lag-seconds, with the real handlers (mercato/handlers.py; email to a dummy backend) run by
the embedded worker, then by one Celery worker of 2 processes on Redis. The lag of a delivery is
its done_at less its event's created_at (record to handled, both stamped by the database's
writers); p50/p99/max over every delivery of the events recorded during the load.

It prints the figures and saves them as JSON in bench/results/. Skips PostgreSQL or Redis when
unreachable.
"""

import argparse
import contextlib
import json
import os
import platform
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from checkout import SKUS, run_checkouts, run_child
from run import (
    DEFAULT_PRODUCTS,
    Target,
    ensure_postgres_database,
    gunicorn,
    prepare_database,
    server_env,
)

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
VAR = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/mercato_bench_outbox"
DEFAULT_LAG_POSTGRES = "postgres://postgres@127.0.0.1:5432/mercato_bench_outbox_lag"
DEFAULT_REDIS = "redis://127.0.0.1:6379/11"
LAG_CLIENTS = 16
LAG_COLUMNS = "{:<14} {:>7} {:>8} {:>10} {:>8} {:>8} {:>8}"
EVENTS = 5000
WAIT_SECONDS = 600
COLUMNS = "{:<14} {:<9} {:>9} {:>7} {:>9} {:>9}"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=EVENTS, help="events per run (5000)")
    parser.add_argument("--postgres-url", default=os.environ.get(
        "BENCH_OUTBOX_POSTGRES_URL", DEFAULT_POSTGRES))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    parser.add_argument("--lag-postgres-url", default=os.environ.get(
        "BENCH_OUTBOX_LAG_POSTGRES_URL", DEFAULT_LAG_POSTGRES))
    parser.add_argument("--lag-seconds", type=float, default=20.0,
                        help="seconds of checkout load per transport in the lag runs (20)")
    parser.add_argument("--lag-only", action="store_true", help="only the lag under load")
    parser.add_argument("--record", type=int, help=argparse.SUPPRESS)  # child: record N events
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if args.record:
        return record_events(args.record)
    sys.stdout.reconfigure(line_buffering=True)
    VAR.mkdir(parents=True, exist_ok=True)
    rows = [] if args.lag_only else throughput_runs(args)
    lags = lag_runs(args)
    if rows or lags:
        save(rows, lags)
    return 0


def throughput_runs(args: argparse.Namespace) -> list[dict]:
    print(COLUMNS.format("transport", "database", "processes", "events", "seconds", "events/s"))
    rows = []
    for transport, database, processes in planned_runs(args):
        row = bench_run(transport, database, processes, events=args.events, args=args)
        rows.append(row)
        print(COLUMNS.format(transport, database, processes, row["events"],
                             f"{row['seconds']:.2f}", f"{row['events_per_second']:.0f}"))
    return rows


def planned_runs(args: argparse.Namespace) -> list[tuple[str, str, int]]:
    runs = [("embedded", "sqlite", 1)]
    if not ensure_postgres_database(args.postgres_url, fresh=True):
        return runs
    runs.append(("embedded", "postgres", 1))
    if redis_reachable(args.redis_url):
        runs += [("celery-redis", "postgres", 1), ("celery-redis", "postgres", 4)]
    else:
        print(f"Skipping Celery: Redis is not reachable at {args.redis_url}.")
    return runs


def redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=3).ping())
    except redis.RedisError:
        return False


def bench_run(transport: str, database: str, processes: int, *, events: int,
              args: argparse.Namespace) -> dict:
    name = f"{transport}-{database}-{processes}"
    url = fresh_database(database, args.postgres_url, name)
    env = worker_env(url)
    subprocess.run([str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v", "0"],
                   cwd=ROOT, env=env, check=True)
    with workers(transport, processes, env, name, redis_url=args.redis_url):
        committed = float(subprocess.run(
            [str(BIN / "python"), __file__, "--record", str(events)], cwd=ROOT, env=env,
            check=True, capture_output=True, text=True).stdout.split()[-1])
        finished = wait_until_delivered(url, events)
    seconds = finished - committed
    return {"transport": transport, "database": database, "processes": processes,
            "events": events, "seconds": seconds, "events_per_second": events / seconds}


def fresh_database(database: str, postgres_url: str, name: str) -> str:
    if database == "postgres":
        ensure_postgres_database(postgres_url, fresh=True)
        return postgres_url
    path = VAR / "mercato_bench_outbox.sqlite3"
    for stale in VAR.glob(f"{path.name}*"):
        stale.unlink()
    return f"sqlite:///{path}"


def worker_env(database_url: str) -> dict[str, str]:
    return {**{key: value for key, value in os.environ.items()
               if not key.startswith(("CELERY_", "DJANGO_"))},
            "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "mercato.settings",
            "PYTHONPATH": f"{ROOT / 'bench'}{os.pathsep}{ROOT}",
            "MERCATO_HANDLERS_MODULE": "outbox_handlers", "EMAIL_URL": "dummy://",
            "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1", "MERCATO_VAR_DIR": str(VAR)}


@contextlib.contextmanager
def workers(transport: str, processes: int, env: dict[str, str], name: str, *,
            redis_url: str) -> Iterator[None]:
    """The run's worker processes, ready (their start-up is not timed), killed on the way out."""
    started: list[subprocess.Popen] = []
    queue = f"mercato-bench-{uuid.uuid4().hex[:8]}"

    def start(label: str, argv: list[str], ready: str, extra: dict[str, str]) -> None:
        log_path = VAR / f"outbox-{name}-{label}.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(argv, cwd=ROOT, env={**env, **extra}, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        started.append(process)
        wait_for_line(process, log_path, ready)

    try:
        if transport == "embedded":
            start("worker", [str(BIN / "python"), "manage.py", "run_worker"],
                  "Outbox worker started.", {})
        else:
            celery = {"CELERY_BROKER_URL": redis_url, "CELERY_QUEUE": queue}
            start("beat", [str(BIN / "celery"), "-A", "mercato", "beat", "-l", "INFO",
                           "-s", str(VAR / f"beat-{name}")], "beat: Starting", celery)
            start("worker", [str(BIN / "celery"), "-A", "mercato", "worker", "-l", "INFO",
                             "-c", str(processes), "-n", f"{queue}@%h", "--without-gossip",
                             "--without-mingle", "--without-heartbeat"], " ready.", celery)
        yield
    finally:
        for process in started:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if transport != "embedded":
            delete_queues(redis_url, queue)


def wait_for_line(process: subprocess.Popen, log_path: Path, text: str) -> None:
    deadline = time.monotonic() + 60
    while text not in log_path.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{log_path.name}: no {text!r}:\n{log_path.read_text()[-2000:]}")
        time.sleep(0.1)


def delete_queues(redis_url: str, queue: str) -> None:
    from kombu import Connection

    with Connection(redis_url) as broker:
        for name in (queue, f"{queue}.beat"):
            broker.default_channel.queue_delete(name)
            broker.default_channel.exchange_delete(name)


def wait_until_delivered(database_url: str, events: int) -> float:
    """The time (time.time()) when `events` deliveries are done."""
    query = "SELECT count(*) FROM core_eventdelivery WHERE status = 'done'"
    deadline = time.monotonic() + WAIT_SECONDS
    with connect(database_url) as fetch:
        while fetch(query)[0] < events:
            if time.monotonic() > deadline:
                raise RuntimeError(f"not delivered within {WAIT_SECONDS} s")
            time.sleep(0.05)
    return time.time()


@contextlib.contextmanager
def connect(database_url: str) -> Iterator:
    if database_url.startswith("sqlite:///"):
        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=20)
        try:
            yield lambda query, params=(): connection.execute(query, params).fetchone()
        finally:
            connection.close()
        return
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        yield lambda query, params=(): connection.execute(query, params).fetchone()


def record_events(count: int) -> int:
    """Child: record `count` events in one transaction; print the commit's time.time()."""
    import django

    django.setup()
    from django.db import transaction
    from outbox_handlers import BenchOrderPlaced

    from mercato.core.events import record

    with transaction.atomic():
        for number in range(count):
            record(BenchOrderPlaced(aggregate_id=f"B-{number}"))
    print(time.time())
    return 0


# --- lag under checkout load -----------------------------------------------------------------

def lag_runs(args: argparse.Namespace) -> list[dict]:
    if not ensure_postgres_database(args.lag_postgres_url, fresh=True):
        return []
    env = lag_server_env(args.lag_postgres_url)
    prepare_database(env, products=DEFAULT_PRODUCTS)
    skus = run_child(env, skus=SKUS)["skus"]
    plans = [("embedded", 1)]
    if redis_reachable(args.redis_url):
        plans.append(("celery-redis", 2))
    print(f"\nOutbox lag while {LAG_CLIENTS} clients check out ({args.lag_seconds:.0f} s each):")
    print(LAG_COLUMNS.format("transport", "orders", "orders/s", "deliveries", "p50 ms", "p99 ms",
                             "max ms"))
    rows = []
    with gunicorn(env, workers=3, name="outbox-lag") as port:
        for transport, processes in plans:
            with workers(transport, processes, env, f"lag-{transport}", redis_url=args.redis_url):
                row = lag_run(port, skus, args.lag_postgres_url, seconds=args.lag_seconds)
            row |= {"transport": transport, "processes": processes}
            rows.append(row)
            print(LAG_COLUMNS.format(transport, row["orders"], f"{row['orders_per_second']:.1f}",
                                     row["deliveries"], f"{row['p50_ms']:.0f}",
                                     f"{row['p99_ms']:.0f}", f"{row['max_ms']:.0f}"))
    return rows


def lag_server_env(database_url: str) -> dict[str, str]:
    """The bench's web settings (run.py), the real handlers, mail to nowhere."""
    env = server_env(Target("postgres", database_url))
    env = {key: value for key, value in env.items()
           if not key.startswith(("CELERY_", "DJANGO_", "MERCATO_HANDLERS"))}
    return {**env, "DJANGO_SETTINGS_MODULE": "mercato.settings", "EMAIL_URL": "dummy://",
            "PYTHONPATH": str(ROOT), "MERCATO_VAR_DIR": str(VAR)}


def lag_run(port: int, skus: list[str], database_url: str, *, seconds: float) -> dict:
    """Drain what came before, load for `seconds`, wait until the load's deliveries are done."""
    run_checkouts(port, skus, concurrency=2, duration=2.0, seed=7)  # warm-up
    with connect(database_url) as fetch:
        wait_until_drained(fetch, after_event=0)
        last_before = fetch("SELECT coalesce(max(id), 0) FROM core_event")[0]
        load = run_checkouts(port, skus, concurrency=LAG_CLIENTS, duration=seconds, seed=16)
        wait_until_drained(fetch, after_event=last_before)
        deliveries, p50, p99, longest = (
            float(figure or 0) for figure in fetch(LAG_QUERY, [last_before]))
    return {"orders": load["orders"], "orders_per_second": load["orders_per_second"],
            "errors": load["errors"], "deliveries": int(deliveries), "p50_ms": p50, "p99_ms": p99,
            "max_ms": longest}


LAG_QUERY = """
    SELECT count(*),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY lag),
           percentile_cont(0.99) WITHIN GROUP (ORDER BY lag),
           max(lag)
    FROM (SELECT extract(epoch FROM d.done_at - e.created_at) * 1000 AS lag
          FROM core_eventdelivery d JOIN core_event e ON e.id = d.event_id
          WHERE e.id > %s AND d.status = 'done') AS lags
"""


def wait_until_drained(fetch, *, after_event: int) -> None:
    """Until no delivery of the events after `after_event` is pending and none has been created
    for two seconds (deliveries are created by the worker's scan, after the event)."""
    query = ("SELECT count(*), count(*) FILTER (WHERE status = 'pending') FROM "
             "core_eventdelivery WHERE event_id > %s")
    deadline, seen, steady_since = time.monotonic() + WAIT_SECONDS, None, time.monotonic()
    while time.monotonic() < deadline:
        counts = fetch(query, [after_event])
        if counts != seen:
            seen, steady_since = counts, time.monotonic()
        elif counts[1] == 0 and time.monotonic() - steady_since >= 2:
            return
        time.sleep(0.2)
    raise RuntimeError(f"deliveries not drained within {WAIT_SECONDS} s: {seen}")


def save(rows: list[dict], lags: list[dict]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"outbox-{stamp}.json"
    path.write_text(json.dumps({"machine": platform.node(), "python": platform.python_version(),
                                "cpus": os.cpu_count(), "runs": rows,
                                "lag_under_checkouts": lags}, indent=2))
    print(f"saved {path.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
