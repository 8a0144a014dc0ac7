"""Every payment outcome at completion: declined, insufficient funds, 3-D Secure, PayPal,
gift card splits — a refusal creates no order and leaves nothing authorized."""

from decimal import Decimal

import pytest

from mercato.core.money import Money
from mercato.inventory.models import Stock
from mercato.orders.models import Order
from mercato.payments.gateways import get_gateway
from mercato.payments.models import GiftCard, Payment, Transaction
from mercato.payments.services import issue_gift_card
from tests.checkout.conftest import (
    DECLINED,
    INSUFFICIENT,
    THREE_D_SECURE,
    card_token,
    new_key,
    order_request,
)

pytestmark = pytest.mark.django_db


def nothing_ordered() -> bool:
    return not Order.objects.exists() and not any(
        Stock.objects.values_list("allocated", flat=True))


@pytest.mark.parametrize(("number", "code", "message"), [
    (DECLINED, "card_declined", "Your card was declined."),
    (INSUFFICIENT, "insufficient_funds", "Your card has insufficient funds."),
])
def test_a_refused_card_gives_the_providers_message_and_no_order(cart, checkout, number, code,
                                                                 message):
    key, request = new_key(), order_request(payments=[{"method": "card",
                                                       "token": card_token(number)}])
    response = checkout(cart, request, key=key)

    assert response.status_code == 402
    body = response.json()
    assert (body["detail"], body["decline_code"]) == (message, code)
    assert nothing_ordered()
    assert Payment.objects.get().status == "Failed"
    # A retry with the same key gets the same answer without asking the provider again.
    assert checkout(cart, request, key=key).json() == body
    assert Transaction.objects.count() == 1


def test_three_d_secure_needs_the_shoppers_confirmation_then_the_same_key(cart, checkout):
    key, request = new_key(), order_request(
        payments=[{"method": "card", "token": card_token(THREE_D_SECURE)}])

    first = checkout(cart, request, key=key)
    assert first.status_code == 402
    assert first.json()["type"].endswith("/payment-action-required")
    assert first.json()["action_url"]
    assert nothing_ordered()

    not_yet = checkout(cart, request, key=key)
    assert not_yet.status_code == 402 and nothing_ordered()

    reference = Transaction.objects.filter(kind="authorize").first().provider_reference
    get_gateway("test").complete_action(reference)
    done = checkout(cart, request, key=key)

    assert done.status_code == 201, done.content
    assert Payment.objects.get().status == "Authorized"
    assert Order.objects.count() == 1


def test_paypal_style_approval_then_completion(cart, checkout):
    gateway = get_gateway("test")
    approval, _url = gateway.create_approval(Money(Decimal("54.40"), "EUR"))
    gateway.approve(approval)

    response = checkout(cart, order_request(payments=[{"method": "paypal", "token": approval}]),
                        key=new_key())

    assert response.status_code == 201, response.content
    payment = Payment.objects.get()
    assert (payment.method, payment.status) == ("paypal", "Authorized")


def test_an_unapproved_paypal_payment_asks_for_approval(cart, checkout):
    approval, _url = get_gateway("test").create_approval(Money(Decimal("54.40"), "EUR"))

    response = checkout(cart, order_request(payments=[{"method": "paypal", "token": approval}]),
                        key=new_key())

    assert response.status_code == 402
    assert response.json()["type"].endswith("/payment-action-required")
    assert nothing_ordered()


def test_gift_card_and_card_split_the_total(cart, checkout):
    issue_gift_card(code="GIFT-20", amount=Money(Decimal("20.00"), "EUR"))
    payments = [{"method": "gift_card", "gift_card_code": "gift-20", "amount": "20.00"},
                {"method": "card", "token": card_token()}]

    response = checkout(cart, order_request(payments=payments), key=new_key())

    assert response.status_code == 201, response.content
    order = Order.objects.get()
    paid = dict(Payment.objects.filter(reference=order.number).values_list("method", "amount"))
    assert paid == {"gift_card": Decimal("20.0000"), "card": Decimal("34.4000")}
    assert GiftCard.objects.get().balance == 0


def test_a_declined_card_gives_the_gift_card_its_balance_back(cart, checkout):
    issue_gift_card(code="GIFT-20", amount=Money(Decimal("20.00"), "EUR"))
    payments = [{"method": "gift_card", "gift_card_code": "GIFT-20", "amount": "20.00"},
                {"method": "card", "token": card_token(DECLINED)}]

    response = checkout(cart, order_request(payments=payments), key=new_key())

    assert response.status_code == 402
    assert GiftCard.objects.get().balance == Decimal("20.0000")
    assert nothing_ordered()
    assert Payment.objects.get(method="gift_card").status == "Voided"


def test_a_gift_card_short_of_balance_is_refused(cart, checkout):
    issue_gift_card(code="GIFT-5", amount=Money(Decimal("5.00"), "EUR"))
    payments = [{"method": "gift_card", "gift_card_code": "GIFT-5", "amount": "20.00"},
                {"method": "card", "token": card_token()}]

    response = checkout(cart, order_request(payments=payments), key=new_key())

    assert response.status_code == 402
    assert "balance" in response.json()["detail"]
    assert GiftCard.objects.get().balance == Decimal("5.0000")
    assert nothing_ordered()


@pytest.mark.parametrize(("payments", "field"), [
    ([{"method": "card", "token": "x", "amount": "10.00"}], "payments"),
    ([{"method": "card", "token": "x"}, {"method": "card", "token": "y"}], "payments"),
    ([{"method": "gift_card", "gift_card_code": "G"}], "payments.0.amount"),
])
def test_payments_that_do_not_add_up_are_422_and_charge_nothing(cart, checkout, payments,
                                                                field):
    key = new_key()
    response = checkout(cart, order_request(payments=payments), key=key)

    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not Payment.objects.exists() and nothing_ordered()


def test_an_abandoned_checkout_gives_back_its_authorizations(cart, checkout):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from mercato.checkout.models import CheckoutAttempt

    issue_gift_card(code="GIFT-20", amount=Money(Decimal("20.00"), "EUR"))
    key = new_key()
    request = order_request(payments=[
        {"method": "gift_card", "gift_card_code": "GIFT-20", "amount": "20.00"},
        {"method": "card", "token": card_token(THREE_D_SECURE)}])
    assert checkout(cart, request, key=key).status_code == 402
    assert GiftCard.objects.get().balance == 0
    call_command("abandon_checkouts", "--minutes", "60")
    assert GiftCard.objects.get().balance == 0  # not stale yet
    an_hour_ago = timezone.now() - timedelta(minutes=61)
    CheckoutAttempt.objects.update(created_at=an_hour_ago, lease_until=an_hour_ago)

    call_command("abandon_checkouts", "--minutes", "60")

    assert GiftCard.objects.get().balance == Decimal("20.0000")
    assert Payment.objects.get(method="gift_card").status == "Voided"
    retry = checkout(cart, request, key=key)
    assert retry.status_code == 409
    assert retry.json()["type"].endswith("/checkout-abandoned")
    assert nothing_ordered()
