"""django-axes hooks: who is trying to log in, from where, and what a locked-out caller reads.

Every login path (API session login and token, storefront form, admin) goes through Django's
`authenticate`, where axes counts failures per account and per client address. Once either is
locked, the caller gets 429 with Retry-After: problem+json under /api/, a page in words elsewhere.
"""

import math

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse

from mercato.core.problems import PROBLEM_CONTENT_TYPE, TooManyRequests
from mercato.core.throttle import too_many_tries

API_PREFIX = "/api/"
ADMIN_PREFIX = "/admin/"


def username_of(request: HttpRequest, credentials: dict | None) -> str:
    """The account tried, as the login forms read it: the admin form sends `username`, the
    shop's forms and the API `email`; either way an email, in any letter case."""
    given = credentials or request.POST
    username = given.get("username") or given.get("email") or ""
    return str(username).strip().lower()


def forget_failures_of_account(sender: object, request: HttpRequest, user: object,
                              **kwargs: object) -> None:
    """A login with the right password forgets the failures on that account, and only those.
    (axes' own AXES_RESET_ON_SUCCESS deletes every attempt from the caller's address too: an
    attacker would guess 4 passwords for a victim, log in to an account of their own, and guess
    on for ever.)"""
    if settings.AXES_ENABLED:
        AccessAttempt.objects.filter(username=user.get_username().strip().lower()).delete()


def lockout_response(request: HttpRequest, original_response: HttpResponse | None,
                     credentials: dict | None) -> HttpResponse:
    """What a caller locked out by axes gets, instead of the login view's answer."""
    cool_off = get_cool_off(request)
    retry_after = math.ceil(cool_off.total_seconds()) if cool_off else 3600
    problem = TooManyRequests(
        "Too many failed logins for this account or from this address. "
        + too_many_tries(retry_after), retry_after=retry_after)
    return too_many_requests_response(request, problem)


def too_many_requests_response(request: HttpRequest, problem: TooManyRequests) -> HttpResponse:
    """429 with Retry-After: problem+json for the API, a page in the shop's or admin's layout."""
    if request.path.startswith(API_PREFIX):
        response: HttpResponse = JsonResponse(problem.as_dict(), status=problem.status)
        response["Content-Type"] = PROBLEM_CONTENT_TYPE
    else:
        template = ("admin/mercato/too_many_requests.html"
                    if request.path.startswith(ADMIN_PREFIX) else "429.html")
        context = {"title": "Too many tries", "message": problem.detail}
        response = TemplateResponse(request, template, context, status=problem.status)
        response.render()
    response["Retry-After"] = str(problem.retry_after)
    return response
