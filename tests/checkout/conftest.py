"""A shop to check out in: two products with stock, German VAT, two delivery methods."""

import uuid
from decimal import Decimal

import pytest

from mercato.catalog.models import ProductVariant
from mercato.payments.gateways import get_gateway
from tests.cart.conftest import token_header
from tests.cart.pricing_data import german_vat, standard_delivery
from tests.factories import make_sellable_variant

BERLIN = {"first_name": "Ada", "last_name": "Lovelace", "street_address_1": "Unter den Linden 1",
          "city": "BERLIN", "postal_code": "10117", "country": "DE"}
HAMBURG = {"first_name": "Charles", "last_name": "Babbage", "street_address_1": "Jungfernstieg 7",
           "city": "HAMBURG", "postal_code": "20354", "country": "DE"}
VISA = "4242424242424242"
DECLINED = "4000000000000002"
INSUFFICIENT = "4000000000009995"
THREE_D_SECURE = "4000002760003184"


def card_token(number: str = VISA) -> str:
    return get_gateway("test").tokenize_card(number, 12, 2030, "123")


def new_key() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def shop(db) -> dict:
    german_vat()
    standard_delivery(code="standard", price="4.90", free_over="100.00")
    standard_delivery(code="express", price="9.90", free_over=None, position=1)
    return {}


@pytest.fixture
def shirt(shop) -> ProductVariant:
    return make_sellable_variant(price="20.00", on_hand=5, title="Linen shirt")


@pytest.fixture
def socks(shop) -> ProductVariant:
    return make_sellable_variant(price="9.50", on_hand=10, title="Wool socks")


@pytest.fixture
def cart(api, shirt, socks) -> str:
    """An anonymous cart with 2 shirts and 1 pair of socks: 49.50 of goods."""
    response = api.post("/cart/lines", {"sku": shirt.sku, "quantity": 2})
    token = response.json()["token"]
    api.post("/cart/lines", {"sku": socks.sku, "quantity": 1}, **token_header(token))
    api.client.cookies.clear()
    return token


@pytest.fixture
def checkout(api):
    """POST /checkout/complete for a cart token; returns the response."""

    def complete(token: str, payload: dict, key: str | None = None, **headers: str):
        if key is not None:
            headers["Idempotency-Key"] = key
        return api.post("/checkout/complete", payload, **token_header(token), **headers)

    return complete


def order_request(*, payments: list[dict] | None = None, total: str = "54.40",
                  shipments: list[dict] | None = None, **fields: object) -> dict:
    """A guest's order to Berlin by standard delivery (49.50 + 4.90), paid by card."""
    return {
        "email": "ada@example.com",
        "billing_address": BERLIN,
        "shipments": shipments or [{"address": BERLIN, "delivery_method": "standard"}],
        "payments": payments or [{"method": "card", "token": card_token()}],
        "expected_total": total,
        **fields,
    }


def eur(amount: str) -> Decimal:
    return Decimal(amount)
