"""X-Request-ID: taken from the caller when it is a sane token, otherwise made here; kept for
the request's log lines (log_context.py) and sent back in the response.

A proxy or load balancer that already stamps requests keeps its id end to end; anything longer
than 128 characters or outside [A-Za-z0-9._-] (a header-injection attempt, a log-forging
newline) is replaced rather than trusted.
"""

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from mercato.core.operations.log_context import log_context

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


def request_id_from(incoming: str | None) -> str:
    """The caller's id when it is sane, else a new one (32 hex digits)."""
    if incoming and SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class AssignRequestId:
    """Outermost middleware: every response, the probes' and redirects' too, has an id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # for the lines Django logs after we return
        with log_context(request_id):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response
