"""Fixtures shared by the customers tests: customers, bearer headers, CSRF-enforcing clients."""

import pytest
from django.test import Client

from mercato.core.models import Event
from mercato.customers.models import Address, ApiToken, User
from tests.factories import ApiTokenFactory, UserFactory

PASSWORD = "correct-horse-battery"  # the one UserFactory sets
CSRF_SECRET = "abcdefghijklmnopqrstuvwxyzABCDEF"  # 32 characters: a valid CSRF cookie value


def database_state() -> dict:
    """What the customers endpoints may write, to assert a failed call changed nothing.

    A token's last_used_at is left out: using a token is noted even when the call fails.
    """
    return {
        "users": list(User.objects.order_by("id").values()),
        "addresses": list(Address.objects.order_by("id").values()),
        "tokens": list(ApiToken.objects.order_by("id").values("id", "digest", "expires_at")),
        "events": Event.objects.count(),
    }


def bearer_for(user: User, token: str = "test-token-customer-abcdefghijkl") -> dict[str, str]:
    ApiTokenFactory(user=user, token=token)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def customer() -> User:
    return UserFactory(email="ada@example.com")


@pytest.fixture
def bearer(customer) -> dict[str, str]:
    return bearer_for(customer)


@pytest.fixture
def csrf_client(customer) -> Client:
    """A browser-like client logged in by session that enforces CSRF, with a CSRF cookie set."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)
    client.cookies["csrftoken"] = CSRF_SECRET
    return client
