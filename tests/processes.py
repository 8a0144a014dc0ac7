"""Real processes for the tests that need them (outbox workers, Celery, gunicorn), run against
pytest-django's test database, which they reach by DATABASE_URL (PostgreSQL only: SQLite's
test database lives in this process's memory).

Each process has its own process group, so killing it kills what it started too (a Celery
worker's pool), and its output in `<tmp>/<name>.log`.
"""

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def shared_database_url() -> str:
    """The test database, as other processes reach it."""
    db = connection.settings_dict
    return (f"postgres://{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}@"
            f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}")


def base_env(tmp: Path) -> dict[str, str]:
    """This environment without pytest's, Django's and Celery's variables, aimed at the test
    database and this checkout's code (the venv may have another checkout installed)."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTEST_", "DJANGO_", "CELERY_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "mercato.settings", "PYTHONPATH": str(ROOT),
                "DATABASE_URL": shared_database_url(), "MERCATO_VAR_DIR": str(tmp),
                "EMAIL_URL": "dummy://", "PYTHONUNBUFFERED": "1"})
    return env


class Processes:
    """The processes of one test: started with `env` over base_env, killed by stop_all()."""

    def __init__(self, tmp: Path, env: dict[str, str] | None = None) -> None:
        self.tmp = tmp
        self.env = {**base_env(tmp), **(env or {})}
        self.started: list[subprocess.Popen] = []

    def start(self, name: str, *argv: str) -> subprocess.Popen:
        with (self.tmp / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        self.started.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL the process and every process it started."""
        with contextlib.suppress(ProcessLookupError):  # the whole group is gone already
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                self.kill(process)

    def logs(self, lines: int = 30) -> str:
        return "\n".join(f"--- {log.name}\n" + "\n".join(log.read_text(errors="replace")
                                                         .splitlines()[-lines:])
                         for log in sorted(self.tmp.glob("*.log")))
