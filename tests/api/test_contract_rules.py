"""What the OpenAPI document calls valid, the server takes; what it calls invalid, the server
refuses. Each case here is one schemathesis found (.ci/contract/run.py runs it over the whole
API): the rule is now in the document and the server enforces exactly that rule."""

import re

import pytest

from mercato.catalog.rules import ATTRIBUTE_FILTER
from mercato.core.schema_types import AMOUNT_PATTERN, POSITIVE_AMOUNT_PATTERN
from mercato.customers.schemas import NOT_BLANK_SCHEMA
from tests.factories import UserFactory, make_sellable_variant

pytestmark = pytest.mark.django_db


def schema_of(document, name: str) -> dict:
    return document["components"]["schemas"][name]


@pytest.fixture
def document(api):
    return api.client.get("/api/openapi.json").json()


def test_a_whole_number_written_as_a_float_is_a_quantity(api):
    """JSON Schema's integer includes 3.0; 1.5, "2" and true stay refused."""
    variant = make_sellable_variant()

    response = api.post("/cart/lines", {"sku": variant.sku, "quantity": 3.0})

    assert response.status_code == 200, response.content
    assert response.json()["lines"][0]["quantity"] == 3
    for bad in (1.5, "2", True, 0.0):
        assert api.post("/cart/lines", {"sku": variant.sku, "quantity": bad}).status_code == 422


def test_quantity_bounds_are_json_schema_keywords(document):
    quantity = schema_of(document, "LineAddIn")["properties"]["quantity"]

    assert quantity["exclusiveMinimum"] == 0 and quantity["maximum"] == 9999
    assert "gt" not in quantity and "le" not in quantity


@pytest.mark.parametrize(("pattern", "good", "bad"), [
    (AMOUNT_PATTERN, ["0", "0.5", "12.34", "9999999999.9999"],
     ["", "-1", "01", "1.", ".5", "1.23456", "10000000000", "1e3", " 1", "1\n"]),
    (POSITIVE_AMOUNT_PATTERN, ["1", "0.1", "0.0001", "0.0100", "12.3400"],
     ["0", "0.0", "0.0000", "00.1", "-0.1", "1.23456"]),
])
def test_amount_patterns(pattern, good, bad):
    assert all(re.fullmatch(pattern, value) for value in good)
    assert not any(re.fullmatch(pattern, value) for value in bad)


def test_money_amounts_are_decimal_strings(api, document):
    amount = schema_of(document, "ApprovalIn")["properties"]["amount"]
    assert amount["type"] == "string" and amount["pattern"] == POSITIVE_AMOUNT_PATTERN

    approved = api.post("/test-gateway/approvals", {"amount": "30.00", "currency": "EUR"})
    assert approved.status_code == 201, approved.content
    for bad in (30, 30.5, "", "0.00", "30.00001", "30\n"):
        response = api.post("/test-gateway/approvals", {"amount": bad, "currency": "EUR"})
        assert response.status_code == 422, bad
        assert "amount" in response.json()["errors"]


def test_a_price_filter_is_a_decimal_string(api):
    assert api.get("/products", {"min_price": "10.50"}).status_code == 200
    assert api.get("/products", {"min_price": "1e3"}).status_code == 422


@pytest.mark.parametrize("body", ["null", "[null, null]", '"x"', "5", "true"])
def test_a_body_that_is_not_a_json_object_is_refused(api, body):
    response = api.client.post("/api/v1/carts", data=body, content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("body", ["", "{}"])
def test_an_optional_body_may_be_left_out_or_empty(api, document, body):
    response = api.client.post("/api/v1/carts", data=body, content_type="application/json")

    assert response.status_code == 201
    content = document["paths"]["/api/v1/carts"]["post"]["requestBody"]["content"]
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/CartCreateIn"}


def test_currencies_are_documented_as_the_codes_taken(document, settings):
    cart = schema_of(document, "CartCreateIn")["properties"]["currency"]
    assert [b["enum"] for b in cart["anyOf"] if b.get("type") == "string"] == [
        settings.MERCATO_CURRENCIES]
    approval = schema_of(document, "ApprovalIn")["properties"]["currency"]
    assert {"EUR", "JPY", "USD"} <= set(approval["enum"]) and "000" not in approval["enum"]


def test_the_not_blank_pattern_is_what_str_strip_removes():
    """JSON Schema's \\S differs from Python's idea of white space; the documented class is
    exactly the characters str.strip() removes."""
    blank = re.compile(NOT_BLANK_SCHEMA["pattern"])
    for code in range(0x3100):
        character = chr(code)
        assert bool(blank.fullmatch(character)) is not character.isspace(), hex(code)
    assert blank.fullmatch("\ufeff")  # white space to ECMAScript, kept by str.strip()


def test_a_blank_name_is_refused_as_documented(api):
    api.client.force_login(UserFactory())

    assert api.patch("/me", {"first_name": "\x1f"}).status_code == 422
    assert api.patch("/me", {"first_name": "\ufeff"}).status_code == 200


def test_booleans_in_bodies_are_json_booleans(api):
    api.client.force_login(UserFactory())

    assert api.patch("/me", {"marketing_consent": 0}).status_code == 422
    assert api.patch("/me", {"marketing_consent": True}).status_code == 200


def test_an_attribute_filter_matches_its_documented_pattern(api, document):
    parameters = document["paths"]["/api/v1/products"]["get"]["parameters"]
    attr = next(p for p in parameters if p["name"] == "attr")
    assert attr["schema"]["items"]["pattern"] == ATTRIBUTE_FILTER.pattern

    assert api.get("/products", {"attr": "colour:red"}).status_code == 200
    for bad in ("", "colour:", "colour:red\n", "colour:rød"):
        assert api.get("/products", {"attr": bad}).status_code == 422, bad


def test_a_picklist_request_documents_its_one_of_two_choices(document):
    choices = schema_of(document, "PicklistCreateIn")["oneOf"]

    assert sorted(choice["required"] for choice in choices) == [["next_n"], ["shipment_ids"]]


@pytest.mark.parametrize("value", ["12", True, 12.5])
def test_integers_in_bodies_are_json_whole_numbers(api, value):
    card = {"number": "4242424242424242", "exp_month": value, "exp_year": 2030, "cvc": "123"}

    response = api.post("/test-gateway/tokens", card)

    assert response.status_code == 422 and "exp_month" in response.json()["errors"]
    assert api.post("/test-gateway/tokens", {**card, "exp_month": 12.0}).status_code == 201
