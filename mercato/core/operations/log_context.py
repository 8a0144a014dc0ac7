"""The id of the unit of work a log line belongs to: a request, or an outbox delivery.

A context variable holds it for the unit's duration; RequestIdFilter copies it onto every log
record as ``request_id`` (None outside any unit), and json_formatter() writes it out. The
outbox's deliver_one wraps each delivery in ``delivery_log_context(delivery.pk)``, so the lines
its handler and the worker write about it carry ``delivery-<id>``, on every transport.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

_current_id: ContextVar[str | None] = ContextVar("mercato_log_id", default=None)

JSON_FIELDS = "%(levelname)s %(name)s %(message)s %(request_id)s"
# Django logs requests with extra={"request": <the request>}: its repr says nothing the
# message does not, and the dev server's is a socket.
OMITTED_EXTRAS = ("request",)


def current_log_id() -> str | None:
    return _current_id.get()


@contextmanager
def log_context(log_id: str) -> Iterator[str]:
    """Every log line written inside carries `log_id` as its request_id."""
    token = _current_id.set(log_id)
    try:
        yield log_id
    finally:
        _current_id.reset(token)


@contextmanager
def delivery_log_context(delivery_id: int) -> Iterator[str]:
    """For the outbox worker: the lines a delivery's handler writes carry delivery-<id>."""
    with log_context(f"delivery-{delivery_id}") as log_id:
        yield log_id


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record that passes the handler it is attached to."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            # django.request logs a 4xx/5xx after the middleware has returned, when the
            # context is gone; the request it passes along still has its id.
            request = getattr(record, "request", None)
            record.request_id = current_log_id() or getattr(request, "request_id", None)
        return True


def json_formatter() -> JsonFormatter:
    """One JSON object a line: timestamp, level, logger, message, request_id, and any extras
    (exc_info as a string)."""
    return JsonFormatter(
        JSON_FIELDS,
        rename_fields={"levelname": "level", "name": "logger"},
        reserved_attrs=[*RESERVED_ATTRS, *OMITTED_EXTRAS],
        timestamp=True,
    )
