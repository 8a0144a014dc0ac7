from decimal import Decimal

import pytest

from mercato.core.money import Money
from mercato.payments.gateways import get_gateway
from mercato.payments.services import authorize_payment, create_payment

VISA = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"
NO_FUNDS = "4000 0000 0000 9995"
THREE_DS = "4000 0027 6000 3184"


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


@pytest.fixture
def gateway():
    """The test provider; its state lives in its own tables, emptied with the test database."""
    return get_gateway("test")


@pytest.fixture
def card_token(gateway):
    def make(number: str = VISA) -> str:
        return gateway.tokenize_card(number, 12, 2030, "123")
    return make


@pytest.fixture
def payment(db):
    return create_payment(reference="ORD-1", method="card", amount=eur("100.00"))


@pytest.fixture
def authorized(payment, card_token):
    authorize_payment(payment_id=payment.public_id, token=card_token(), idempotency_key="auth-1")
    payment.refresh_from_db()
    return payment
