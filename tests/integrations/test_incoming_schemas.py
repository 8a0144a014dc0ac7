"""The published JSON Schemas of the incoming events are the schemas the endpoints read with,
and the messages the tests send fit them."""

import json

import pytest
from jsonschema import Draft202012Validator

from mercato.integrations.incoming_schemas import (
    INCOMING_EVENT_TYPES,
    SCHEMA_DIRECTORY,
    envelope_schema,
    incoming_json_schemas,
    json_schema_text,
)
from mercato.integrations.services.incoming import APPLIERS
from tests.integrations.incoming import EXAMPLE_DATA, event

SCHEMAS = incoming_json_schemas()
REWRITE = ('python manage.py shell -c "from mercato.integrations.incoming_schemas import *; '
           'write_incoming_json_schemas()"')


def validator(filename: str) -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIRECTORY / filename).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_the_published_files_are_the_generated_schemas():
    published = {path.name: path.read_text(encoding="utf-8")
                 for path in SCHEMA_DIRECTORY.glob("*.json")}

    assert sorted(published) == sorted(SCHEMAS), f"Write the files again: {REWRITE}"
    for filename, schema in SCHEMAS.items():
        assert published[filename] == json_schema_text(schema), (
            f"{filename} differs from its schema; write the files again: {REWRITE}")


def test_every_event_type_has_an_example_and_something_it_does():
    kinds_and_names = {(t.kind, t.name) for t in INCOMING_EVENT_TYPES}

    assert kinds_and_names == set(APPLIERS)
    assert kinds_and_names == {(kind, name) for kind, types in EXAMPLE_DATA.items()
                               for name in types}


@pytest.mark.parametrize("event_type", INCOMING_EVENT_TYPES, ids=lambda t: t.filename)
def test_each_example_message_fits_its_published_schema(event_type):
    message = event(event_type.kind, event_type.name)

    assert list(validator(event_type.filename).iter_errors(message)) == []
    envelope_schema(event_type).model_validate(message)  # and what the endpoint reads with


@pytest.mark.parametrize(("filename", "message"), [
    ("logistics.shipment.delivered.json", {"type": "shipment.delivered", "data": {}}),
    ("logistics.shipment.delivered.json",
     {"type": "shipment.in_transit", "timestamp": "2026-12-01T10:00:00Z",
      "data": {"shipment_id": "abc"}}),
    ("logistics.shipment.handed_to_carrier.json",
     {"type": "shipment.handed_to_carrier", "timestamp": "2026-12-01T10:00:00Z",
      "data": {"shipment_id": "abc", "carrier": "UPS"}}),
    ("logistics.shipment.delivery_exception.json",
     {"type": "shipment.delivery_exception", "timestamp": "2026-12-01T10:00:00Z",
      "data": {"shipment_id": "abc"}}),
    ("oms.order.cancelled.json",
     {"type": "order.cancelled", "timestamp": "not a time", "data": {"order_number": "M-1"}}),
])
def test_a_message_missing_what_its_type_needs_does_not_fit(filename, message):
    assert list(validator(filename).iter_errors(message))
