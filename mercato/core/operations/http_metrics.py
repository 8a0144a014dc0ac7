"""Requests counted by method, route and status, and timed by method and route.

The route is the URL pattern that matched, so /api/v1/orders/MRC-100001 and MRC-100002 are one
series; a request that matched nothing (a 404 before any view, a request a middleware
answered) is `unmatched`. In multiprocess mode (PROMETHEUS_MULTIPROC_DIR set before start-up)
prometheus-client keeps these values in files that every gunicorn worker's scrape sums.
"""

import time
from collections.abc import Callable

import prometheus_client
from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter, Histogram

from mercato.core.operations import names

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"

# A `_created` series beside every counter and histogram series doubles what is stored and
# says nothing a restart's reset does not.
prometheus_client.disable_created_metrics()

REQUESTS = Counter(names.HTTP_REQUESTS, "HTTP requests answered.",
                   ["method", "route", "status"])
DURATION = Histogram(names.HTTP_REQUEST_DURATION, "Seconds from request to response.",
                     ["method", "route"])


def route_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None or match.route is None:
        return UNMATCHED
    return match.route if match.route.startswith("^") else "/" + match.route


def observe(*, method: str, route: str, status: int, seconds: float) -> None:
    method = method if method in KNOWN_METHODS else "other"  # any word is a valid method
    REQUESTS.labels(method=method, route=route, status=str(status)).inc()
    DURATION.labels(method=method, route=route).observe(seconds)


class CountRequests:
    """Counts and times every request that reaches it (the probes are answered before)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        observe(method=request.method or "", route=route_of(request),
                status=response.status_code, seconds=time.perf_counter() - started)
        return response
