"""Per-address limits on the storefront's forms (lookups, registration, coupons, reset mails):
over the limit, a 429 page says in words how long to wait, and the form's work is not done."""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse

from mercato.core import throttle
from mercato.core.login_limits import too_many_requests_response
from mercato.core.problems import TooManyRequests

View = Callable[..., HttpResponse]
COUNTED_METHODS = {"POST"}  # showing a form is free; sending it counts


def limited(scope: str) -> Callable[[View], View]:
    """Count each POST against settings.MERCATO_RATE_LIMITS[scope] for the client address."""

    def decorate(view: View) -> View:
        @wraps(view)
        def limited_view(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if request.method in COUNTED_METHODS:
                try:
                    throttle.check(scope, request)
                except TooManyRequests as problem:
                    return too_many_requests_response(request, problem)
            return view(request, *args, **kwargs)

        return limited_view

    return decorate
