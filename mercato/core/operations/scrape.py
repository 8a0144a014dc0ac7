"""GET /metrics: the Prometheus text format, for staff or the holder of MERCATO_METRICS_TOKEN.

A scraper sends `Authorization: Bearer <MERCATO_METRICS_TOKEN>` (compared in constant time);
a staff member signed in to the back office may read it in a browser. No credentials: 401;
wrong token: 401; signed in but not staff: 403, as problem+json like the API's errors.
With PROMETHEUS_MULTIPROC_DIR the request metrics are summed from every worker's files;
otherwise they are this process's own.
"""

import hmac
from collections.abc import Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.multiprocess import MultiProcessCollector

from mercato.core.middleware import problem_json
from mercato.core.operations.figures import FiguresCollector, FigureSource
from mercato.core.problems import NotAuthenticated, PermissionDenied, Problem

BEARER = "bearer"


def access_refused(request: HttpRequest) -> Problem | None:
    """None when the request may read the metrics, else the problem to answer with."""
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == BEARER:
        token = settings.MERCATO_METRICS_TOKEN
        if token and hmac.compare_digest(credentials.strip().encode(), token.encode()):
            return None
        return NotAuthenticated("This bearer token does not give access to the metrics.")
    user = request.user
    if not user.is_authenticated:
        return NotAuthenticated("Send the metrics token as a bearer token, or sign in as staff.")
    if not (user.is_active and user.is_staff):
        return PermissionDenied("Only staff may read the metrics.")
    return None


def exposition(figures: Sequence[FigureSource]) -> bytes:
    registry = CollectorRegistry()
    if settings.PROMETHEUS_MULTIPROC_DIR:
        MultiProcessCollector(registry, path=settings.PROMETHEUS_MULTIPROC_DIR)
    else:
        registry.register(REGISTRY)  # a registry is a collector of everything it holds
    registry.register(FiguresCollector(figures))
    return generate_latest(registry)


@require_safe
def metrics(request: HttpRequest, figures: Sequence[FigureSource] = ()) -> HttpResponse:
    problem = access_refused(request)
    if problem is not None:
        response = problem_json(problem)
        if problem.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    response = HttpResponse(exposition(figures), content_type=CONTENT_TYPE_PLAIN_0_0_4)
    response["Cache-Control"] = "no-store"
    return response
