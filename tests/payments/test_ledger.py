from decimal import Decimal

import pytest

from mercato.core.models import Event
from mercato.core.money import Money
from mercato.core.states import IllegalTransition
from mercato.payments.errors import AmountNotAllowed, CurrencyMismatch, IdempotencyKeyReused
from mercato.payments.models import Transaction
from mercato.payments.rules import derive_status, ledger_of
from mercato.payments.services import (
    authorize_payment,
    capture_payment,
    create_payment,
    refund_payment,
    void_payment,
)
from tests.payments.conftest import eur

D = Decimal


def unchanged(payment, status: str, transactions: int) -> None:
    payment.refresh_from_db()
    assert payment.status == status
    assert Transaction.objects.filter(payment=payment).count() == transactions


@pytest.mark.parametrize(("entries", "status"), [
    ([], "Pending"),
    ([("authorize", D(10), False, "card_declined")], "Failed"),
    ([("authorize", D(10), False, "requires_action")], "Pending"),
    ([("authorize", D(10), True, "")], "Authorized"),
    ([("authorize", D(10), True, ""), ("void", D(10), True, "")], "Voided"),
    ([("authorize", D(10), True, ""), ("capture", D(10), True, "")], "Captured"),
    ([("capture", D(10), True, ""), ("refund", D(4), True, "")], "PartiallyRefunded"),
    ([("capture", D(10), True, ""), ("refund", D(4), True, ""), ("refund", D(6), True, "")],
     "Refunded"),
    ([("capture", D(10), True, ""), ("refund", D(10), False, "invalid_refund")], "Captured"),
])
def test_status_is_derived_from_the_successful_transactions(entries, status):
    assert derive_status(ledger_of(entries)) == status


@pytest.mark.django_db
def test_capture_defaults_to_the_authorized_amount(authorized):
    txn = capture_payment(payment_id=authorized.public_id, idempotency_key="cap")
    authorized.refresh_from_db()

    assert txn.succeeded and txn.amount == D("100.00") and authorized.status == "Captured"


@pytest.mark.django_db
def test_partial_capture(authorized):
    txn = capture_payment(payment_id=authorized.public_id, amount=eur("60.00"),
                          idempotency_key="cap")

    assert txn.amount == D("60.00")
    unchanged(authorized, "Captured", 2)


@pytest.mark.django_db
def test_capturing_more_than_authorized_is_refused_and_changes_nothing(authorized):
    with pytest.raises(AmountNotAllowed):
        capture_payment(payment_id=authorized.public_id, amount=eur("100.01"),
                        idempotency_key="cap")

    unchanged(authorized, "Authorized", 1)


@pytest.mark.django_db
def test_capturing_in_another_currency_is_refused(authorized):
    with pytest.raises(CurrencyMismatch):
        capture_payment(payment_id=authorized.public_id, amount=Money(10, "USD"),
                        idempotency_key="cap")

    unchanged(authorized, "Authorized", 1)


@pytest.mark.django_db
def test_void_then_capture_is_illegal_and_changes_nothing(authorized):
    void_payment(payment_id=authorized.public_id, idempotency_key="void")
    unchanged(authorized, "Voided", 2)
    events = Event.objects.count()

    with pytest.raises(IllegalTransition) as error:
        capture_payment(payment_id=authorized.public_id, idempotency_key="cap")

    assert error.value.status == 409
    unchanged(authorized, "Voided", 2)
    assert Event.objects.count() == events


@pytest.mark.django_db
def test_refunds_up_to_the_captured_amount(authorized):
    capture_payment(payment_id=authorized.public_id, amount=eur("80.00"), idempotency_key="c")

    refund_payment(payment_id=authorized.public_id, amount=eur("30.00"), idempotency_key="r1")
    unchanged(authorized, "PartiallyRefunded", 3)
    with pytest.raises(AmountNotAllowed):
        refund_payment(payment_id=authorized.public_id, amount=eur("50.01"),
                       idempotency_key="r2")
    unchanged(authorized, "PartiallyRefunded", 3)
    refund_payment(payment_id=authorized.public_id, amount=eur("50.00"), idempotency_key="r3")

    unchanged(authorized, "Refunded", 4)


@pytest.mark.django_db
def test_refunding_an_uncaptured_payment_is_illegal(authorized):
    with pytest.raises(IllegalTransition):
        refund_payment(payment_id=authorized.public_id, amount=eur("1.00"), idempotency_key="r")

    unchanged(authorized, "Authorized", 1)


@pytest.mark.django_db
def test_cash_on_delivery_stays_pending_until_captured(db):
    payment = create_payment(reference="ORD-9", method="cash_on_delivery", amount=eur("25.00"))
    assert payment.status == "Pending" and payment.provider == ""

    with pytest.raises(IllegalTransition):
        authorize_payment(payment_id=payment.public_id, token="x", idempotency_key="a")
    unchanged(payment, "Pending", 0)
    txn = capture_payment(payment_id=payment.public_id, idempotency_key="cod")

    assert txn.succeeded and txn.amount == D("25.00")
    unchanged(payment, "Captured", 1)


@pytest.mark.django_db
def test_a_retry_with_the_same_key_returns_the_first_result_without_calling_the_gateway(
        authorized, gateway, monkeypatch):
    first = capture_payment(payment_id=authorized.public_id, idempotency_key="cap")
    monkeypatch.setattr(gateway, "capture", lambda *a, **k: pytest.fail("gateway called"))

    again = capture_payment(payment_id=authorized.public_id, idempotency_key="cap")

    assert again.pk == first.pk
    unchanged(authorized, "Captured", 2)


@pytest.mark.django_db
def test_the_same_key_with_a_different_request_is_refused(authorized):
    capture_payment(payment_id=authorized.public_id, amount=eur("10.00"), idempotency_key="cap")

    with pytest.raises(IdempotencyKeyReused) as error:
        capture_payment(payment_id=authorized.public_id, amount=eur("20.00"),
                        idempotency_key="cap")

    assert error.value.status == 409
    unchanged(authorized, "Captured", 2)


@pytest.mark.django_db
def test_the_provider_refuses_a_key_reused_for_another_request(gateway, card_token):
    token = card_token()
    first = gateway.authorize(eur("10.00"), token, "same")

    assert gateway.authorize(eur("10.00"), token, "same") == first
    assert gateway.authorize(eur("11.00"), token, "same").error_code == "idempotency_error"
