"""Schemathesis hooks for Mercato's API contract run (loaded through SCHEMATHESIS_HOOKS).

`valid_request_accepted` stands in for schemathesis' own positive_data_acceptance, which counts
every 422 to a schema-valid request as "valid request rejected". Mercato answers 422 for two
different things, told apart by the problem type:
- `invalid-input`: the request does not have the shape the OpenAPI document describes. For a
  request the document calls valid, that is a contract bug, and this check fails on it, as it
  fails on 400 (unparseable) and 413/415.
- a domain rule no JSON Schema can say: an address that is not deliverable in that country, a
  phone number that does not exist, a password on the common-passwords list, a SKU the catalog
  does not have, a return past its window. Those are answers, not rejections of the shape, so
  they pass, but only when the operation documents that problem type (an example under its
  422 response): an undocumented one fails.
Everything else is judged as schemathesis judges it: 2xx, 3xx, 401, 403, 404, 409 and 429 pass,
5xx is left to not_a_server_error. 402 passes too: a payment provider declining a card is an
answer to a valid request.
"""

import json
from typing import Any

import schemathesis
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import requires_case_meta, skips_on_unexpected_http_status

PROBLEM_BASE = "https://mercato.dev/problems/"
SCHEMA_LEVEL = {PROBLEM_BASE + "invalid-input", "about:blank"}
REFUSED = {400, 405, 406, 413, 415, 422}
ALLOWED = "2xx, 3xx, 401, 402, 403, 404, 409, 429, 5xx, or 422 with a documented domain problem"


def problem_type(response: Any) -> str | None:
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return body.get("type") if isinstance(body, dict) else None


def documented_422_types(case: Any) -> set[str]:
    responses = case.operation.definition.raw.get("responses", {})
    content = responses.get("422", {}).get("content", {})
    examples = content.get("application/problem+json", {}).get("examples", {})
    return {example["value"]["type"] for example in examples.values()}


@schemathesis.check
@skips_on_unexpected_http_status
@requires_case_meta
def valid_request_accepted(ctx: Any, response: Any, case: Any) -> bool | None:
    if not case.meta.generation.mode.is_positive or response.status_code not in REFUSED:
        return None
    kind = problem_type(response)
    if response.status_code == 422 and kind not in SCHEMA_LEVEL:
        if kind in documented_422_types(case):
            return None
        why = f"answered 422 {kind}, a problem type the operation does not document"
    else:
        why = f"answered {response.status_code} {kind or ''}".rstrip()
    raise RejectedPositiveData(
        operation=case.operation.label, status_code=response.status_code,
        allowed_statuses=ALLOWED.split(", "),
        message=f"A request the OpenAPI document calls valid {why}.\nExpected: {ALLOWED}")
