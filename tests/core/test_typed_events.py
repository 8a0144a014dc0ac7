"""Handlers read events as the dataclasses they were recorded from, whatever their version."""

import dataclasses
import importlib
import pkgutil
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar

import pytest
from django.db import transaction

import mercato
from mercato.core.events import (
    DomainEvent,
    UnknownEvent,
    UnreadablePayload,
    event_class,
    from_row,
    record,
)
from mercato.core.models import Event
from mercato.core.outbox.table import handler_table
from mercato.handlers import HANDLERS


@dataclass(frozen=True)
class CrateWeighed(DomainEvent):
    aggregate_type: ClassVar[str] = "crate"
    grams: int
    price: Decimal
    weighed_at: datetime
    label: str | None = None


@dataclass(frozen=True)
class CrateLabelled(DomainEvent):
    """Version 2 renamed `text` to `label`; rows of version 1 still read."""

    aggregate_type: ClassVar[str] = "crate"
    schema_version: ClassVar[int] = 2
    label: str

    @classmethod
    def upgrade(cls, payload: dict[str, Any], version: int) -> dict[str, Any]:
        return {**payload, "label": payload.pop("text")}


def _row(event_type: str, payload: dict) -> Event:
    return Event(type=event_type, aggregate_type="crate", aggregate_id="c1", payload=payload)


@pytest.mark.django_db
def test_a_recorded_event_reads_back_as_the_same_dataclass_with_its_types():
    weighed = CrateWeighed(aggregate_id="c1", grams=1200, price=Decimal("19.90"),
                           weighed_at=datetime(2026, 12, 7, 15, 30, tzinfo=UTC))
    with transaction.atomic():
        row = record(weighed)
    row.refresh_from_db()
    assert row.payload["schema_version"] == 1
    assert from_row(row) == weighed
    assert isinstance(from_row(row).price, Decimal)


def test_an_older_payload_is_upgraded_to_the_current_shape():
    old = _row("CrateLabelled", {"aggregate_id": "c1", "text": "fragile", "schema_version": 1})
    assert from_row(old) == CrateLabelled(aggregate_id="c1", label="fragile")


def test_a_payload_newer_than_the_code_is_refused():
    newer = _row("CrateLabelled", {"aggregate_id": "c1", "label": "x", "schema_version": 3})
    with pytest.raises(UnreadablePayload, match="newer"):
        from_row(newer)


def test_a_payload_missing_a_field_or_with_a_bad_amount_is_refused():
    with pytest.raises(UnreadablePayload):
        from_row(_row("CrateLabelled", {"aggregate_id": "c1", "schema_version": 2}))
    with pytest.raises(UnreadablePayload, match="price"):
        from_row(_row("CrateWeighed", {"aggregate_id": "c1", "grams": 1, "price": "lots",
                                       "weighed_at": "2026-12-07T15:30:00+00:00"}))


def test_a_field_the_class_no_longer_has_is_dropped():
    row = _row("CrateLabelled", {"aggregate_id": "c1", "label": "x", "colour": "red",
                                 "schema_version": 2})
    assert from_row(row) == CrateLabelled(aggregate_id="c1", label="x")


def test_an_unknown_type_is_refused_by_name():
    with pytest.raises(UnknownEvent, match="CrateVanished"):
        from_row(_row("CrateVanished", {"aggregate_id": "c1"}))


def test_two_event_classes_with_one_name_refuse_to_import():
    with pytest.raises(TypeError, match="Two event classes are named CrateWeighed"):
        @dataclass(frozen=True)
        class CrateWeighed(DomainEvent):
            aggregate_type: ClassVar[str] = "crate"


def _all_event_classes() -> list[type[DomainEvent]]:
    for module in pkgutil.walk_packages(mercato.__path__, "mercato."):
        if module.name.endswith(".events"):
            importlib.import_module(module.name)
    return [cls for cls in DomainEvent.__subclasses__()]


def test_the_handler_table_is_keyed_by_event_classes_and_lists_functions():
    assert HANDLERS
    for event_type, handlers in HANDLERS.items():
        assert issubclass(event_type, DomainEvent)
        assert event_class(event_type.__name__) is event_type
        assert handlers and all(callable(handler) for handler in handlers)
    assert handler_table()["ShipmentShipped"][0] == "mercato.orders.handlers.shipment_shipped"


def test_every_field_of_every_event_class_can_be_read_back():
    """A field of a type from_payload cannot rebuild would reach handlers as a string."""
    readable = {str, int, bool, Decimal, datetime, str | None, int | None, Decimal | None}
    _all_event_classes()
    import typing
    seen = 0
    pending = list(DomainEvent.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if not cls.__module__.startswith("mercato."):
            continue
        hints = typing.get_type_hints(cls)
        for field in dataclasses.fields(cls):
            assert hints[field.name] in readable, f"{cls.__name__}.{field.name}"
        seen += 1
    assert seen > 50
