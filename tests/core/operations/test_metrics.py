"""/metrics: who may read it, the request counts by route, the figures read from the
database (in a fixed number of queries), and the sum over gunicorn's worker processes."""

import os
import runpy
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from mercato.core.middleware import PROBLEM_CONTENT_TYPE
from mercato.core.models import Event, EventDelivery
from mercato.core.money import Money
from mercato.core.operations.figures import FiguresCollector, outbox_figures
from mercato.payments.gateways import get_gateway
from mercato.payments.services import authorize_payment, create_payment
from tests.factories import UserFactory
from tests.orders.builders import make_quote, place

TOKEN = "metrics-token-0123456789"
ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.django_db


def samples(body: bytes) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(body.decode())
            for sample in family.samples}


def scrape(client) -> dict:
    with override_settings(MERCATO_METRICS_TOKEN=TOKEN):
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content
    return samples(response.content)


def test_anonymous_gets_a_401_problem_asking_for_a_token(client):
    response = client.get("/metrics")

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert response.json()["type"].endswith("/not-authenticated")


def test_a_customer_gets_a_403_problem(client):
    client.force_login(UserFactory())

    response = client.get("/metrics")

    assert response.status_code == 403
    assert response.json()["type"].endswith("/permission-denied")


def test_staff_signed_in_read_the_metrics(client):
    client.force_login(UserFactory(is_staff=True))

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    assert b"mercato_orders_placed_total" in response.content


@pytest.mark.parametrize(("configured", "sent", "status"), [
    (TOKEN, TOKEN, 200), (TOKEN, TOKEN[:-1], 401), (TOKEN, "", 401), ("", "", 401),
])
def test_the_bearer_token_must_be_the_configured_one(client, configured, sent, status):
    with override_settings(MERCATO_METRICS_TOKEN=configured):
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {sent}")

    assert response.status_code == status


def test_a_wrong_token_is_refused_even_with_a_staff_session(client):
    client.force_login(UserFactory(is_staff=True))
    with override_settings(MERCATO_METRICS_TOKEN=TOKEN):
        response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer guessed")

    assert response.status_code == 401


def request_count(**labels: str) -> float:
    return REGISTRY.get_sample_value("mercato_http_requests_total", labels) or 0


def test_requests_are_counted_by_route_pattern_not_by_path(client):
    labels = {"method": "GET", "route": "/api/v1/orders/<number>", "status": "401"}
    before = request_count(**labels)

    client.get("/api/v1/orders/MRC-1")
    client.get("/api/v1/orders/MRC-2")

    assert request_count(**labels) == before + 2
    scraped = scrape(client)
    key = ("mercato_http_requests_total", tuple(sorted(labels.items())))
    assert scraped[key] == before + 2
    assert not [name for name, label in scraped if "MRC-1" in str(label)]


def test_unmatched_paths_and_odd_methods_share_one_series(client):
    labels = {"method": "other", "route": "unmatched", "status": "404"}
    before = request_count(**labels)

    client.generic("BREW", "/no/such/page/1")
    client.generic("PROPFIND", "/no/such/page/2")

    assert request_count(**labels) == before + 2


def test_probes_are_not_counted(client):
    before = request_count(method="GET", route="unmatched", status="200")

    client.get("/healthz")

    assert request_count(method="GET", route="unmatched", status="200") == before


def record_deliveries() -> None:
    """Two handlers: one done, one pending for 90 s, one dead."""
    now = timezone.now()
    for index, status in enumerate(["done", "pending", "dead"]):
        event = Event.objects.create(type="ParcelShipped", aggregate_type="parcel",
                                     aggregate_id=str(index))
        EventDelivery.objects.create(event=event, handler=f"tests.{status}_handler",
                                     status=status, next_attempt_at=now)
    Event.objects.filter(aggregate_id="1").update(created_at=now - timedelta(seconds=90))


def record_payments() -> None:
    gateway = get_gateway("test")
    for number, card in enumerate(["4242 4242 4242 4242", "4000 0000 0000 0002"]):
        payment = create_payment(reference=f"ORD-{number}", method="card",
                                 amount=Money(Decimal("10.00"), "EUR"))
        authorize_payment(payment_id=payment.public_id, idempotency_key=f"metrics-{number}",
                          token=gateway.tokenize_card(card, 12, 2030, "123"))


def test_figures_are_read_from_the_database(client):
    quote = make_quote()
    place(quote)
    place(quote)
    record_payments()
    record_deliveries()

    scraped = scrape(client)

    assert scraped[("mercato_orders_placed_total", ())] == 2
    assert scraped[("mercato_payment_transactions_total",
                    (("kind", "authorize"), ("outcome", "succeeded")))] == 1
    assert scraped[("mercato_payment_transactions_total",
                    (("kind", "authorize"), ("outcome", "failed")))] == 1
    assert scraped[("mercato_outbox_pending_deliveries", ())] == 1
    assert scraped[("mercato_outbox_dead_letters", ())] == 1
    assert 90 <= scraped[("mercato_outbox_lag_seconds", ())] < 150
    assert scraped[("mercato_outbox_deliveries",
                    (("handler", "tests.dead_handler"), ("status", "dead")))] == 1
    assert scraped[("mercato_figures_up", ())] == 1


def test_an_empty_shop_reports_zero_lag_and_no_orders(client):
    scraped = scrape(client)

    assert scraped[("mercato_orders_placed_total", ())] == 0
    assert scraped[("mercato_outbox_lag_seconds", ())] == 0
    assert scraped[("mercato_outbox_pending_deliveries", ())] == 0


def test_a_scrape_costs_four_queries_whatever_the_rows(client, django_assert_num_queries):
    with django_assert_num_queries(4):
        scrape(client)
    record_payments()
    record_deliveries()
    place(make_quote())
    with django_assert_num_queries(4):
        scrape(client)


def broken_figures():
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")
    yield from ()


def test_a_failing_figure_is_left_out_and_figures_up_says_0():
    families = list(FiguresCollector([outbox_figures, broken_figures]).collect())

    by_name = {family.name: family for family in families}
    assert "mercato_outbox_dead_letters" in by_name
    assert by_name["mercato_figures_up"].samples[0].value == 0


def count_in_another_process(directory: Path, route: str) -> None:
    code = ("from mercato.core.operations.http_metrics import observe; "
            f"observe(method='GET', route={route!r}, status=200, seconds=0.01)")
    environment = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    subprocess.run([sys.executable, "-c", code], env=environment, cwd=ROOT, check=True,
                   timeout=60)


def test_multiprocess_mode_sums_every_worker_process(client, tmp_path):
    count_in_another_process(tmp_path, "/p/<slug:slug>/")
    count_in_another_process(tmp_path, "/p/<slug:slug>/")

    with override_settings(PROMETHEUS_MULTIPROC_DIR=str(tmp_path)):
        scraped = scrape(client)

    labels = (("method", "GET"), ("route", "/p/<slug:slug>/"), ("status", "200"))
    assert scraped[("mercato_http_requests_total", labels)] == 2
    assert scraped[("mercato_http_request_duration_seconds_count",
                    (("method", "GET"), ("route", "/p/<slug:slug>/")))] == 2
    assert scraped[("mercato_orders_placed_total", ())] == 0


def test_gunicorn_empties_the_multiprocess_directory_when_it_starts(tmp_path, monkeypatch):
    (tmp_path / "counter_4242.db").write_bytes(b"a previous run's counts")
    (tmp_path / "notes.txt").write_text("not ours")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))

    hooks["on_starting"](server=None)

    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt"]
