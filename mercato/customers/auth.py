"""Who is calling: a bearer token (API clients) or the Django session (the storefront)."""

from datetime import datetime, timedelta

from django.contrib.auth import authenticate, user_logged_in
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer
from ninja.utils import check_csrf

from mercato.core.events import Actor
from mercato.core.problems import NotAuthenticated, PermissionDenied
from mercato.customers.errors import InvalidCredentials
from mercato.customers.models import ApiToken, User
from mercato.customers.rules import token_digest

__all__ = ["allowed", "bearer_auth", "customer_auth", "customer_for_login",
           "customer_from_request", "note_token_login", "staff_auth", "token_digest",
           "user_for_token"]

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
TOUCH_INTERVAL = timedelta(minutes=1)
WRONG_CREDENTIALS = "The email address or password is incorrect."


def customer_for_login(request: HttpRequest, *, email: str, password: str) -> User:
    """The active user with this email and password; one message whichever part is wrong.

    The request goes along so that django-axes counts the failure for the account and the
    client address, and refuses every login, right or wrong, while either is locked out (its
    middleware then answers 429 instead of this 401)."""
    # ModelBackend hashes the password even for an unknown email, so timing tells nothing either.
    user = authenticate(request, email=email.strip().lower(), password=password)
    if not isinstance(user, User):
        raise InvalidCredentials(WRONG_CREDENTIALS)
    return user


def note_token_login(request: HttpRequest, customer: User) -> None:
    """A token issued for the password is a login without a session: say so, as `login()`
    does, so that axes forgets the account's failed attempts and last_login is kept."""
    user_logged_in.send(sender=customer.__class__, request=request, user=customer)


def bearer_token(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def user_for_token(token: str) -> User:
    """The active user owning the unexpired `token`, or NotAuthenticated (401)."""
    now = timezone.now()
    api_token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(token), expires_at__gt=now, user__is_active=True)
        .first()
    )
    if api_token is None:
        raise NotAuthenticated("The API token is unknown or has expired.")
    touch_token(api_token, now=now)
    return api_token.user


def touch_token(api_token: ApiToken, *, now: datetime) -> None:
    """Note when a token was last used, at most once a minute: reads should not all write."""
    if api_token.last_used_at is not None and now - api_token.last_used_at < TOUCH_INTERVAL:
        return
    ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
    api_token.last_used_at = now


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


class BearerAuth(HttpBearer):
    """django-ninja auth for endpoints that act on the bearer token itself (not the session)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return user_for_token(token)


bearer_auth = BearerAuth()


class StaffAuth(HttpBearer):
    """A bearer token of an active staff user; a customer's valid token is 403, not 401.

    For the staff APIs (warehouse, the orders export): each endpoint then checks the Django
    permission of the matching back-office page with `allowed`."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = user_for_token(token)
        if not user.is_staff:
            raise PermissionDenied("This API is for staff accounts.")
        return user


staff_auth = StaffAuth()


def allowed(request: HttpRequest, *permissions: str) -> Actor:
    """The caller as an actor for the history, once they hold every permission named."""
    user: User = request.auth
    missing = [name for name in permissions if not user.has_perm(name)]
    if missing:
        raise PermissionDenied("Your role may not do this.", missing_permissions=missing)
    return Actor("api", user.email)
