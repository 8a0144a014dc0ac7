"""POST /api/v1/payments/stripe/webhook: Stripe's events, signed as Stripe signs them.

The payloads are hand-written in the shapes of Stripe's API reference (Event, PaymentIntent,
Charge, Dispute objects), trimmed to the fields that matter; the signature is computed here
with hmac, as Stripe computes it, not with our code or the SDK.
"""

import hashlib
import hmac
import json
import time
from decimal import Decimal

import pytest

from mercato.core.events import Event
from mercato.core.money import Money
from mercato.payments.gateways.base import GatewayResult
from mercato.payments.models import Payment, StripeEvent, Transaction
from mercato.payments.services import create_payment, record_provider_transaction

URL = "/api/v1/payments/stripe/webhook"
SECRET = "whsec_test_mercato"
INTENT = "pi_3Mercato0000000001"


@pytest.fixture(autouse=True)
def stripe_settings(settings):
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.STRIPE_SECRET_KEY = "sk_test_mercato"  # makes the gateway; no call is made


def sign(body: bytes, timestamp: int | None = None, secret: str = SECRET) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def post(client, event: dict, signature: str | None = None):
    body = json.dumps(event).encode()
    headers = {"HTTP_STRIPE_SIGNATURE": signature if signature is not None else sign(body)}
    return client.post(URL, body, content_type="application/json", **headers)


def event(event_type: str, obj: dict, event_id: str = "evt_1Mercato") -> dict:
    return {"id": event_id, "object": "event", "api_version": "2024-06-20",
            "created": int(time.time()), "livemode": False, "pending_webhooks": 1,
            "type": event_type, "data": {"object": obj}}


def intent(status: str, amount_received: int = 0, **extra) -> dict:
    return {"id": INTENT, "object": "payment_intent", "amount": 10000, "currency": "eur",
            "capture_method": "manual", "status": status, "amount_received": amount_received,
            "metadata": {"mercato_idempotency_key": "auth-1"}, **extra}


def charge(amount_refunded: int) -> dict:
    return {"id": "ch_3Mercato0000000001", "object": "charge", "amount": 10000,
            "amount_captured": 10000, "amount_refunded": amount_refunded, "currency": "eur",
            "payment_intent": INTENT, "refunded": amount_refunded == 10000,
            "refunds": {"object": "list", "data": [{"id": "re_3Mercato0000000001",
                                                     "object": "refund", "status": "succeeded"}]}}


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def provider_did(payment: Payment, kind: str, amount: str | None, key: str) -> None:
    """The ledger as the Stripe gateway leaves it after the shop's own call."""
    record_provider_transaction(payment_id=payment.public_id, kind=kind, idempotency_key=key,
                                amount=eur(amount) if amount else None,
                                result=GatewayResult(True, INTENT))


@pytest.fixture
def authorized(db):
    payment = create_payment(reference="ORD-1", method="card", amount=eur("100.00"),
                             provider="stripe")
    provider_did(payment, "authorize", None, "auth-1")
    payment.refresh_from_db()
    return payment


@pytest.fixture
def captured(authorized):
    provider_did(authorized, "capture", "100.00", "capture-1")
    authorized.refresh_from_db()
    return authorized


def ledger(payment: Payment) -> list[tuple[str, Decimal]]:
    return list(payment.transactions.filter(succeeded=True).values_list("kind", "amount"))


def test_a_capture_in_stripes_dashboard_captures_the_payment(client, authorized):
    response = post(client, event("payment_intent.succeeded", intent("succeeded", 10000)))

    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "applied"
    authorized.refresh_from_db()
    assert authorized.status == "Captured"
    assert ledger(authorized)[-1] == ("capture", Decimal("100.00"))


def test_a_capture_the_shop_made_changes_nothing(client, captured):
    before = ledger(captured)

    response = post(client, event("payment_intent.succeeded", intent("succeeded", 10000)))

    assert response.json()["outcome"] == "already_known"
    assert ledger(captured) == before


def test_a_cancel_in_stripes_dashboard_voids_the_payment(client, authorized):
    response = post(client, event("payment_intent.canceled", intent("canceled")))

    assert response.json()["outcome"] == "applied"
    authorized.refresh_from_db()
    assert authorized.status == "Voided"


def test_a_bad_signature_is_refused_and_changes_nothing(client, authorized):
    body = event("payment_intent.succeeded", intent("succeeded", 10000))

    response = post(client, body, sign(json.dumps(body).encode(), secret="whsec_other"))

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/invalid-stripe-signature")
    authorized.refresh_from_db()
    assert authorized.status == "Authorized"
    assert not StripeEvent.objects.exists()


def test_a_missing_signature_is_refused(client, authorized):
    response = post(client, event("payment_intent.succeeded", intent("succeeded", 10000)), "")

    assert response.status_code == 401
    assert not StripeEvent.objects.exists()


def test_a_stale_signature_is_refused_and_changes_nothing(client, authorized):
    body = event("payment_intent.succeeded", intent("succeeded", 10000))

    response = post(client, body, sign(json.dumps(body).encode(), int(time.time()) - 301))

    assert response.status_code == 401
    authorized.refresh_from_db()
    assert authorized.status == "Authorized"
    assert not StripeEvent.objects.exists()


def test_without_a_webhook_secret_the_endpoint_is_unavailable(client, authorized, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""

    response = post(client, event("payment_intent.succeeded", intent("succeeded", 10000)))

    assert response.status_code == 503
    assert response.json()["type"].endswith("/stripe-webhook-not-configured")
    assert not StripeEvent.objects.exists()


def test_a_replayed_event_id_changes_nothing(client, authorized):
    first = post(client, event("charge.refunded", charge(0), "evt_same"))
    provider_did(authorized, "capture", "100.00", "capture-1")
    before, events = ledger(authorized), Event.objects.count()

    again = post(client, event("payment_intent.canceled", intent("canceled"), "evt_same"))

    assert first.status_code == again.status_code == 200
    assert again.json()["replayed"] is True
    assert ledger(authorized) == before
    assert Event.objects.count() == events
    assert StripeEvent.objects.get().type == "charge.refunded"


def test_a_refund_in_stripes_dashboard_shows_in_the_ledger(client, captured):
    provider_did(captured, "refund", "30.00", "refund-1")  # the shop's own refund

    response = post(client, event("charge.refunded", charge(5000)))

    assert response.json()["outcome"] == "applied"
    refunds = [amount for kind, amount in ledger(captured) if kind == "refund"]
    assert refunds == [Decimal("30.00"), Decimal("20.00")]
    captured.refresh_from_db()
    assert captured.status == "PartiallyRefunded"


def test_a_refund_already_in_the_ledger_changes_nothing(client, captured):
    provider_did(captured, "refund", "50.00", "refund-1")
    transactions = Transaction.objects.count()

    response = post(client, event("charge.refunded", charge(5000)))

    assert response.json()["outcome"] == "already_known"
    assert Transaction.objects.count() == transactions


def test_a_dispute_flags_the_payment_and_is_in_its_history(client, captured):
    dispute = {"id": "du_1Mercato", "object": "dispute", "amount": 10000, "currency": "eur",
               "charge": "ch_3Mercato0000000001", "payment_intent": INTENT,
               "reason": "fraudulent", "status": "needs_response"}

    response = post(client, event("charge.dispute.created", dispute))

    assert response.json()["outcome"] == "applied"
    captured.refresh_from_db()
    assert captured.is_disputed
    recorded = Event.objects.get(type="PaymentDisputed", aggregate_id=captured.public_id)
    assert recorded.payload["reason"] == "fraudulent"
    assert Decimal(recorded.payload["amount"]) == Decimal("100.00")


def test_an_unknown_event_type_is_stored_as_ignored(client, authorized):
    events = Event.objects.count()

    response = post(client, event("customer.created", {"id": "cus_1", "object": "customer"}))

    assert response.status_code == 200
    assert StripeEvent.objects.get().outcome == "ignored"
    assert Event.objects.count() == events


def test_an_intent_of_no_payment_of_ours_changes_nothing(client, authorized):
    other = intent("succeeded", 10000) | {"id": "pi_someone_else"}

    response = post(client, event("payment_intent.succeeded", other))

    assert response.json()["outcome"] == "unmatched"
    authorized.refresh_from_db()
    assert authorized.status == "Authorized"


def test_the_openapi_document_lists_the_webhook_and_its_problems(client):
    operation = client.get("/api/openapi.json").json()["paths"][URL]["post"]

    assert {"401", "503"} <= operation["responses"].keys()
    assert "invalid-stripe-signature" in json.dumps(operation["responses"]["401"])
    assert operation.get("security") is None


def test_a_failed_authentication_fails_the_waiting_payment(client, db):
    payment = create_payment(reference="ORD-2", method="card", amount=eur("100.00"),
                             provider="stripe")
    record_provider_transaction(payment_id=payment.public_id, kind="authorize", amount=None,
                                idempotency_key="auth-3ds",
                                result=GatewayResult(False, INTENT, "requires_action"))
    failed = intent("requires_payment_method", last_payment_error={
        "code": "payment_intent_authentication_failure", "message": "Authentication failed."})

    response = post(client, event("payment_intent.payment_failed", failed))

    assert response.json()["outcome"] == "applied"
    payment.refresh_from_db()
    assert payment.status == "Failed"
    last = payment.transactions.order_by("-id").first()
    assert last.error_code == "payment_intent_authentication_failure"


def test_what_the_ledger_does_not_allow_is_stored_as_refused(client, authorized):
    provider_did(authorized, "void", None, "void-1")
    before, events = ledger(authorized), Event.objects.count()

    response = post(client, event("payment_intent.succeeded", intent("succeeded", 10000)))

    assert response.status_code == 200
    assert response.json()["outcome"] == "refused"
    assert ledger(authorized) == before
    assert Event.objects.count() == events
    assert "Voided" in StripeEvent.objects.get().detail
