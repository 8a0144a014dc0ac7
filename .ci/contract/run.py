"""The API contract run: schemathesis over the whole API, on PostgreSQL, as CI runs it.

    .venv/bin/python .ci/contract/run.py        # DATABASE_URL=postgres://... (the server to use)

It creates a fresh database `<name>_contract` beside the one DATABASE_URL names, migrates and
seeds it with the demo shop, serves it with gunicorn as production does (DEBUG off, abuse limits
off so thousands of requests are not answered 429), and runs schemathesis with every check and
every phase (examples, coverage, fuzzing, stateful) three times: anonymous, with the demo
customer's bearer token and with the demo staff's. Exit status 0 only if all three are clean;
the figures of each run are printed at the end.
"""

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
DEMO_PASSWORD = "mercato-demo"
IDENTITIES = {"anonymous": None, "customer": "customer@example.com",
              "staff": "admin@example.com"}
# Revoking the token the run sends would turn the rest of it into 401s: the anonymous run
# covers that operation (it answers 401 there).
TOKEN_REVOKING = "^/api/v1/auth/tokens/current$"


@dataclass
class Figures:
    identity: str
    exit_code: int
    summary: str
    seconds: float


def contract_database(url: str) -> str:
    """A fresh, empty database on the server `url` names."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit(f"DATABASE_URL must name a PostgreSQL server, not {url!r}")
    name = (parts.path.lstrip("/") or "postgres") + "_contract"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def wait_for(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn stopped before it served the API")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"{url} did not answer within {timeout:.0f} s")


def bearer_token(base: str, email: str) -> str:
    body = f'{{"email": "{email}", "password": "{DEMO_PASSWORD}", "name": "contract run"}}'
    request = urllib.request.Request(base + "/api/v1/auth/tokens", data=body.encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["token"]


def schemathesis(base: str, identity: str, email: str | None, reports: Path) -> Figures:
    # Run from this folder, so schemathesis reads its schemathesis.toml (and hooks.py).
    command = [str(BIN / "st"), "run", base + "/api/openapi.json",
               "--checks", "all", "--exclude-checks", "positive_data_acceptance",
               "--phases", "examples,coverage,fuzzing,stateful",
               "--report", "junit", "--report-dir", str(reports / identity)]
    if email:
        command += ["-H", f"Authorization: Bearer {bearer_token(base, email)}",
                    "--exclude-path-regex", TOKEN_REVOKING]
    started = time.monotonic()
    run = subprocess.run(command, cwd=HERE, capture_output=True, text=True,
                         env={**os.environ, "NO_COLOR": "1"})
    (reports / f"{identity}.txt").write_text(run.stdout + run.stderr)
    summary = run.stdout.rpartition("SUMMARY")[2] or run.stdout[-3000:] + run.stderr[-3000:]
    return Figures(identity, run.returncode, summary.strip("= \n"), time.monotonic() - started)


def headline(figures: Figures) -> str:
    cases = re.search(r"(\d+) generated", figures.summary)
    tail = figures.summary.strip().splitlines()[-1].strip("= ") if figures.summary else ""
    return (f"{figures.identity:<9} {'clean' if figures.exit_code == 0 else 'FAILED':<6} "
            f"{cases.group(1) if cases else '?':>6} cases  {figures.seconds:6.1f} s  {tail}")


def main() -> int:
    database = contract_database(os.environ.get("DATABASE_URL", ""))
    var = Path(tempfile.mkdtemp(prefix="mercato-contract-"))
    (var / "static").mkdir()  # the API serves no static files; whitenoise wants the folder
    reports = ROOT / ".schemathesis"
    reports.mkdir(exist_ok=True)
    env = {**os.environ, "DATABASE_URL": database, "DEBUG": "off",
           "SECRET_KEY": secrets.token_urlsafe(50), "MERCATO_ABUSE_LIMITS": "off",
           "ALLOWED_HOSTS": "127.0.0.1", "MERCATO_VAR_DIR": str(var), "EMAIL_URL": "dummy://",
           "PYTHONUNBUFFERED": "1",
           # The Stripe webhook endpoint is up (unsigned requests get its 400, not a 503).
           "STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_urlsafe(24)}
    env.pop("CACHE_URL", None)
    started = time.monotonic()
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo", "--products", "200")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (reports / "server.log").open("w")  # Django's warnings for every 4xx, tracebacks
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "mercato.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--timeout", "60"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(base + "/api/openapi.json", server)
        print(f"== schemathesis on {base} (setup {time.monotonic() - started:.0f} s)", flush=True)
        results = []
        for identity, email in IDENTITIES.items():
            results.append(schemathesis(base, identity, email, reports))
            print(headline(results[-1]), flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    for figures in results:
        print(f"\n== {figures.identity}\n{figures.summary}")
    print(f"\nReports and full output in {reports}; total {time.monotonic() - started:.0f} s")
    return max(figures.exit_code for figures in results)


if __name__ == "__main__":
    sys.exit(main())
