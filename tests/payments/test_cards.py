import pytest
from django.core import serializers

from mercato.core.models import Event
from mercato.payments.gateways.test_gateway import InvalidCard
from mercato.payments.models import Payment, TestGatewayCard, Transaction
from mercato.payments.services import authorize_payment, confirm_payment, create_payment
from tests.payments.conftest import DECLINED, NO_FUNDS, THREE_DS, VISA, eur


def authorize(payment, token, key="k1"):
    txn = authorize_payment(payment_id=payment.public_id, token=token, idempotency_key=key)
    payment.refresh_from_db()
    return txn


@pytest.mark.django_db
def test_a_good_card_authorizes_the_payment(payment, card_token):
    txn = authorize(payment, card_token(VISA))

    assert txn.succeeded and txn.kind == "authorize" and txn.amount == payment.amount
    assert txn.provider_reference.startswith("ch_")
    assert payment.status == "Authorized"
    assert Event.objects.filter(type="PaymentTransactionRecorded").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("number", "code"), [(DECLINED, "card_declined"),
                                              (NO_FUNDS, "insufficient_funds")])
def test_a_refused_card_fails_the_payment_and_the_attempt_is_stored(payment, card_token,
                                                                    number, code):
    txn = authorize(payment, card_token(number))

    assert not txn.succeeded and txn.error_code == code and txn.error_message
    assert payment.status == "Failed"
    assert Transaction.objects.count() == 1


@pytest.mark.django_db
def test_another_card_may_be_tried_after_a_decline(payment, card_token):
    authorize(payment, card_token(DECLINED), key="k1")

    txn = authorize(payment, card_token(VISA), key="k2")

    assert txn.succeeded and payment.status == "Authorized"


@pytest.mark.django_db
def test_a_3ds_card_waits_for_the_shopper_then_confirms(payment, card_token, gateway):
    first = authorize(payment, card_token(THREE_DS))
    assert not first.succeeded
    assert first.requires_action_url == (
        f"/api/v1/test-gateway/3ds/{first.provider_reference}/complete")
    assert payment.status == "Pending"

    gateway.complete_action(first.provider_reference)
    confirmed = confirm_payment(payment_id=payment.public_id, idempotency_key="k2")
    payment.refresh_from_db()

    assert confirmed.succeeded and payment.status == "Authorized"


@pytest.mark.django_db
def test_confirming_before_the_shopper_did_leaves_the_payment_pending(payment, card_token):
    authorize(payment, card_token(THREE_DS))

    txn = confirm_payment(payment_id=payment.public_id, idempotency_key="k2")
    payment.refresh_from_db()

    assert not txn.succeeded and txn.error_code == "authentication_required"
    assert payment.status == "Pending"


@pytest.mark.django_db
def test_paypal_style_approval_then_authorize(db, gateway):
    payment = create_payment(reference="ORD-2", method="paypal", amount=eur("30.00"))
    token, approve_url = gateway.create_approval(eur("30.00"))

    too_early = authorize(payment, token, key="k1")
    assert too_early.error_code == "approval_required"
    assert too_early.requires_action_url == approve_url
    assert payment.status == "Pending"

    gateway.approve(token)
    txn = authorize(payment, token, key="k2")

    assert txn.succeeded and payment.status == "Authorized"


def test_luhn_invalid_numbers_are_refused_at_tokenisation(gateway):
    with pytest.raises(InvalidCard):
        gateway.tokenize_card("4242 4242 4242 4241", 12, 2030, "123")


@pytest.mark.django_db
def test_the_provider_keeps_only_brand_and_last4(gateway):
    token = gateway.tokenize_card(VISA, 12, 2030, "123")

    card = TestGatewayCard.objects.values("brand", "last4", "behaviour").get(token=token)
    assert card == {"brand": "visa", "last4": "4242", "behaviour": "succeed"}
    dumped = serializers.serialize("json", TestGatewayCard.objects.all())
    assert "4242424242424242" not in dumped and "123" not in dumped.replace(token, "")


@pytest.mark.django_db
def test_no_card_number_reaches_the_database(payment, card_token):
    authorize(payment, card_token(VISA))

    dumped = serializers.serialize("json", [*Payment.objects.all(), *Transaction.objects.all(),
                                            *Event.objects.all()])
    assert "4242424242424242" not in dumped and VISA not in dumped
