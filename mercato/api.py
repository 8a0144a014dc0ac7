"""The REST API: mounts each app's router under /api/v1 and maps every error to problem+json."""

import logging

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError

from mercato.core.middleware import payload_too_large
from mercato.core.openapi import ProblemDocumentingAPI
from mercato.core.parsers import ObjectBodyParser
from mercato.core.problems import PROBLEM_BASE, PROBLEM_CONTENT_TYPE, Problem, TooManyRequests

logger = logging.getLogger(__name__)

api = ProblemDocumentingAPI(
    title="Mercato API",
    version="1",
    description="Headless commerce API: catalog, customers, carts. Errors are RFC 9457 "
    "problem details (application/problem+json).",
    urls_namespace="api",
    parser=ObjectBodyParser(),
)


def problem_response(request: HttpRequest, body: dict, status: int) -> HttpResponse:
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    return response


PARAMETER_SOURCES = ("query", "path", "header")


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for item in error.errors:
        location = [str(part) for part in item.get("loc", ()) if part not in ("body", "payload")]
        named = location[1:] if location and location[0] in PARAMETER_SOURCES else location
        key = ".".join(named)
        errors.setdefault(key or "__all__", []).append(item.get("msg", "Invalid value"))
    return errors


@api.exception_handler(Problem)
def on_problem(request: HttpRequest, exc: Problem) -> HttpResponse:
    response = problem_response(request, exc.as_dict(), exc.status)
    if isinstance(exc, TooManyRequests):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    body = {
        "type": PROBLEM_BASE + "invalid-input", "title": "Invalid input", "status": 422,
        "detail": "Some fields are missing or invalid.", "errors": field_errors(exc),
    }
    return problem_response(request, body, 422)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = {
        "type": PROBLEM_BASE + "not-authenticated", "title": "Not authenticated", "status": 401,
        "detail": "Log in or send a valid 'Authorization: Bearer <token>' header.",
    }
    return problem_response(request, body, 401)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    body = {"type": PROBLEM_BASE + "not-found", "title": "Not found", "status": 404,
            "detail": str(exc) or "Not found."}
    return problem_response(request, body, 404)


@api.exception_handler(RequestDataTooBig)
def on_payload_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Normally answered by mercato.core.middleware before the view; this covers a view that
    # reads more of the request itself.
    problem = payload_too_large()
    return problem_response(request, problem.as_dict(), problem.status)


@api.exception_handler(SuspiciousOperation)
@api.exception_handler(BadRequest)
def on_bad_request(request: HttpRequest, exc: Exception) -> HttpResponse:
    body = {"type": PROBLEM_BASE + "bad-request", "title": "Bad request", "status": 400,
            "detail": "The request could not be read."}
    return problem_response(request, body, 400)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    body = {"type": "about:blank", "title": str(exc), "status": exc.status_code,
            "detail": str(exc)}
    return problem_response(request, body, exc.status_code)


@api.exception_handler(Exception)
def on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    if settings.DEBUG:
        raise exc
    logger.exception("Unhandled error in %s %s", request.method, request.path)
    body = {"type": "about:blank", "title": "Internal server error", "status": 500,
            "detail": "Something went wrong on our side; nothing was changed by this request."}
    return problem_response(request, body, 500)


def unknown_endpoint(request: HttpRequest, path: str) -> HttpResponse:
    """Any /api/ path that no endpoint serves: a problem+json 404 rather than an HTML page."""
    body = {"type": PROBLEM_BASE + "not-found", "title": "Not found", "status": 404,
            "detail": f"No API endpoint at {request.path}."}
    response = JsonResponse(body, status=404)
    response["Content-Type"] = PROBLEM_CONTENT_TYPE
    return response


def mount_routers() -> None:
    from mercato.cart.api import router as cart_router
    from mercato.catalog.api import router as catalog_router
    from mercato.customers.api import router as customers_router

    api.add_router("/v1/", "mercato.pricing.api.router")  # the product endpoints
    api.add_router("/v1/", catalog_router)
    api.add_router("/v1/", customers_router)
    api.add_router("/v1/", cart_router)
    api.add_router("/v1/", "mercato.orders.api_export.router")  # ahead of /orders/{number}
    api.add_router("/v1/", "mercato.orders.api.router")
    api.add_router("/v1/", "mercato.checkout.api.router")
    api.add_router("/v1/test-gateway", "mercato.payments.api.router")
    api.add_router("/v1/payments/stripe", "mercato.payments.api_stripe.router")
    api.add_router("/v1/warehouse", "mercato.fulfilment.api.router")
    api.add_router("/v1/", "mercato.returns.api_guest.router")  # ahead of /returns/{rma}
    api.add_router("/v1/", "mercato.returns.api.router")
    api.add_router("/v1/integrations", "mercato.integrations.api.incoming.router")
    api.add_router("/v1/webhook-subscriptions", "mercato.integrations.api.subscriptions.router")
    from mercato.integrations.openapi import openapi_additions
    api.webhooks = openapi_additions


mount_routers()
