"""Input no view should ever see: the NUL character and bodies over the upload limit.

PostgreSQL cannot store NUL in a text value, so a NUL anywhere (the path, a query parameter, a
JSON string or key at any depth, a form field, a header) would fail deep inside a query with a
500. This middleware refuses it once for every request: /api/ gets a 422 invalid-input problem
naming the field, shop and back-office pages a 400 page. A body over
DATA_UPLOAD_MAX_MEMORY_SIZE is answered here too (413), before any view reads it.
"""

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import BadRequest, RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError

from mercato.core.problems import (
    PROBLEM_CONTENT_TYPE,
    InvalidInput,
    PayloadTooLarge,
    Problem,
    UnparseableBody,
)

NUL = "\x00"
NUL_MESSAGE = "The NUL character (\\u0000) is not allowed."
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def problem_json(problem: Problem) -> HttpResponse:
    """The problem+json response the API's handlers give, without importing the API."""
    response = JsonResponse(problem.as_dict(), status=problem.status)
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    return response


def payload_too_large() -> PayloadTooLarge:
    return PayloadTooLarge("The request body is larger than this server accepts.")


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def field_name(key: object) -> str:
    return str(key).replace(NUL, "\\u0000")


def nul_in_json(value: Any, path: tuple[str, ...] = ()) -> Iterator[str]:
    """Dotted names (`lines.0.sku`) of every JSON string or key holding a NUL."""
    if isinstance(value, str) and NUL in value:
        yield ".".join(path) or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            if NUL in key:
                yield ".".join((*path, field_name(key)))
            yield from nul_in_json(item, (*path, field_name(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from nul_in_json(item, (*path, str(index)))


def nul_in_pairs(pairs: Any) -> Iterator[str]:
    """Names of the query or form fields whose name or value holds a NUL."""
    for key, values in pairs.lists():
        if NUL in key or any(NUL in value for value in values):
            yield field_name(key)


def nul_in_body(request: HttpRequest) -> Iterator[str]:
    content_type = request.content_type or ""
    if content_type in FORM_TYPES:
        # request.POST is what the views (and CSRF) read; it also handles multipart uploads.
        yield from nul_in_pairs(request.POST)
        return
    body = request.body
    # Only a JSON escape can put a NUL in a parsed string; a raw NUL byte is invalid JSON.
    if b"\\u0000" not in body:
        return
    try:
        yield from nul_in_json(json.loads(body))
    except ValueError:
        return  # not JSON: the view's own parser answers for it


def nul_in_headers(request: HttpRequest) -> Iterator[str]:
    for name, value in request.headers.items():
        if NUL in value:
            yield name


def fields_with_nul(request: HttpRequest) -> list[str]:
    fields = ["path"] if NUL in request.path_info else []
    fields += nul_in_pairs(request.GET)
    fields += nul_in_headers(request)
    fields += nul_in_body(request)
    return list(dict.fromkeys(fields))


def drop_cookies_with_nul(request: HttpRequest) -> None:
    # A cookie is not the shopper's typing: refusing it would refuse every later page too,
    # so a cookie with a NUL (a quoted "\000" escape) is treated as if it was never sent.
    for name in [name for name, value in request.COOKIES.items() if NUL in name + value]:
        del request.COOKIES[name]


class RefuseUnreadableInput:
    """Refuse a NUL character anywhere in the request, and a body over the upload limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        drop_cookies_with_nul(request)
        try:
            fields = fields_with_nul(request)
        except RequestDataTooBig:
            if is_api(request):
                return problem_json(payload_too_large())
            raise  # the 400 handler shows the shop's page for it
        except MultiPartParserError:  # e.g. multipart/form-data without a boundary
            if is_api(request):
                return problem_json(UnparseableBody("Cannot parse request body"))
            raise
        if not fields:
            return self.get_response(request)
        if is_api(request):
            return problem_json(
                InvalidInput(NUL_MESSAGE, errors={field: [NUL_MESSAGE] for field in fields}))
        raise BadRequest(NUL_MESSAGE)
