"""Reading the handler table (mercato/handlers.py) and calling one handler with its event.

The table is keyed by event class and lists handler functions, so a renamed event or handler
fails when the table is imported, not when an event is delivered. The outbox stores and locks
deliveries by the event type's name and the handler's dotted path; this module converts. Tests
may give their own table in `settings.MERCATO_HANDLERS`, by class or by name, with functions or
dotted paths.

A handler is `def handle(event: SomeEvent, event_id: int) -> None`: the dataclass the event was
recorded from, and its row's id, which is what a handler is idempotent on (and what the key of
a call to another system is derived from).
"""

import importlib
from collections.abc import Callable, Collection, Iterable, Mapping

from django.conf import settings
from django.utils.module_loading import import_string

from mercato.core.events import DomainEvent, from_row
from mercato.core.models import Event
from mercato.core.outbox.calls import wanted_of

Handler = Callable[[DomainEvent, int], None]


def handler_path(handler: Handler | str) -> str:
    """The dotted path a delivery row names its handler by."""
    if isinstance(handler, str):
        return handler
    return f"{handler.__module__}.{handler.__qualname__}"


def _type_name(key: type[DomainEvent] | str) -> str:
    return key if isinstance(key, str) else key.__name__


def handler_table() -> dict[str, list[str]]:
    """{event type name: [handler paths]}, from settings.MERCATO_HANDLERS, else the HANDLERS of
    the module MERCATO_HANDLERS_MODULE names (mercato.handlers; a test gives its worker
    processes theirs by env)."""
    table: Mapping[type[DomainEvent] | str, Iterable[Handler | str]] | None = getattr(
        settings, "MERCATO_HANDLERS", None)
    if table is None:
        module = getattr(settings, "MERCATO_HANDLERS_MODULE", "mercato.handlers")
        table = importlib.import_module(module).HANDLERS
    merged: dict[str, list[str]] = {}
    for key, handlers in table.items():
        paths = merged.setdefault(_type_name(key), [])
        paths.extend(path for path in map(handler_path, handlers) if path not in paths)
    return {name: paths for name, paths in merged.items() if paths}


def deliverable_table() -> dict[str, list[str]]:
    """handler_table without the handlers that want none of an event type now
    (calls.only_while_wanted): what new events get deliveries for."""
    table = handler_table()
    wanted_now: dict[str, Collection[str] | None] = {}
    for path in {path for paths in table.values() for path in paths}:
        try:
            wanted = wanted_of(handler_of(path))
        except ImportError:
            wanted = None  # a missing handler fails in its delivery, where staff see it
        wanted_now[path] = set(wanted()) if wanted is not None else None
    deliverable = {}
    for name, paths in table.items():
        kept = [path for path in paths if wanted_now[path] is None or name in wanted_now[path]]
        if kept:
            deliverable[name] = kept
    return deliverable


def handler_of(path: str) -> Handler:
    """The handler function a delivery row names (ImportError if it no longer exists)."""
    return import_string(path)


def call_handler(path: str, row: Event) -> object:
    """Run the handler at `path` with the event `row` was recorded from; what it returns (an
    outside call's response may carry the status_code the attempt log keeps)."""
    return handler_of(path)(from_row(row), row.pk)
