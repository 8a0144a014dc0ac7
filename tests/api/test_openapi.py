"""The OpenAPI document is valid, and says how each operation refuses: problem+json responses
with one Problem schema, and the rules the server enforces on input."""

import importlib
import json
import subprocess
import sys

import httpx
import pytest
from openapi_spec_validator import validate

from mercato.customers.schemas import NOT_BLANK_SCHEMA

PROBLEM = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture(scope="module")
def document():
    from django.test import Client

    return Client().get("/api/openapi.json").json()


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def problem_statuses(operation) -> set[int]:
    return {int(status) for status in operation["responses"] if int(status) >= 400}


def test_the_openapi_document_is_valid(document):
    validate(document)


def test_every_error_response_is_a_problem_with_an_example(document):
    assert set(document["components"]["schemas"]["Problem"]["required"]) == {
        "type", "title", "status"}
    for name, operation in operations(document):
        for status in problem_statuses(operation):
            content = operation["responses"][str(status)]["content"]
            assert list(content) == [PROBLEM], name
            assert content[PROBLEM]["schema"] == PROBLEM_REF, name
            examples = content[PROBLEM]["examples"].values()
            assert examples and all(e["value"]["status"] == status for e in examples), name


def test_errors_follow_from_each_operations_shape(document):
    for name, operation in operations(document):
        statuses = problem_statuses(operation)
        if operation.get("parameters") or "requestBody" in operation:
            assert 422 in statuses, name
        if "requestBody" in operation:
            assert {400, 413} <= statuses, name
        if operation.get("security"):
            assert {401, 403} <= statuses, name
        if any(parameter["in"] == "path" for parameter in operation.get("parameters", [])):
            assert 404 in statuses, name


def example_types(operation, status: int) -> set[str]:
    examples = operation["responses"][str(status)]["content"][PROBLEM]["examples"]
    return {example["value"]["type"].rsplit("/", 1)[-1] for example in examples.values()}


def test_declared_domain_problems_are_documented(document):
    paths = document["paths"]
    complete = paths["/api/v1/checkout/complete"]["post"]
    assert {"payment-declined", "payment-action-required"} <= example_types(complete, 402)
    assert {"out-of-stock", "checkout-cart-changed", "checkout-in-progress"} <= example_types(
        complete, 409)
    assert "email-taken" in example_types(paths["/api/v1/auth/register"]["post"], 409)
    assert example_types(paths["/api/v1/cart/lines"]["post"], 422) >= {"unknown-sku",
                                                                       "invalid-input"}
    assert example_types(paths["/api/v1/returns/{rma}"]["get"], 404) == {"return-not-found"}
    limited = paths["/api/v1/auth/login"]["post"]["responses"]["429"]
    assert "Retry-After" in limited["headers"]


def body_schema(document, path: str, method: str = "post") -> dict:
    ref = document["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    return document["components"]["schemas"][ref["$ref"].rsplit("/", 1)[-1]]


def test_enforced_input_rules_are_in_the_schemas(document):
    register = body_schema(document, "/api/v1/auth/register")["properties"]
    assert register["email"]["format"] == "email"
    assert register["first_name"] | {"minLength": 1, **NOT_BLANK_SCHEMA} == register["first_name"]
    assert register["email"]["examples"]
    patch = body_schema(document, "/api/v1/me", "patch")["properties"]
    assert "default" not in patch["first_name"] and patch["first_name"]["minLength"] == 1


GENERATOR_CONFIG = "post_hooks: []\n"


def test_a_generated_client_parses_problem_responses(document, tmp_path):
    (tmp_path / "openapi.json").write_text(json.dumps(document))
    (tmp_path / "config.yml").write_text(GENERATOR_CONFIG)
    generated = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--meta", "none",
         "--path", str(tmp_path / "openapi.json"), "--config", str(tmp_path / "config.yml"),
         "--output-path", str(tmp_path / "mercato_client")],
        capture_output=True, text=True, timeout=120, check=True)
    assert "Warning" not in generated.stdout + generated.stderr, generated.stdout

    sys.path.insert(0, str(tmp_path))
    try:
        register = importlib.import_module(
            "mercato_client.api.auth.mercato_customers_api_register")
        problem_model = importlib.import_module("mercato_client.models.problem").Problem
    finally:
        sys.path.remove(str(tmp_path))
    body = {"type": "https://mercato.dev/problems/invalid-input", "title": "Invalid input",
            "status": 422, "detail": "Some fields are missing or invalid.",
            "errors": {"email": ["Enter a valid email address."]}}
    parsed = register._parse_response(client=None, response=httpx.Response(422, json=body))
    assert isinstance(parsed, problem_model)
    assert parsed.status == 422
    assert parsed.errors.additional_properties == {"email": ["Enter a valid email address."]}


def request_properties(document):
    """(where, name, schema) of every query/path parameter and every request-body property,
    nested objects and arrays included."""
    components = document["components"]["schemas"]

    def walk(where, name, schema, seen=()):
        if "$ref" in schema:
            ref = schema["$ref"].rsplit("/", 1)[-1]
            if ref not in seen:
                yield from walk(where, name, components[ref], (*seen, ref))
            return
        yield where, name, schema
        for key in ("anyOf", "oneOf", "allOf"):
            for option in schema.get(key, []):
                yield from walk(where, name, option, seen)
        for child, child_schema in schema.get("properties", {}).items():
            yield from walk(where, child, child_schema, seen)
        if "items" in schema:
            yield from walk(where, name, schema["items"], seen)

    for operation_name, operation in operations(document):
        for parameter in operation.get("parameters", []):
            yield from walk(operation_name, parameter["name"], parameter["schema"])
        for content in operation.get("requestBody", {}).get("content", {}).values():
            yield from walk(operation_name, "body", content["schema"])


def test_every_integer_taken_in_is_bounded(document):
    unbounded = [f"{where}: {name}" for where, name, schema in request_properties(document)
                 if schema.get("type") == "integer"
                 and not ({"minimum", "exclusiveMinimum"} & set(schema)
                          and {"maximum", "exclusiveMaximum"} & set(schema))]
    assert not unbounded


def test_every_email_taken_in_is_documented_as_one(document):
    loose = [f"{where}: {name}" for where, name, schema in request_properties(document)
             if "email" in name and schema.get("type") == "string"
             and (schema.get("format") != "email" or "maxLength" not in schema)]
    assert not loose
