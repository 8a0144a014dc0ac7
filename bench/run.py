"""make bench: catalog API throughput and latency on SQLite and PostgreSQL behind gunicorn.

For each database: migrate, seed the demo catalog if empty, start gunicorn on a free loopback
port, run every scenario at every concurrency level for a fixed time, print a table and save
the figures as JSON under bench/results/. Gunicorn is stopped whatever happens.
"""

import argparse
import contextlib
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from loadclient import LoadResult, PathMaker, run_load

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
VAR = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/mercato_bench"
DEFAULT_PRODUCTS = 1000


@dataclass(frozen=True)
class Target:
    name: str
    database_url: str


@dataclass(frozen=True)
class Sample:
    products: int
    slugs: list[str]
    categories: list[str]
    words: list[str]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=DEFAULT_PRODUCTS,
                        help="catalog size (default 1000); other sizes get their own database")
    parser.add_argument("--duration", type=float, default=10.0,
                        help="seconds per scenario and concurrency level (default 10)")
    parser.add_argument("--concurrency", default="1,16", help="comma-separated (default 1,16)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL",
                                                                 DEFAULT_POSTGRES),
                        help="ends with the database name; '_N' is appended for N products")
    parser.add_argument("--fresh", action="store_true",
                        help="drop the bench databases first and seed them again")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # progress shows even when piped to a file
    levels = [int(level) for level in args.concurrency.split(",")]
    rows: list[tuple[str, int, LoadResult]] = []
    try:
        for target in bench_targets(args):
            env = server_env(target)
            prepare_database(env, products=args.products)
            sample = read_sample(env)
            with gunicorn(env, workers=args.workers, name=target.name) as port:
                for result in bench_database(port, sample, levels=levels,
                                             duration=args.duration):
                    print_row(target.name, result)
                    rows.append((target.name, sample.products, result))
    finally:
        if rows:  # partial figures are still worth keeping
            save_results(rows, args)
    return 0


def fresh_targets(args: argparse.Namespace, *, sqlite_name: str) -> list[tuple[str, str]]:
    """Fresh databases every run (`args.databases`, `args.postgres_url`): the figures never
    depend on an earlier run's rows."""
    wanted = {name.strip() for name in args.databases.split(",")}
    found = []
    if "sqlite" in wanted:
        VAR.mkdir(parents=True, exist_ok=True)
        path = VAR / sqlite_name
        for stale in VAR.glob(f"{path.name}*"):
            stale.unlink()
        found.append(("sqlite", f"sqlite:///{path}"))
    if "postgres" in wanted and ensure_postgres_database(args.postgres_url, fresh=True):
        found.append(("postgres", args.postgres_url))
    return found


def bench_targets(args: argparse.Namespace) -> list[Target]:
    """One database per catalog size: 1,000 products in mercato_bench, N in mercato_bench_N."""
    wanted = {name.strip() for name in args.databases.split(",")}
    suffix = "" if args.products == DEFAULT_PRODUCTS else f"_{args.products}"
    targets = []
    if "sqlite" in wanted:
        VAR.mkdir(parents=True, exist_ok=True)
        path = VAR / f"mercato_bench{suffix}.sqlite3"
        if args.fresh:
            for stale in VAR.glob(f"{path.name}*"):
                stale.unlink()
        targets.append(Target("sqlite", f"sqlite:///{path}"))
    postgres_url = args.postgres_url + suffix
    if "postgres" in wanted and ensure_postgres_database(postgres_url, fresh=args.fresh):
        targets.append(Target("postgres", postgres_url))
    return targets


def ensure_postgres_database(url: str, *, fresh: bool) -> bool:
    """Create the bench database if missing; False (with a message) if PostgreSQL is down."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    try:
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=3) as connection:
            if fresh:
                connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(
                    sql.Identifier(name)))
            found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if found.fetchone() is None:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as error:
        print(f"Skipping PostgreSQL: cannot reach {maintenance} ({error}).".strip())
        return False
    return True


def server_env(target: Target) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": target.database_url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        # Every simulated shopper comes from 127.0.0.1: the per-address limits would refuse them.
        "MERCATO_ABUSE_LIMITS": "off",
    }


def prepare_database(env: dict[str, str], *, products: int) -> None:
    print(f"\n== {env['DATABASE_URL']}")
    manage = [str(BIN / "python"), "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "seed_demo", "--if-empty", "--products", str(products)],
                   cwd=ROOT, env=env, check=True)


def read_sample(env: dict[str, str]) -> Sample:
    output = subprocess.run([str(BIN / "python"), str(ROOT / "bench" / "catalog_sample.py")],
                            cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return Sample(**json.loads(output.stdout))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, workers: int, name: str) -> Iterator[int]:
    """A gunicorn of sync workers on a free loopback port, stopped on the way out."""
    port = free_port()
    VAR.mkdir(parents=True, exist_ok=True)
    log = (VAR / f"gunicorn-{name}.log").open("w")
    command = [str(BIN / "gunicorn"), "mercato.wsgi", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--worker-class", "sync", "--timeout", "60",
               "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log,
                              start_new_session=True)
    try:
        wait_until_ready(server, port)
        yield port
    finally:
        stop(server)
        log.close()


def wait_until_ready(server: subprocess.Popen, port: int, *, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({server.returncode}); see {VAR}/gunicorn-*.log")
        schema = f"http://127.0.0.1:{port}/api/openapi.json"
        with contextlib.suppress(OSError), urllib.request.urlopen(schema, timeout=5):
            return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on port {port} within {timeout:.0f} s")


def stop(server: subprocess.Popen) -> None:
    """SIGTERM the master (it stops its workers); kill our own process group if it hangs."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def scenarios(sample: Sample, port: int) -> dict[str, PathMaker]:
    """Scenario name -> function(rng) -> path. Falls back to the schema if the API is missing."""
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/products", timeout=10).close()
    except urllib.error.HTTPError as error:
        if error.code != 404:
            raise
        print("!! /api/v1/products is missing: benchmarking /api/openapi.json only")
        return {"openapi schema": lambda rng: "/api/openapi.json"}
    return {
        "product list": lambda rng: f"/api/v1/products?page={rng.randint(1, 20)}",
        "product list filtered": lambda rng: (
            f"/api/v1/products?category={rng.choice(sample.categories)}&in_stock=true&sort=price"
        ),
        "product detail": lambda rng: f"/api/v1/products/{quote(rng.choice(sample.slugs))}",
        "search": lambda rng: f"/api/v1/products?q={quote(rng.choice(sample.words))}",
    }


def bench_database(port: int, sample: Sample, *, levels: list[int],
                   duration: float) -> Iterator[LoadResult]:
    print(f"{sample.products} products; warming up ...")
    print_header()
    for name, make_path in scenarios(sample, port).items():
        run_load(scenario=name, port=port, make_path=make_path, concurrency=2,
                 duration=min(2.0, duration), seed=99)
        for level in levels:
            yield run_load(scenario=name, port=port, make_path=make_path, concurrency=level,
                           duration=duration, seed=level)


COLUMNS = "{:<9} {:<22} {:>4} {:>9} {:>9} {:>9} {:>7}"


def print_header() -> None:
    print(COLUMNS.format("database", "scenario", "conc", "req/s", "p50 ms", "p99 ms", "errors"))


def print_row(database: str, result: LoadResult) -> None:
    print(COLUMNS.format(
        database, result.scenario, result.concurrency, f"{result.requests_per_second:.1f}",
        f"{result.percentile(50):.1f}", f"{result.percentile(99):.1f}", result.errors,
    ), flush=True)
    if result.errors:
        print(f"    first error: {result.first_error}")


def save_results(rows: list[tuple[str, int, LoadResult]], args: argparse.Namespace) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"catalog-{stamp}.json"
    document = {
        "started": stamp, "products": args.products, "duration": args.duration,
        "workers": args.workers, "cpus": os.cpu_count(), "python": platform.python_version(),
        "results": [{"database": database, "catalog_products": products, **result.as_dict()}
                    for database, products, result in rows],
    }
    path.write_text(json.dumps(document, indent=2))
    print(f"\nSaved {path.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
