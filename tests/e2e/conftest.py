"""End-to-end fixtures: the real server (gunicorn, DEBUG off, a seeded SQLite file of its own)
and Debian's Chromium driven by Playwright's sync API.

These tests never touch pytest-django's test database: they talk to the server over HTTP only,
and setup helpers that need the ORM run `manage.py shell -c` against the e2e database.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = "/usr/bin/chromium"
DEMO_PRODUCTS = 60
START_TIMEOUT = 30.0


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: drives the real server in Chromium (tests/e2e)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@dataclass
class Server:
    url: str
    env: dict[str, str]
    log: Path

    def manage(self, *args: str, timeout: float = 60) -> str:
        """Run a manage.py command against the e2e database; its stdout."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
            text=True, timeout=timeout, check=False,
        )
        if done.returncode:
            raise AssertionError(
                f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def shell(self, code: str) -> str:
        """Run Python code with Django set up (manage.py shell -c) against the e2e database."""
        return self.manage("shell", "--no-imports", "-v", "0", "-c", code)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/robots.txt", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers, even if that page is missing
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {START_TIMEOUT} s:\n{log.read_text()}")


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A freshly migrated and seeded shop served by gunicorn on a free 127.0.0.1 port."""
    work = tmp_path_factory.mktemp("e2e")
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "mercato.settings",
        "DATABASE_URL": f"sqlite:///{work / 'shop.sqlite3'}",
        "MERCATO_VAR_DIR": str(work),  # STATIC_ROOT is <var>/static
        "DEBUG": "0",
        "SECRET_KEY": "e2e-secret-key-not-for-production-" + "x" * 20,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "0",  # plain http on loopback
        "EMAIL_URL": "dummy://",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    server = Server(url=f"http://127.0.0.1:{port}", env=env, log=work / "gunicorn.log")
    server.manage("migrate", "--noinput", "-v", "0", timeout=120)
    server.manage("seed_demo", "--products", str(DEMO_PRODUCTS), timeout=120)
    # The shop's own static files, compressed by the real storage; the admin's and the API
    # docs' are left out (compressing them takes ~20 s and no storefront page uses them).
    server.manage("collectstatic", "--noinput", "-v", "0", "-i", "admin", "-i", "ninja",
                  timeout=120)
    with server.log.open("wb") as log:
        # As `make run`: the outbox worker beside gunicorn (payments settle, emails go out).
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker"], cwd=ROOT,
            env={**env, "MERCATO_WORKER_POLL_SECONDS": "0.2"}, stdout=log,
            stderr=subprocess.STDOUT)
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "mercato.wsgi",
             "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "30",
             "--access-logfile", "-", "--access-logformat", '%(m)s %(U)s%(q)s %(s)s %(M)sms'],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(server.url, process, server.log)
        yield server
    finally:
        for running in (process, worker):
            running.terminate()
            try:
                running.wait(timeout=10)
            except subprocess.TimeoutExpired:
                running.kill()
                running.wait()


@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    """Debian's Chromium, headless. Package scope: Playwright's sync API runs an event loop that
    must be gone before the Django tests after this folder run (SynchronousOnlyOperation)."""
    if not Path(CHROMIUM).exists() or not shutil.which(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium package "
            "(`apt-get install -y chromium`; .ci/run does it). Playwright's own browser "
            "download does not work here, so the e2e tests cannot run.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage"],
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def context(browser: object, server: Server) -> Iterator[object]:
    """One browser context (cookies, storage) per test."""
    context = browser.new_context(base_url=server.url, locale="en-US",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    # Nothing leaves the machine: the demo's product images (picsum.photos) would only make
    # every page wait for its load event until the network gives up.
    context.route(re.compile(rf"^(?!{re.escape(server.url)}/)"), lambda route: route.abort())
    try:
        yield context
    finally:
        context.close()


# What the browser logs when the policy blocks something, and what htmx logs when a template
# asks it for eval, which the policy forbids (so htmx is configured to refuse it).
CSP_VIOLATIONS = ("Content Security Policy", "htmx:evalDisallowedError")


@pytest.fixture
def page(context: object, request: pytest.FixtureRequest) -> Iterator[object]:
    """A page in the test's context; its last page is saved to screenshots/<test name>.png,
    whether the test passed or failed. No page may break the Content-Security-Policy."""
    page = context.new_page()
    violations: list[str] = []
    context.on("console", lambda message: violations.append(message.text)
               if any(sign in message.text for sign in CSP_VIOLATIONS) else None)
    yield page
    SCREENSHOTS.mkdir(exist_ok=True)
    last = context.pages[-1] if context.pages else page
    try:
        last.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    except Exception as error:  # a screenshot must not hide the test's result
        print(f"screenshot of {request.node.name} failed: {error}")
    assert not violations, violations
