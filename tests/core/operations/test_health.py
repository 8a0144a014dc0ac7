"""/healthz and /readyz: alive without the database, ready when the database and the broker
answer, and reachable by a load balancer over plain HTTP with its own Host header."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

REACHABLE_BROKERS = ["redis://127.0.0.1:6379/9", "amqp://guest:guest@127.0.0.1:5672//"]
UNREACHABLE_BROKERS = ["redis://127.0.0.1:1/0", "amqp://guest:guest@127.0.0.1:1//"]
ROOT = Path(__file__).resolve().parents[3]


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: any query would fail the test.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.cookies == {}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_without_a_broker_checks_the_database_only(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert response.cookies == {}


@pytest.mark.django_db
@pytest.mark.parametrize("broker", REACHABLE_BROKERS)
def test_readyz_is_ok_when_the_broker_answers(client, broker):
    with override_settings(CELERY_BROKER_URL=broker):
        response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


@pytest.mark.django_db
@pytest.mark.parametrize("broker", UNREACHABLE_BROKERS)
def test_readyz_is_503_naming_the_broker_when_it_does_not_answer(client, broker):
    with override_settings(CELERY_BROKER_URL=broker):
        response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert "Connection refused" in body["checks"]["broker"]


def probe_with(env: dict[str, str]) -> dict[str, object]:
    """Both probes answered by a fresh process started with `env`."""
    code = ("import django, json; django.setup(); from django.test import Client; c = Client(); "
            "print(json.dumps({p: [c.get(p).status_code, c.get(p).json()] "
            "for p in ('/healthz', '/readyz')}))")
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "mercato.settings", **env}
    result = subprocess.run([sys.executable, "-c", code], env=environment, cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_with_the_database_unreachable_healthz_is_ok_and_readyz_names_the_database():
    answers = probe_with({"DATABASE_URL": "postgres://postgres@127.0.0.1:1/unreachable",
                          "CELERY_BROKER_URL": ""})

    assert answers["/healthz"] == [200, {"status": "ok"}]
    status, body = answers["/readyz"]
    assert status == 503
    assert body["checks"]["database"].startswith("OperationalError: ")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_are_answered_over_http_for_any_host_while_pages_redirect(client, path):
    with override_settings(SECURE_SSL_REDIRECT=True):
        probe = client.get(path, HTTP_HOST="10.0.3.7:8000")
        page = client.get("/", HTTP_HOST="10.0.3.7:8000")
        redirected = client.get("/")

    assert probe.status_code == 200
    assert page.status_code == 400  # not in ALLOWED_HOSTS
    assert redirected.status_code == 301
    assert redirected["Location"].startswith("https://")


def test_probes_refuse_other_methods(client):
    response = client.post("/healthz")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
