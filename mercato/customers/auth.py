"""Who is calling: a bearer token (API clients) or the Django session (the storefront)."""

import hashlib

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer
from ninja.utils import check_csrf

from mercato.core.problems import NotAuthenticated, PermissionDenied
from mercato.customers.models import ApiToken, User

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def user_for_token(token: str) -> User:
    api_token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(token), expires_at__gt=timezone.now(), user__is_active=True)
        .first()
    )
    if api_token is None:
        raise NotAuthenticated("The API token is unknown or has expired.")
    return api_token.user


def enforce_csrf_for_cookies(request: HttpRequest) -> None:
    """A write authenticated by a cookie must carry the CSRF token; one by a header need not."""
    if request.method in SAFE_METHODS:
        return
    if check_csrf(request) is not None:
        raise PermissionDenied("CSRF check failed: send the X-CSRFToken header with the cookie.")


def customer_from_request(request: HttpRequest) -> User | None:
    """The logged-in user, or None for an anonymous visitor; a bad bearer token is a 401."""
    cached = getattr(request, "_mercato_customer", False)
    if cached is not False:
        return cached
    token = bearer_token(request)
    if token is not None:
        customer: User | None = user_for_token(token)
    elif getattr(request, "user", None) is not None and request.user.is_authenticated:
        enforce_csrf_for_cookies(request)
        customer = request.user
    else:
        customer = None
    request._mercato_customer = customer
    return customer


class CustomerAuth(HttpBearer):
    """django-ninja auth for endpoints that need a logged-in customer (bearer token or session)."""

    def __call__(self, request: HttpRequest) -> User | None:
        return customer_from_request(request)

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return user_for_token(token)


customer_auth = CustomerAuth()
