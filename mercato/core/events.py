"""Domain events: recorded as one row in the same transaction as the change they describe, and
read back by handlers as the same dataclass.

Every DomainEvent subclass is registered under its class name, which is the Event row's `type`;
two event classes with one name refuse to import. The payload is the dataclass's fields (amounts
and times as strings) plus `schema_version`; `from_row` turns a row back into its dataclass.
An event whose fields change incompatibly raises its class's `schema_version` and overrides
`upgrade` to turn an older payload into the current one, so rows recorded before still decode.
"""

import dataclasses
import typing
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import UnionType
from typing import Any, ClassVar, Self

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from mercato.core.models import Event

SCHEMA_VERSION_KEY = "schema_version"


@dataclass(frozen=True)
class Actor:
    kind: str  # "customer", "staff", "system", "api"
    label: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.label}" if self.label else self.kind


SYSTEM = Actor("system")


class UnknownEvent(LookupError):
    """A row whose type no event class has (renamed or removed without an alias)."""


class UnreadablePayload(ValueError):
    """A row whose payload does not fit its event class (a field missing or of another type)."""


_EVENT_CLASSES: dict[str, type["DomainEvent"]] = {}


@dataclass(frozen=True)
class DomainEvent:
    """Base of every event: a past-tense fact about one aggregate."""

    aggregate_type: ClassVar[str] = ""
    # Raise it, and override `upgrade`, when a field is renamed, retyped or made required.
    schema_version: ClassVar[int] = 1
    aggregate_id: str

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        known = _EVENT_CLASSES.get(cls.__name__)
        if known is not None and (known.__module__, known.__qualname__) != (
                cls.__module__, cls.__qualname__):
            raise TypeError(f"Two event classes are named {cls.__name__}: {known.__module__} "
                            f"and {cls.__module__}; the Event table tells them apart by name.")
        _EVENT_CLASSES[cls.__name__] = cls

    def payload(self) -> dict[str, Any]:
        encoder = DjangoJSONEncoder()
        fields = {
            key: value if isinstance(value, str | int | bool | list | None)
            else encoder.default(value)
            for key, value in dataclasses.asdict(self).items()
        }
        return {**fields, SCHEMA_VERSION_KEY: self.schema_version}

    @classmethod
    def upgrade(cls, payload: dict[str, Any], version: int) -> dict[str, Any]:
        """`payload` recorded at `version` (older than schema_version) in today's shape."""
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Self:
        version = payload.get(SCHEMA_VERSION_KEY, 1)
        if version > cls.schema_version:
            raise UnreadablePayload(f"{cls.__name__} version {version} is newer than this "
                                    f"code's version {cls.schema_version}.")
        if version < cls.schema_version:
            payload = cls.upgrade(dict(payload), version)
        hints = typing.get_type_hints(cls)
        values = {}
        for field in dataclasses.fields(cls):
            if field.name in payload:
                values[field.name] = _typed(payload[field.name], hints[field.name],
                                            f"{cls.__name__}.{field.name}")
        try:
            return cls(**values)  # keys the class no longer has are dropped on purpose
        except TypeError as error:
            raise UnreadablePayload(f"{cls.__name__}: {error}") from error


def _typed(value: Any, hint: Any, where: str) -> Any:
    """A JSON value as the field's type: amounts and times come back from their strings."""
    if value is None:
        return None
    if isinstance(hint, UnionType) or typing.get_origin(hint) is typing.Union:
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
    try:
        if hint is Decimal:
            return Decimal(str(value))
        if hint is datetime:
            return datetime.fromisoformat(value)
    except (ArithmeticError, TypeError, ValueError) as error:
        raise UnreadablePayload(f"{where}: {value!r} is not a {hint.__name__}.") from error
    return value


def event_class(type_name: str) -> type[DomainEvent]:
    try:
        return _EVENT_CLASSES[type_name]
    except KeyError:
        raise UnknownEvent(f"No event class is named {type_name}.") from None


def from_row(row: Event) -> DomainEvent:
    """The dataclass an Event row was recorded from."""
    return event_class(row.type).from_payload(row.payload)


def record(event: DomainEvent, *, by: Actor = SYSTEM) -> Event:
    """Append `event`; must run inside the service's transaction."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("record() must be called inside the service's transaction")
    return Event.objects.create(
        type=type(event).__name__,
        aggregate_type=event.aggregate_type,
        aggregate_id=event.aggregate_id,
        payload=event.payload(),
        actor=str(by)[:200],
    )
