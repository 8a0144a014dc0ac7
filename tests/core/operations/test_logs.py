"""MERCATO_LOG_FORMAT=json: one JSON object a line carrying the request id that the response
sends back; an unsafe incoming id is replaced; without the variable nothing changes."""

import io
import json
import logging
import logging.config
import os
import re
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from mercato.core.operations.log_context import delivery_log_context
from mercato.settings import logging_settings

ROOT = Path(__file__).resolve().parents[3]
CONFIGURED_LOGGERS = ("", "django", "django.server")


@contextmanager
def json_logging():
    """The JSON LOGGING applied for real, its one handler writing to a buffer; the process's
    logging is put back afterwards."""
    saved = {name: (logger.handlers[:], logger.level, logger.propagate)
             for name in CONFIGURED_LOGGERS for logger in [logging.getLogger(name)]}
    buffer = io.StringIO()
    config = logging_settings("json", "INFO")
    config["handlers"]["console"]["stream"] = buffer
    logging.config.dictConfig(config)
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    finally:
        for name, (handlers, level, propagate) in saved.items():
            logger = logging.getLogger(name)
            logger.handlers[:] = handlers
            logger.setLevel(level)
            logger.propagate = propagate


def test_a_request_logs_json_with_the_request_id_of_its_response(client):
    with json_logging() as lines:
        response = client.get("/no/such/page/")

    [line] = [line for line in lines() if line["logger"] == "django.request"]
    assert line["request_id"] == response["X-Request-ID"]
    assert line["level"] == "WARNING"
    assert line["message"] == "Not Found: /no/such/page/"
    assert line["status_code"] == 404
    assert "timestamp" in line
    assert "request" not in line


@pytest.mark.django_db
def test_a_line_django_writes_after_the_middleware_has_the_id_too(client):
    # A view's own 4xx response is logged by Django once the middleware chain has returned.
    with json_logging() as lines:
        response = client.get("/metrics", HTTP_X_REQUEST_ID="lb-7f3a.1")

    [line] = [line for line in lines() if line["logger"] == "django.request"]
    assert line["message"] == "Unauthorized: /metrics"
    assert line["request_id"] == response["X-Request-ID"] == "lb-7f3a.1"


@pytest.mark.parametrize("sane", ["a1B2.c3_d4-e5", "x" * 128,
                                  "6f1c2e1a-4b7d-4c59-9f0e-2d8a3b5c7e91"])
def test_a_sane_incoming_request_id_is_kept(client, sane):
    assert client.get("/healthz", HTTP_X_REQUEST_ID=sane)["X-Request-ID"] == sane


@pytest.mark.parametrize("unsafe", ["two words", "x" * 129, "line\nbreak", "<script>", "a=b", ""])
def test_an_unsafe_incoming_request_id_is_replaced(client, unsafe):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=unsafe)

    assert response["X-Request-ID"] != unsafe
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_each_request_without_an_id_gets_its_own(client):
    assert client.get("/healthz")["X-Request-ID"] != client.get("/healthz")["X-Request-ID"]


def test_lines_written_during_a_delivery_carry_its_id():
    logger = logging.getLogger("mercato.tests.worker")
    with json_logging() as lines:
        with delivery_log_context(42):
            logger.warning("handler failed")
        logger.warning("between deliveries")

    inside, outside = lines()
    assert inside["request_id"] == "delivery-42"
    assert outside["request_id"] is None


def logging_of_a_process(**env: str) -> str:
    code = ("import django, logging; django.setup(); from django.conf import settings; "
            "handler = logging.getLogger().handlers[0]; "
            "print(repr(settings.LOGGING)); print(type(handler.formatter).__name__, "
            "[type(f).__name__ for f in handler.filters], logging.getLogger('django').handlers)")
    environment = {k: v for k, v in os.environ.items() if k != "MERCATO_LOG_FORMAT"}
    environment.update(env, DJANGO_SETTINGS_MODULE="mercato.settings")
    result = subprocess.run([sys.executable, "-c", code], env=environment, cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_without_the_variable_logging_is_the_plain_format_it_was():
    settings_repr, handler = logging_of_a_process(LOG_LEVEL="INFO").splitlines()

    assert settings_repr == repr({
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"console": {"class": "logging.StreamHandler"}},
        "root": {"handlers": ["console"], "level": "INFO"},
    })
    assert handler.startswith("NoneType []")  # Django's default "%(message)s", no filter


def test_mercato_log_format_json_switches_every_handler_to_json():
    _, handler = logging_of_a_process(MERCATO_LOG_FORMAT="json").splitlines()

    assert handler == "JsonFormatter ['RequestIdFilter'] []"


def test_an_unknown_log_format_stops_start_up():
    with pytest.raises(ImproperlyConfigured, match="MERCATO_LOG_FORMAT must be plain or json"):
        logging_settings("xml", "INFO")
