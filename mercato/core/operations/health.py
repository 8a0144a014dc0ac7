"""/healthz and /readyz, answered by the first middleware so a load balancer's probe is cheap.

/healthz says the process is alive and touches nothing. /readyz says whether this process can
serve: the database answers a trivial query and, when CELERY_BROKER_URL is set, the broker
accepts a connection (one attempt, BROKER_TIMEOUT seconds). Either way the probes need no
session, CSRF token or login, and they are answered before SecurityMiddleware and
CommonMiddleware: over plain HTTP even when MERCATO_SSL_REDIRECT is on, and whatever Host header
the prober sends (a load balancer probing a container by its address is not in ALLOWED_HOSTS).
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from kombu import Connection

logger = logging.getLogger(__name__)

BROKER_TIMEOUT = 2.0
PROBE_METHODS = ("GET", "HEAD")
Check = Callable[[], None]


def database_answers() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def broker_answers() -> None:
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT) as broker:
        # max_retries=0: one attempt; kombu's default retries with sleeps in between.
        broker.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT)


def readiness_checks() -> dict[str, Check]:
    checks: dict[str, Check] = {"database": database_answers}
    if settings.CELERY_BROKER_URL:
        checks["broker"] = broker_answers
    return checks


def failure(error: Exception) -> str:
    """The error's class and first line, short: enough to tell a refused connection from a
    refused login; the full traceback goes to the log."""
    lines = str(error).strip().splitlines() or [""]
    return f"{type(error).__name__}: {lines[0]}"[:300]


def healthz() -> JsonResponse:
    return JsonResponse({"status": "ok"})


def readyz() -> JsonResponse:
    results = {}
    for name, check in readiness_checks().items():
        try:
            check()
        except Exception as error:  # whatever the reason, this process cannot serve
            results[name] = failure(error)
            logger.warning("Not ready: the %s check failed (%s)", name, results[name])
        else:
            results[name] = "ok"
    ready = all(result == "ok" for result in results.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": results},
                        status=200 if ready else 503)


PROBES: dict[str, Callable[[], JsonResponse]] = {"/healthz": healthz, "/readyz": readyz}


class AnswerProbes:
    """Answer the probe paths here; pass every other request on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is None:
            return self.get_response(request)
        if request.method not in PROBE_METHODS:
            response = JsonResponse({"status": "method not allowed"}, status=405)
            response["Allow"] = ", ".join(PROBE_METHODS)
            return response
        response = probe()
        response["Cache-Control"] = "no-store"
        return response
