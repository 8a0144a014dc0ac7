"""The README's production profile, booted as written: PostgreSQL, Redis (cache and broker),
gunicorn with DEBUG off, a Celery worker and Celery beat, all by environment. A shopper places
an order through the API and its confirmation email reaches the SMTP server, sent by the
Celery worker (the delivery's attempt log names it).

PostgreSQL only: the processes share the test database. Waits are bounded, nothing is timed.
"""

import json
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from mercato.core.models import DeliveryAttempt
from tests.cart.pricing_data import german_vat, standard_delivery
from tests.checkout.conftest import BERLIN, VISA
from tests.factories import make_sellable_variant
from tests.notifications.conftest import Inbox, free_port
from tests.processes import BIN, Processes, shared_database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 90  # an upper bound for a step, never a measure
SHOPPER = "grace@example.com"


def production_env(*, port: int, smtp_port: int, run: str) -> dict[str, str]:
    """The README's "Production profile" environment, on this machine's services."""
    return {
        "DATABASE_URL": shared_database_url(),
        "CACHE_URL": "redis://127.0.0.1:6379/13",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/12",
        "CELERY_QUEUE": f"profile-{run}",  # this run's own queues on the shared Redis
        "DEBUG": "0",
        "SECRET_KEY": "production-profile-test-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "0",  # plain http on loopback; behind TLS in production
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}?timeout=5",
        "MERCATO_LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
    }


def call(base: str, method: str, path: str, body: dict | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base}{path}", data=data, method=method, headers={
        "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def wait_until(condition, what: str, processes: Processes) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"{what} within {WAIT_SECONDS} s; logs:\n{processes.logs()}")


def ready(base: str) -> bool:
    try:
        return call(base, "GET", "/readyz")[0] == 200
    except OSError:
        return False


def place_order(base: str, sku: str) -> str:
    api = f"{base}/api/v1"
    status, cart = call(api, "POST", "/cart/lines", {"sku": sku, "quantity": 2})
    assert status == 200, cart
    headers = {"X-Cart-Token": cart["token"]}
    status, card = call(api, "POST", "/test-gateway/tokens", {
        "number": VISA, "exp_month": 12, "exp_year": 2030, "cvc": "123"})
    assert status == 201, card
    where = {"email": SHOPPER, "billing_address": BERLIN,
             "shipments": [{"address": BERLIN, "delivery_method": "standard"}]}
    status, quote = call(api, "POST", "/checkout/quote", where, headers)
    assert status == 200, quote
    status, order = call(api, "POST", "/checkout/complete", {
        **where, "payments": [{"method": "card", "token": card["token"]}],
        "expected_total": quote["totals"]["total"]["amount"],
    }, {**headers, "Idempotency-Key": str(uuid.uuid4())})
    assert status == 201, order
    return order["number"]


def test_the_production_profile_places_an_order_and_celery_sends_its_email(tmp_path: Path):
    german_vat()
    standard_delivery(code="standard", price="4.90", free_over="100.00")
    shirt = make_sellable_variant(price="20.00", on_hand=5, title="Linen shirt")
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    processes = Processes(tmp_path, production_env(port=port, smtp_port=smtp.port,
                                                   run=uuid.uuid4().hex[:8]))
    try:
        processes.start("gunicorn", str(BIN / "gunicorn"), "mercato.wsgi", "--bind",
                        f"127.0.0.1:{port}", "--workers", "2", "--timeout", "30")
        processes.start("worker", str(BIN / "celery"), "-A", "mercato", "worker", "-l", "INFO",
                        "-c", "2", "--without-gossip", "--without-mingle")
        processes.start("beat", str(BIN / "celery"), "-A", "mercato", "beat", "-l", "INFO",
                        "-s", str(tmp_path / "celerybeat-schedule"))
        wait_until(lambda: ready(base), "/readyz answers 200 (database and broker)", processes)

        number = place_order(base, shirt.sku)

        wait_until(lambda: any(SHOPPER in rcpt for rcpt, _ in inbox.received),
                   "the confirmation email arrives", processes)
    finally:
        processes.stop_all()
        smtp.stop()
    [message] = [m for rcpt, m in inbox.received if SHOPPER in rcpt]
    assert number in message["Subject"]
    [attempt] = DeliveryAttempt.objects.filter(
        delivery__handler="mercato.notifications.handlers.order_placed")
    assert attempt.outcome == DeliveryAttempt.Outcome.DONE
    assert "celery" in attempt.worker.lower(), attempt.worker
    request_log = (tmp_path / "gunicorn.log").read_text()
    assert '"request_id"' in request_log  # MERCATO_LOG_FORMAT=json
