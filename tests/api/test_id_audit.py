"""Every reference the API takes can be read from the API (issue 12, item 4): each path
parameter, and each query or body field naming something (an id, a number, an RMA, a slug, a
SKU, a code, a token), is listed below with the response property a client reads it from.

A new reference not in the table fails the test, so an endpoint can no longer ask for an id
that no answer contains (as POST /returns once asked for an order line's database key).
"""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

PREFIX = "/api/v1"
SUFFIXES = ("_id", "_ids", "number", "rma", "slug", "sku", "code", "token")
# Fields named after what they refer to rather than with one of the suffixes.
NAMED = {"id", "category", "brand", "warehouse", "delivery_method", "method"}
# Names that look like references but are the caller's own data.
OWN_DATA = {"postal_code"}


@dataclass(frozen=True)
class Readable:
    """The value comes from this property of this response schema."""

    schema: str
    property: str


@dataclass(frozen=True)
class Brought:
    """Not read from the API: the caller brings it (why, in words)."""

    reason: str


ORDER_NUMBER = Readable("OrderOut", "number")
RMA = Readable("ReturnOut", "rma")
CARD_TOKEN = Readable("CardTokenOut", "token")
VARIANT_SKU = Readable("SalePricedVariantOut", "sku")
ADDRESS = Readable("AddressOut", "public_id")
SHIPMENT = Readable("WarehouseShipmentOut", "id")
WAREHOUSE = Readable("WarehouseOut", "code")
PICKLIST = Readable("PicklistOut", "number")
CHECKOUT = {
    "billing_address.address_id": ADDRESS,
    "shipments.address.address_id": ADDRESS,
    "shipments.delivery_method": Readable("DeliveryMethodOut", "code"),
    "shipments.lines.sku": Readable("CartLineOut", "sku"),
}
PAYMENTS = {
    "payments.token": CARD_TOKEN,
    "payments.gift_card_code": Brought("printed on the gift card or emailed to its holder"),
}
RETURN_REQUEST = {
    "order_number": ORDER_NUMBER,
    "lines.order_line_id": Readable("OrderLineOut", "id"),
    "lines.exchange_sku": VARIANT_SKU,
}

# (operation, where, field) -> where a client reads it.
REFERENCES: dict[tuple[str, str, str], Readable | Brought] = {
    ("GET /products", "query", "category"): Readable("CategoryNodeOut", "slug"),
    ("GET /products", "query", "brand"): Readable("FacetCountOut", "slug"),
    ("GET /products/{slug}", "path", "slug"): Readable("SalePricedListItemOut", "slug"),
    **{(f"{method} /me/addresses/{{public_id}}", "path", "public_id"): ADDRESS
       for method in ("GET", "PATCH", "DELETE")},
    ("POST /cart/lines", "body", "sku"): VARIANT_SKU,
    ("PATCH /cart/lines/{sku}", "path", "sku"): Readable("CartLineOut", "sku"),
    ("DELETE /cart/lines/{sku}", "path", "sku"): Readable("CartLineOut", "sku"),
    ("POST /cart/coupons", "body", "code"): Brought("a code the shop hands out in its "
                                                   "marketing"),
    ("DELETE /cart/coupons/{code}", "path", "code"): Readable("CouponOut", "code"),
    ("PUT /cart/delivery", "body", "method"): Readable("DeliveryMethodOut", "code"),
    ("POST /orders/lookup", "body", "number"): ORDER_NUMBER,
    ("GET /orders/{number}", "path", "number"): Readable("OrderListItemOut", "number"),
    **{("POST /checkout/quote", "body", field): source for field, source in CHECKOUT.items()},
    **{("POST /checkout/complete", "body", field): source
       for field, source in (CHECKOUT | PAYMENTS).items()},
    ("POST /test-gateway/tokens", "body", "number"): Brought("the card's own number"),
    ("POST /test-gateway/approvals/{token}/approve", "path", "token"):
        Readable("ApprovalOut", "approval_token"),
    ("POST /test-gateway/3ds/{reference}/complete", "path", "reference"):
        Brought("the `action_url` of a 402 payment-action-required problem"),
    ("GET /warehouse/warehouses/{code}/released-shipments", "path", "code"): WAREHOUSE,
    ("POST /warehouse/warehouses/{code}/picklists", "path", "code"): WAREHOUSE,
    ("POST /warehouse/warehouses/{code}/picklists", "body", "shipment_ids"): SHIPMENT,
    ("GET /warehouse/picklists/{number}", "path", "number"): PICKLIST,
    ("GET /warehouse/picklists/{number}/pdf", "path", "number"): PICKLIST,
    ("GET /warehouse/shipments/{public_id}/packing-slip", "path", "public_id"): SHIPMENT,
    ("POST /warehouse/shipments/{public_id}/ship", "path", "public_id"): SHIPMENT,
    ("POST /warehouse/shipments/{public_id}/ship", "body", "tracking_number"):
        Brought("the carrier's, from its label"),
    **{("POST /returns", "body", field): source for field, source in RETURN_REQUEST.items()},
    **{("POST /returns/guest", "body", field): source
       for field, source in RETURN_REQUEST.items()},
    ("POST /returns/lookup", "body", "rma"): RMA,
    ("POST /returns/lookup/payment", "body", "rma"): RMA,
    ("POST /returns/lookup/payment", "body", "token"): CARD_TOKEN,
    ("POST /returns/lookup/instructions", "body", "rma"): RMA,
    ("GET /returns/{rma}", "path", "rma"): RMA,
    ("POST /returns/{rma}/payment", "path", "rma"): RMA,
    ("POST /returns/{rma}/payment", "body", "token"): CARD_TOKEN,
    ("GET /returns/{rma}/instructions", "path", "rma"): RMA,
    ("GET /warehouse/returns/{rma}", "path", "rma"): RMA,
    ("POST /warehouse/returns/{rma}/receive", "path", "rma"): RMA,
    ("POST /warehouse/returns/{rma}/receive", "body", "warehouse"):
        Readable("ReturnOut", "return_to"),
    ("POST /warehouse/returns/{rma}/receive", "body", "lines.return_line_id"):
        Readable("ReturnLineOut", "id"),
    ("GET /warehouse/receipts/{number}/pdf", "path", "number"): Readable("ReceiptOut", "number"),
    # What a logistics system or an OMS posts: the shipment as the shipment.* webhooks name it
    # (data.id, the warehouse API's id), the order by its number, the carrier's tracking number.
    ("POST /integrations/logistics/events", "body", "data.shipment_id"):
        SHIPMENT,
    ("POST /integrations/logistics/events", "body", "data.tracking_number"):
        Brought("the carrier's, from its label"),
    ("POST /integrations/oms/events", "body", "data.shipment_id"):
        SHIPMENT,
    ("POST /integrations/oms/events", "body", "data.tracking_number"):
        Brought("the carrier's, from its label"),
    ("POST /integrations/oms/events", "body", "data.order_number"):
        Readable("OrderOut", "number"),
    # Stripe posts its own events: the id is Stripe's (evt_…), never one of ours.
    ("POST /payments/stripe/webhook", "body", "id"): Brought("Stripe's event id, sent by Stripe"),
    **{(f"{method} /webhook-subscriptions/{{public_id}}{tail}", "path", "public_id"):
       Readable("SubscriptionOut", "id")
       for method, tail in (("GET", ""), ("PATCH", ""), ("DELETE", ""),
                            ("POST", "/rotate-secret"), ("POST", "/replay"),
                            ("GET", "/messages"))},
}


@pytest.fixture(scope="module")
def document():
    from django.test import Client

    return Client().get("/api/openapi.json").json()


def resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def fields(document: dict, schema: dict, prefix: str = "") -> Iterator[tuple[str, dict]]:
    """(dotted name, schema) of every property, through arrays, refs and unions."""
    schema = resolve(document, schema)
    for key in ("allOf", "anyOf", "oneOf"):
        for option in schema.get(key, []):
            yield from fields(document, option, prefix)
    if "items" in schema:
        yield from fields(document, schema["items"], prefix)
    for name, value in schema.get("properties", {}).items():
        yield prefix + name, value
        yield from fields(document, value, f"{prefix}{name}.")


def is_reference(document: dict, name: str, schema: dict) -> bool:
    leaf = name.rsplit(".", 1)[-1]
    closed = all("enum" in resolve(document, option) or "const" in resolve(document, option)
                 for option in schema.get("anyOf", [schema]) if option.get("type") != "null")
    return (leaf in NAMED or leaf.endswith(SUFFIXES)) and leaf not in OWN_DATA and not closed


def references(document: dict) -> Iterator[tuple[str, str, str]]:
    """(operation, where, field) of every path parameter and every referring query or body
    field of the document."""
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            name = f"{method.upper()} {path.removeprefix(PREFIX)}"
            for parameter in operation.get("parameters", []):
                where = parameter["in"]
                if where == "path" or (where == "query" and is_reference(
                        document, parameter["name"], parameter.get("schema", {}))):
                    yield name, where, parameter["name"]
            for content in operation.get("requestBody", {}).get("content", {}).values():
                for field, schema in fields(document, content["schema"]):
                    if is_reference(document, field, schema):
                        yield name, "body", field


def answered_schemas(document: dict) -> set[str]:
    """Names of the schemas some successful response contains, at any depth."""
    seen: set[str] = set()

    def walk(schema: dict) -> None:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name in seen:
                return
            seen.add(name)
        schema = resolve(document, schema)
        for key in ("allOf", "anyOf", "oneOf"):
            for option in schema.get(key, []):
                walk(option)
        for value in [*filter(None, [schema.get("items")]),
                      *schema.get("properties", {}).values()]:
            walk(value)

    for methods in document["paths"].values():
        for operation in methods.values():
            for status, response in operation["responses"].items():
                if int(status) < 400:
                    for content in response.get("content", {}).values():
                        walk(content["schema"])
    return seen


def test_every_reference_the_api_takes_is_in_the_table(document):
    found = set(references(document))

    assert sorted(found - REFERENCES.keys()) == [], (
        "An endpoint takes a reference the table does not say how to read: add it to "
        "REFERENCES with the response property it comes from.")
    assert sorted(REFERENCES.keys() - found) == [], "The table names fields the API lost."


def test_every_reference_is_a_property_of_a_successful_answer(document):
    schemas = document["components"]["schemas"]
    answered = answered_schemas(document)

    for key, source in REFERENCES.items():
        if isinstance(source, Brought):
            assert source.reason, key
            continue
        assert source.schema in answered, (key, f"no response contains {source.schema}")
        assert source.property in schemas[source.schema]["properties"], (key, source)


def test_a_return_names_order_lines_by_the_id_the_order_shows(document):
    schemas = document["components"]["schemas"]
    line_in = schemas["ReturnLineIn"]["properties"]["order_line_id"]
    line_out = schemas["OrderLineOut"]["properties"]["id"]

    assert line_in["type"] == line_out["type"] == "string"
    assert "GET /orders/{number}" in line_in["description"]
    assert line_in["examples"] and line_out["examples"]
    assert "order_line_id" in line_out["description"]
