"""The OpenAPI document tells what the API answers when it refuses a request.

Every operation lists the problem+json responses it can return, each with the shared `Problem`
schema and an example per problem type, so a generated client parses errors too:
- what follows from the operation's shape: 422 for parameters or a body (invalid input), 400
  and 413 for a body (unparseable, too large), 401 and 403 for operations with security, 404 for
  path parameters (an unknown id);
- what the operation declares with `@answers(...)`: the domain problems its services raise
  (409 conflicts, 402 payments, a specific 404 or 422) and the rate limit (429).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from ninja import NinjaAPI
from ninja.operation import Operation

from mercato.core.problems import PROBLEM_BASE, PROBLEM_CONTENT_TYPE, Problem

View = TypeVar("View", bound=Callable[..., Any])

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem detail. Problem types may add extension members "
                   "(e.g. `missing_permissions`, `action_url`, `out_of_stock`).",
    "type": "object",
    "properties": {
        "type": {"type": "string", "description": "A URI naming the problem type; "
                 "`about:blank` when the status says it all."},
        "title": {"type": "string", "description": "Short, the same for every occurrence."},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "What went wrong this time."},
        "errors": {
            "type": "object", "description": "Per field (dotted path), what is wrong with it.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["type", "title", "status"],
    "additionalProperties": True,
}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


@dataclass(frozen=True)
class ProblemExample:
    """One problem type an operation may answer with, as documented."""

    status: int
    type: str
    title: str
    detail: str
    errors: dict[str, list[str]] | None = None

    @classmethod
    def of(cls, problem: "type[Problem] | ProblemExample") -> "ProblemExample":
        if isinstance(problem, ProblemExample):
            return problem
        doc = (problem.__doc__ or "").strip().split("\n")[0]
        inherited = doc == (Problem.__doc__ or "").strip().split("\n")[0]
        detail = problem.title + "." if inherited or not doc else doc
        return cls(problem.status, PROBLEM_BASE + problem.slug, problem.title, detail)

    def example(self) -> dict[str, Any]:
        value: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status,
                                 "detail": self.detail}
        if self.errors:
            value["errors"] = self.errors
        return {"summary": self.title, "value": value}


INVALID_INPUT = ProblemExample(
    422, PROBLEM_BASE + "invalid-input", "Invalid input", "Some fields are missing or invalid.",
    errors={"email": ["Enter a valid email address."]})
UNPARSEABLE_BODY = ProblemExample(400, "about:blank", "Cannot parse request body",
                                  "Cannot parse request body")
PAYLOAD_TOO_LARGE = ProblemExample(413, PROBLEM_BASE + "payload-too-large", "Payload too large",
                                   "The request body is larger than the server accepts.")
NOT_AUTHENTICATED = ProblemExample(
    401, PROBLEM_BASE + "not-authenticated", "Not authenticated",
    "Log in or send a valid 'Authorization: Bearer <token>' header.")
PERMISSION_DENIED = ProblemExample(
    403, PROBLEM_BASE + "permission-denied", "Permission denied",
    "Your role may not do this (or: CSRF check failed for a cookie-authenticated write).")
NOT_FOUND = ProblemExample(404, PROBLEM_BASE + "not-found", "Not found", "Not found.")
TOO_MANY_REQUESTS = ProblemExample(
    429, PROBLEM_BASE + "too-many-requests", "Too many requests",
    "Too many attempts: try again after the number of seconds in Retry-After.")

RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again.",
                               "schema": {"type": "integer", "minimum": 0}}}
ANSWERS_ATTRIBUTE = "__mercato_problems__"


def answers(*problems: "type[Problem] | ProblemExample") -> Callable[[View], View]:
    """Declare the problems an endpoint's services raise, for its OpenAPI responses."""

    def declare(view: View) -> View:
        setattr(view, ANSWERS_ATTRIBUTE, tuple(ProblemExample.of(p) for p in problems))
        return view

    return declare


def shape_problems(operation: dict[str, Any]) -> list[ProblemExample]:
    """The problems that follow from how an operation is called."""
    found = []
    parameters = operation.get("parameters") or []
    if parameters or "requestBody" in operation:
        found.append(INVALID_INPUT)
    if "requestBody" in operation:
        found += [UNPARSEABLE_BODY, PAYLOAD_TOO_LARGE]
    if operation.get("security"):
        found += [NOT_AUTHENTICATED, PERMISSION_DENIED]
    if any(parameter["in"] == "path" for parameter in parameters):
        found.append(NOT_FOUND)
    return found


def problem_responses(problems: Iterable[ProblemExample]) -> dict[int, dict[str, Any]]:
    """Responses by status: the Problem schema, one example per problem type."""
    by_status: dict[int, dict[str, ProblemExample]] = {}
    for problem in problems:
        by_status.setdefault(problem.status, {}).setdefault(problem.type, problem)
    responses: dict[int, dict[str, Any]] = {}
    for status, examples in sorted(by_status.items()):
        if status == 404 and len(examples) > 1:
            examples.pop(NOT_FOUND.type, None)  # a specific not-found type says more
        titles = "; ".join(example.title for example in examples.values())
        response: dict[str, Any] = {"description": titles, "content": {PROBLEM_CONTENT_TYPE: {
            "schema": PROBLEM_REF,
            "examples": {name_of(example): example.example() for example in examples.values()},
        }}}
        if status == 429:
            response["headers"] = RETRY_AFTER
        responses[status] = response
    return responses


def name_of(problem: ProblemExample) -> str:
    return problem.type.rsplit("/", 1)[-1].replace(":", "-")


def object_body_only(operation: dict[str, Any]) -> None:
    """An optional body (`payload: X | None = None`) is documented as X, not "X or null": the
    body is left out or is an object (mercato.core.parsers refuses a JSON `null`)."""
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    branches = content.get("schema", {}).get("anyOf", [])
    if len(branches) == 2 and {"type": "null"} in branches:
        content["schema"] = next(branch for branch in branches if branch != {"type": "null"})


class ProblemDocumentingAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI document lists each operation's problem+json responses, and
    the webhooks the shop sends (`webhooks`, set by whoever knows them: mercato/api.py) with
    the component schemas they and other operations' documented-only bodies refer to."""

    # () -> ({event type: OpenAPI path item}, {name: component schema}).
    webhooks: Callable[[], tuple[dict[str, Any], dict[str, Any]]] | None = None

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        declared = self.declared_problems()
        for operations in schema["paths"].values():
            for operation in operations.values():
                problems = shape_problems(operation) + declared.get(operation["operationId"], [])
                for status, response in problem_responses(problems).items():
                    operation["responses"].setdefault(status, response)
                object_body_only(operation)
        schema["components"]["schemas"]["Problem"] = PROBLEM_SCHEMA
        if self.webhooks is not None:
            webhooks, components = self.webhooks()
            schema["webhooks"] = webhooks
            for name, component in components.items():
                schema["components"]["schemas"].setdefault(name, component)
        return schema

    def declared_problems(self) -> dict[str, list[ProblemExample]]:
        """What each operation declared with @answers, by operation id."""
        declared: dict[str, list[ProblemExample]] = {}
        for router in self._get_bound_routers():
            for path_view in router.path_operations.values():
                for operation in path_view.operations:
                    declared[self.operation_id_of(operation)] = list(
                        getattr(operation.view_func, ANSWERS_ATTRIBUTE, ()))
        return declared

    def operation_id_of(self, operation: Operation) -> str:
        return operation.operation_id or self.get_openapi_operation_id(operation)
