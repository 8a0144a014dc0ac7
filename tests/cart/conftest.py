"""Fixtures and helpers shared by the cart tests."""

from decimal import Decimal

import pytest
from django.conf import settings

from mercato.cart.models import Cart, CartLine
from mercato.catalog.models import ProductVariant
from mercato.core.models import Event
from mercato.customers.auth import token_digest
from mercato.customers.models import ApiToken, User
from tests.factories import ApiTokenFactory, UserFactory, make_sellable_variant

TOKEN_HEADER = "X-Cart-Token"


def token_header(token: str) -> dict[str, str]:
    return {TOKEN_HEADER: token}


def bearer_for(user: User) -> dict[str, str]:
    token = f"cart-test-token-{user.pk:06d}-abcdefghijkl"
    if not ApiToken.objects.filter(digest=token_digest(token)).exists():
        ApiTokenFactory(user=user, token=token)
    return {"Authorization": f"Bearer {token}"}


def database_state() -> dict:
    """Everything a cart call may write, to assert that a failed call changed nothing."""
    return {
        "carts": list(Cart.objects.order_by("id").values()),
        "lines": list(CartLine.objects.order_by("id").values()),
        "events": Event.objects.count(),
    }


def lines_of(token: str) -> dict[str, int]:
    return dict(CartLine.objects.filter(cart__token=token)
                .values_list("variant__sku", "quantity"))


def seen_amount(token: str, variant: ProductVariant) -> Decimal:
    return CartLine.objects.get(cart__token=token, variant=variant).seen_unit_amount


def cart_cookie(response) -> str | None:
    morsel = response.cookies.get(settings.MERCATO_CART_COOKIE)
    return None if morsel is None else morsel.value


@pytest.fixture
def variant() -> ProductVariant:
    return make_sellable_variant(price="20.00", on_hand=5, title="Linen shirt")


@pytest.fixture
def other_variant() -> ProductVariant:
    return make_sellable_variant(price="9.50", on_hand=10, title="Wool socks")


@pytest.fixture
def customer() -> User:
    return UserFactory(email="ada@example.com")


@pytest.fixture
def add(api):
    """Add a line as an API client; returns the response."""

    def add_line(sku: str, quantity: object = 1, **headers: str):
        return api.post("/cart/lines", {"sku": sku, "quantity": quantity}, **headers)

    return add_line


@pytest.fixture
def anonymous_cart(add, variant, client) -> str:
    """An anonymous cart holding 2 of `variant`; the client forgets its cookie."""
    response = add(variant.sku, 2)
    assert response.status_code == 200, response.content
    client.cookies.clear()
    return response.json()["token"]
