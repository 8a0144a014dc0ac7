"""The test provider's endpoints: what its JavaScript and hosted pages would call."""

import pytest

from mercato.core.models import Event
from mercato.payments.models import (
    TestGatewayApproval,
    TestGatewayCard,
    TestGatewayCharge,
)
from mercato.payments.services import authorize_payment, confirm_payment, create_payment
from tests.payments.conftest import THREE_DS, VISA, eur

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def card(number: str = VISA, **changes) -> dict:
    return {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123", **changes}


def problem_of(response, status: int, slug: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"].endswith("/" + slug) and body["status"] == status
    return body


def provider_state() -> tuple[int, int, int]:
    return (TestGatewayCard.objects.count(), TestGatewayApproval.objects.count(),
            TestGatewayCharge.objects.count())


def test_a_card_token_from_the_api_authorizes_a_payment(api):
    response = api.post("/test-gateway/tokens", card())
    payment = create_payment(reference="ORD-API", method="card", amount=eur("25.00"))

    txn = authorize_payment(payment_id=payment.public_id, token=response.json()["token"],
                            idempotency_key="api-1")

    assert response.status_code == 201
    assert response.json() == {"token": response.json()["token"], "brand": "visa",
                               "last4": "4242"}
    assert txn.succeeded and txn.provider_reference.startswith("ch_")


def test_tokenising_costs_one_insert(api, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # the insert and its savepoint
        response = api.post("/test-gateway/tokens", card())

    assert response.status_code == 201


@pytest.mark.parametrize("number", ["4242 4242 4242 4241", "4242", "4242-4242-4242-4242",
                                    "abcd efgh ijkl mnop", "4" * 20])
def test_an_invalid_card_number_is_refused_and_not_echoed(api, number):
    response = api.post("/test-gateway/tokens", card(number))

    body = problem_of(response, 422, "invalid-card")
    assert body["detail"] == "This card number is not valid."
    assert list(body["errors"]) == ["number"]
    assert number not in response.content.decode()
    assert provider_state() == (0, 0, 0)


@pytest.mark.parametrize(("changes", "field"), [
    ({"exp_month": 13}, "exp_month"),
    ({"exp_month": 0}, "exp_month"),
    ({"exp_month": 1, "exp_year": 2020}, "exp_year"),
    ({"cvc": "12a"}, "cvc"),
    ({"cvc": "12"}, "cvc"),
])
def test_a_bad_expiry_or_security_code_is_refused_by_field(api, changes, field):
    response = api.post("/test-gateway/tokens", card(**changes))

    body = problem_of(response, 422, "invalid-card")
    assert body["detail"] == "This card's expiry or security code is not valid."
    assert list(body["errors"]) == [field]
    assert provider_state() == (0, 0, 0)


def test_a_card_with_missing_or_mistyped_fields_is_invalid_input(api):
    response = api.post("/test-gateway/tokens", {"number": VISA, "exp_month": "soon"})

    body = problem_of(response, 422, "invalid-input")
    assert {"exp_month", "exp_year", "cvc"} <= set(body["errors"])
    assert VISA not in response.content.decode()


def test_paypal_style_approval_through_the_endpoints(api, client):
    payment = create_payment(reference="ORD-PP", method="paypal", amount=eur("30.00"))
    created = api.post("/test-gateway/approvals", {"amount": "30.00", "currency": "eur"})
    token, approve_url = created.json()["approval_token"], created.json()["approve_url"]

    too_early = authorize_payment(payment_id=payment.public_id, token=token,
                                  idempotency_key="pp-1")
    approved = client.post(approve_url)
    txn = authorize_payment(payment_id=payment.public_id, token=token, idempotency_key="pp-2")

    assert created.status_code == 201
    assert approve_url == f"/api/v1/test-gateway/approvals/{token}/approve"
    assert too_early.error_code == "approval_required"
    assert too_early.requires_action_url == approve_url
    assert approved.status_code == 200
    assert approved.json() == {"approval_token": token, "is_approved": True}
    assert txn.succeeded and txn.provider_reference.startswith("pp_")


def test_an_approval_for_another_amount_does_not_authorize(api, client):
    payment = create_payment(reference="ORD-PP", method="paypal", amount=eur("30.00"))
    created = api.post("/test-gateway/approvals", {"amount": "29.99", "currency": "EUR"})
    client.post(created.json()["approve_url"])

    txn = authorize_payment(payment_id=payment.public_id,
                            token=created.json()["approval_token"], idempotency_key="pp-1")

    assert not txn.succeeded and txn.error_code == "amount_mismatch"


def test_approving_an_unknown_token_is_a_404(api):
    response = api.post("/test-gateway/approvals/ppa_nothing/approve")

    problem_of(response, 404, "approval-not-found")


@pytest.mark.parametrize("payload", [
    {"amount": "0", "currency": "EUR"}, {"amount": "-1.00", "currency": "EUR"},
    {"amount": "abc", "currency": "EUR"}, {"amount": "1.00001", "currency": "EUR"},
    {"amount": "12.34", "currency": "XYZ"}, {"amount": "12.34"},
])
def test_an_approval_needs_a_positive_amount_and_a_currency(api, payload):
    response = api.post("/test-gateway/approvals", payload)

    problem_of(response, 422, "invalid-input")
    assert provider_state() == (0, 0, 0)


def test_3ds_challenge_passed_at_the_provider_then_confirmed(api, client):
    token = api.post("/test-gateway/tokens", card(THREE_DS)).json()["token"]
    payment = create_payment(reference="ORD-3DS", method="card", amount=eur("40.00"))
    pending = authorize_payment(payment_id=payment.public_id, token=token, idempotency_key="a1")

    completed = client.post(pending.requires_action_url)
    confirmed = confirm_payment(payment_id=payment.public_id, idempotency_key="a2")
    payment.refresh_from_db()

    assert completed.status_code == 200
    assert completed.json() == {"reference": pending.provider_reference, "is_completed": True}
    assert confirmed.succeeded and payment.status == "Authorized"


def test_completing_3ds_for_an_unknown_charge_is_a_404(api):
    response = api.post("/test-gateway/3ds/ch_nothing/complete")

    problem_of(response, 404, "provider-charge-not-found")


def test_completing_3ds_for_a_charge_that_needs_none_is_a_409(api, card_token, gateway):
    reference = gateway.authorize(eur("10.00"), card_token(VISA), "k1").provider_reference

    response = api.post(f"/test-gateway/3ds/{reference}/complete")

    problem_of(response, 409, "action-not-pending")
    assert TestGatewayCharge.objects.get(reference=reference).stage == "authorized"


def test_the_provider_endpoints_record_no_shop_events(api, client):
    api.post("/test-gateway/tokens", card())
    created = api.post("/test-gateway/approvals", {"amount": "5.00", "currency": "EUR"})
    client.post(created.json()["approve_url"])

    assert not Event.objects.exists()


def test_the_endpoints_are_documented_under_their_own_tag(client):
    paths = client.get("/api/openapi.json").json()["paths"]

    for path in ("/api/v1/test-gateway/tokens", "/api/v1/test-gateway/approvals",
                 "/api/v1/test-gateway/approvals/{token}/approve",
                 "/api/v1/test-gateway/3ds/{reference}/complete"):
        assert paths[path]["post"]["tags"] == ["Test payment provider"]
