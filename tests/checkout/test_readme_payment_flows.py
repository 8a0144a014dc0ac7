"""The README's payment flows, step by step through the HTTP API only: 402
payment-action-required, the shopper confirms at `action_url` (the PayPal-style approval or the
3-D Secure challenge of the test provider), then the same request with the same key places the
order — once."""

import pytest

from mercato.orders.models import Order
from mercato.payments.models import Payment, Transaction
from tests.checkout.conftest import new_key, order_request

pytestmark = pytest.mark.django_db


def provider_card_token(api, number: str) -> str:
    response = api.post("/test-gateway/tokens", {"number": number, "exp_month": 12,
                                                 "exp_year": 2030, "cvc": "123"})
    assert response.status_code == 201, response.content
    return response.json()["token"]


def action_required(response) -> str:
    assert response.status_code == 402, response.content
    body = response.json()
    assert body["type"].endswith("/payment-action-required")
    return body["action_url"]


def placed_once(api, cart, checkout, request: dict, key: str) -> dict:
    """The same request with the same key: 201 with the order, then 200 with the same one."""
    done = checkout(cart, request, key=key)
    assert done.status_code == 201, done.content
    again = checkout(cart, request, key=key)
    assert again.status_code == 200, again.content
    assert again.json()["number"] == done.json()["number"]
    assert Order.objects.count() == 1
    payment = Payment.objects.get()
    assert payment.status == "Authorized"
    assert payment.transactions.filter(kind="authorize", succeeded=True).count() == 1
    return done.json()


def test_paypal_approval_asked_for_by_402_then_the_same_request_places_the_order(
        api, cart, checkout):
    approval = api.post("/test-gateway/approvals", {"amount": "54.40", "currency": "EUR"})
    assert approval.status_code == 201, approval.content
    token = approval.json()["approval_token"]
    key = new_key()
    request = order_request(payments=[{"method": "paypal", "token": token}])

    action_url = action_required(checkout(cart, request, key=key))
    assert action_url == approval.json()["approve_url"]
    # Sent back before approving: still 402, still nothing ordered.
    assert action_required(checkout(cart, request, key=key)) == action_url
    assert not Order.objects.exists()
    approved = api.client.post(action_url)  # the shopper approves at the provider
    assert approved.status_code == 200, approved.content

    order = placed_once(api, cart, checkout, request, key)

    assert order["payments"][0]["method"] == "paypal"
    assert order["payments"][0]["status"] == "Authorized"


def test_three_d_secure_challenge_at_action_url_then_the_same_request_places_the_order(
        api, cart, checkout):
    key = new_key()
    request = order_request(payments=[{"method": "card",
                                       "token": provider_card_token(api, "4000 0027 6000 3184")}])

    action_url = action_required(checkout(cart, request, key=key))
    assert action_url.startswith("/api/v1/test-gateway/3ds/")
    assert action_url.endswith("/complete")
    assert action_required(checkout(cart, request, key=key)) == action_url
    passed = api.client.post(action_url)  # POST /test-gateway/3ds/{reference}/complete
    assert passed.status_code == 200, passed.content

    placed_once(api, cart, checkout, request, key)


def test_a_paypal_approval_for_another_amount_is_declined_and_nothing_is_ordered(
        api, cart, checkout):
    approval = api.post("/test-gateway/approvals", {"amount": "10.00", "currency": "EUR"})
    token = approval.json()["approval_token"]
    key = new_key()
    request = order_request(payments=[{"method": "paypal", "token": token}])
    api.client.post(action_required(checkout(cart, request, key=key)))

    declined = checkout(cart, request, key=key)

    assert declined.status_code == 402, declined.content
    assert declined.json()["type"].endswith("/payment-declined")
    assert not Order.objects.exists()
    assert not Transaction.objects.filter(succeeded=True).exists()
