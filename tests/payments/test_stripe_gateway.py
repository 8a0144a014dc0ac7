"""The Stripe gateway against localstripe, a stateful fake Stripe server started for this module.

localstripe models PaymentIntents, manual capture, refunds and 3-D Secure, but not idempotency
(it ignores the key) nor issuer decline codes such as insufficient_funds; those are checked on
what the adapter sends and with a Stripe error body fed through the SDK's own error handling.
"""

import json
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import requests
import stripe

from mercato.core.money import Money
from mercato.payments.errors import GatewayNotConfigured
from mercato.payments.gateways import get_gateway
from mercato.payments.gateways.stripe_gateway import (
    MAX_IDEMPOTENCY_KEY,
    StripeGateway,
    stripe_client,
    stripe_idempotency_key,
)
from mercato.payments.models import Payment
from mercato.payments.services import (
    authorize_payment,
    capture_payment,
    confirm_payment,
    create_payment,
    refund_payment,
)

SECRET_KEY = "sk_test_mercato"
VISA = "4242424242424242"
THREE_DS = "4000002500003155"
DECLINED_AT_CHARGE = "4000000000000341"  # the one card localstripe declines when charged


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_listening(port: int, process: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"localstripe exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"localstripe did not listen on port {port} in {seconds} s")


@pytest.fixture(scope="module")
def localstripe_url():
    """Base URL of a localstripe of our own (it listens on all interfaces; there is no host
    flag), stopped after the module."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "localstripe"), "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_listening(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def stripe_base(localstripe_url):
    """localstripe, emptied before each test."""
    requests.delete(f"{localstripe_url}/_config/data", timeout=5).raise_for_status()
    return localstripe_url


class RecordingHTTPClient(stripe.RequestsClient):
    """The SDK's own HTTP client, keeping what each request sent (method, url, headers, form)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[dict] = []

    def request(self, method, url, headers, post_data=None):
        form = {k: v[0] for k, v in parse_qs(post_data or "").items()}
        self.sent.append({"method": method, "url": url, "headers": dict(headers or {}),
                          "form": form})
        return super().request(method, url, headers, post_data)


class CannedHTTPClient(stripe.HTTPClient):
    """Answers every request with one response, as Stripe would have sent it."""

    name = "canned"

    def __init__(self, status: int, body: dict) -> None:
        super().__init__()
        self.status, self.body = status, body

    def request(self, method, url, headers, post_data=None):
        return json.dumps(self.body), self.status, {"request-id": "req_canned"}

    def close(self):
        pass


@pytest.fixture
def http_client():
    return RecordingHTTPClient()


@pytest.fixture
def gateway(stripe_base, http_client):
    return StripeGateway(stripe_client(SECRET_KEY, stripe_base, http_client=http_client))


@pytest.fixture
def payment_method(stripe_base):
    """A PaymentMethod id, as Stripe.js would hand it to the shop."""
    client = stripe_client(SECRET_KEY, stripe_base)

    def make(number: str = VISA) -> str:
        return client.v1.payment_methods.create({"type": "card", "card": {
            "number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}}).id
    return make


def intent(stripe_base, reference: str) -> stripe.PaymentIntent:
    return stripe_client(SECRET_KEY, stripe_base).v1.payment_intents.retrieve(reference)


def authenticate_as_the_shopper(stripe_base, reference: str, *, success: bool = True) -> None:
    """What Stripe.js does once the shopper passes (or fails) the 3-D Secure challenge."""
    secret = intent(stripe_base, reference).client_secret
    response = requests.post(f"{stripe_base}/v1/payment_intents/{reference}/_authenticate",
                             data={"client_secret": secret, "success": str(success).lower()},
                             auth=(SECRET_KEY, ""), timeout=5)
    response.raise_for_status()


def test_authorize_holds_the_amount_and_capture_takes_it_all(gateway, payment_method,
                                                             stripe_base):
    authorized = gateway.authorize(eur("10.50"), payment_method(), "key-1")

    assert authorized.succeeded, authorized
    held = intent(stripe_base, authorized.provider_reference)
    assert (held.status, held.amount, held.currency, held.capture_method) == (
        "requires_capture", 1050, "eur", "manual")
    captured = gateway.capture(authorized.provider_reference, eur("10.50"), "key-2")
    assert captured.succeeded, captured
    assert captured.provider_reference == authorized.provider_reference
    assert intent(stripe_base, authorized.provider_reference).status == "succeeded"


def test_partial_capture_sends_the_smaller_amount(gateway, payment_method, http_client):
    authorized = gateway.authorize(eur("20.00"), payment_method(), "key-1")

    captured = gateway.capture(authorized.provider_reference, eur("12.34"), "key-2")

    assert captured.succeeded, captured
    # localstripe does not report amount_received after a partial capture: check the request.
    assert http_client.sent[-1]["url"].endswith(f"/{authorized.provider_reference}/capture")
    assert http_client.sent[-1]["form"] == {"amount_to_capture": "1234"}


def test_void_cancels_the_intent(gateway, payment_method, stripe_base):
    authorized = gateway.authorize(eur("10.00"), payment_method(), "key-1")

    voided = gateway.void(authorized.provider_reference, "key-2")

    assert voided.succeeded, voided
    assert intent(stripe_base, authorized.provider_reference).status == "canceled"


def test_two_partial_refunds_are_two_stripe_refunds(gateway, payment_method, stripe_base):
    authorized = gateway.authorize(eur("30.00"), payment_method(), "key-1")
    gateway.capture(authorized.provider_reference, eur("30.00"), "key-2")

    first = gateway.refund(authorized.provider_reference, eur("5.00"), "key-3")
    second = gateway.refund(authorized.provider_reference, eur("7.50"), "key-4")

    assert first.succeeded and second.succeeded, (first, second)
    assert first.provider_reference.startswith("re_")
    assert first.provider_reference != second.provider_reference
    client = stripe_client(SECRET_KEY, stripe_base)
    amounts = [client.v1.refunds.retrieve(r.provider_reference).amount for r in (first, second)]
    assert amounts == [500, 750]


def test_three_d_secure_waits_for_the_shopper_then_confirm_succeeds(gateway, payment_method,
                                                                     stripe_base):
    pending = gateway.authorize(eur("10.00"), payment_method(THREE_DS), "key-1")

    assert not pending.succeeded
    assert pending.error_code == "requires_action"
    assert pending.provider_reference.startswith("pi_")
    # localstripe answers with next_action use_stripe_sdk (Stripe.js shows the challenge on our
    # page), so there is no URL to send the shopper to.
    assert pending.requires_action_url is None
    assert gateway.confirm(pending.provider_reference, "key-2").error_code == "requires_action"

    authenticate_as_the_shopper(stripe_base, pending.provider_reference)
    confirmed = gateway.confirm(pending.provider_reference, "key-3")

    assert confirmed.succeeded, confirmed
    assert confirmed.provider_reference == pending.provider_reference
    assert gateway.capture(confirmed.provider_reference, eur("10.00"), "key-4").succeeded


def test_failed_three_d_secure_fails_the_confirmation(gateway, payment_method, stripe_base):
    pending = gateway.authorize(eur("10.00"), payment_method(THREE_DS), "key-1")

    authenticate_as_the_shopper(stripe_base, pending.provider_reference, success=False)
    confirmed = gateway.confirm(pending.provider_reference, "key-2")

    assert not confirmed.succeeded
    assert confirmed.error_code == "payment_intent_authentication_failure"


def test_a_declined_card_is_a_failed_result_not_an_exception(gateway, payment_method):
    declined = gateway.authorize(eur("10.00"), payment_method(DECLINED_AT_CHARGE), "key-1")

    assert not declined.succeeded
    assert declined.error_code == "card_declined"
    assert declined.error_message == "Your card was declined."


def test_zero_decimal_currency_is_sent_in_whole_yen(gateway, payment_method, stripe_base,
                                                     http_client):
    authorized = gateway.authorize(Money(Decimal("1500"), "JPY"), payment_method(), "key-1")
    gateway.capture(authorized.provider_reference, Money(Decimal("1200"), "JPY"), "key-2")
    refunded = gateway.refund(authorized.provider_reference, Money(Decimal("200"), "JPY"),
                              "key-3")

    held = intent(stripe_base, authorized.provider_reference)
    assert (held.amount, held.currency) == (1500, "jpy")
    assert http_client.sent[-2]["form"] == {"amount_to_capture": "1200"}
    assert stripe_client(SECRET_KEY, stripe_base).v1.refunds.retrieve(
        refunded.provider_reference).amount == 200


def test_each_write_carries_an_idempotency_key_derived_from_ours_and_its_purpose(
        gateway, payment_method, http_client, settings):
    # localstripe ignores idempotency keys, so this checks what the adapter sends.
    settings.MERCATO_IDEMPOTENCY_PREFIX = "shop"
    authorized = gateway.authorize(eur("10.00"), payment_method(), "checkout-7")
    reference = authorized.provider_reference
    gateway.capture(reference, eur("4.00"), "checkout-7")
    gateway.refund(reference, eur("1.00"), "checkout-7")

    writes = [r for r in http_client.sent if r["method"] == "post"]
    assert [r["headers"].get("Idempotency-Key") for r in writes] == [
        "shop-authorize-checkout-7", "shop-capture-checkout-7", "shop-refund-checkout-7"]
    assert writes[0]["form"]["metadata[mercato_idempotency_key]"] == "checkout-7"
    assert writes[0]["form"]["capture_method"] == "manual"
    assert writes[0]["form"]["confirm"] == "true"
    assert writes[0]["form"]["payment_method_types[0]"] == "card"


def test_intent_metadata_names_our_idempotency_key(gateway, payment_method, stripe_base):
    authorized = gateway.authorize(eur("10.00"), payment_method(), "checkout-8")

    assert intent(stripe_base, authorized.provider_reference).metadata.to_dict() == {
        "mercato_idempotency_key": "checkout-8"}


def test_idempotency_keys_stay_within_stripes_limit_and_apart_by_purpose(settings):
    settings.MERCATO_IDEMPOTENCY_PREFIX = "mercato"
    long_key = "k" * 400

    keys = {stripe_idempotency_key(purpose, long_key) for purpose in ("authorize", "capture")}

    assert len(keys) == 2
    assert all(len(key) <= MAX_IDEMPOTENCY_KEY for key in keys)
    assert stripe_idempotency_key("capture", long_key) in keys  # stable for a retry
    assert stripe_idempotency_key("void", "abc") == "mercato-void-abc"


# Hand-written in the shape of Stripe's documented 402 `card_error` response for a PaymentIntent
# confirmation (docs.stripe.com/api/errors); no live Stripe account is reachable from here to
# record one. localstripe never answers with an issuer decline code such as insufficient_funds.
STRIPE_402_INSUFFICIENT_FUNDS = {
    "error": {
        "type": "card_error",
        "code": "card_declined",
        "decline_code": "insufficient_funds",
        "message": "Your card has insufficient funds.",
        "doc_url": "https://docs.stripe.com/error-codes/card-declined",
        "charge": "ch_recorded",
        "payment_intent": {"id": "pi_recorded", "object": "payment_intent",
                           "status": "requires_payment_method"},
    }
}


def canned_gateway(status: int, body: dict) -> StripeGateway:
    client = stripe.StripeClient(SECRET_KEY, http_client=CannedHTTPClient(status, body),
                                 max_network_retries=0)
    return StripeGateway(client)


def test_an_issuer_decline_is_reported_by_its_decline_code():
    gateway = canned_gateway(402, STRIPE_402_INSUFFICIENT_FUNDS)

    declined = gateway.authorize(eur("10.00"), "pm_any", "key-1")

    assert not declined.succeeded
    assert declined.error_code == "insufficient_funds"
    assert declined.error_message == "Your card has insufficient funds."
    assert declined.provider_reference == "pi_recorded"


def test_other_stripe_errors_are_failed_results_with_their_code():
    body = {"error": {"type": "invalid_request_error", "code": "amount_too_large",
                      "message": "Amount must be no more than 999,999.99"}}

    refused = canned_gateway(400, body).capture("pi_x", eur("10.00"), "key-1")

    assert (refused.succeeded, refused.error_code, refused.provider_reference) == (
        False, "amount_too_large", "pi_x")


def test_an_unreachable_stripe_is_a_failed_result(settings):
    gateway = StripeGateway(stripe.StripeClient(
        SECRET_KEY, base_addresses={"api": f"http://127.0.0.1:{free_port()}"},
        max_network_retries=0))

    result = gateway.void("pi_x", "key-1")

    assert (result.succeeded, result.error_code) == (False, "api_connection_error")


def test_a_refused_secret_key_is_a_configuration_error():
    body = {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}}

    with pytest.raises(GatewayNotConfigured):
        canned_gateway(401, body).void("pi_x", "key-1")


def test_get_gateway_needs_a_secret_key(settings):
    settings.STRIPE_SECRET_KEY = ""

    with pytest.raises(GatewayNotConfigured, match="STRIPE_SECRET_KEY"):
        get_gateway("stripe")


def test_get_gateway_uses_the_configured_account(settings, stripe_base, payment_method):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE = SECRET_KEY, stripe_base

    gateway = get_gateway("stripe")

    assert gateway.name == "stripe"
    assert gateway is get_gateway("stripe")
    assert gateway.authorize(eur("1.00"), payment_method(), "key-1").succeeded
    assert get_gateway("test").name == "test"


# The payment flow with Stripe chosen: the services, their ledger and localstripe.

@pytest.fixture
def stripe_configured(settings, stripe_base):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE = SECRET_KEY, stripe_base
    return stripe_base


@pytest.mark.django_db
def test_a_stripe_payment_is_authorized_captured_and_refunded_through_the_services(
        stripe_configured, payment_method):
    payment = create_payment(reference="R-1", method="card", amount=eur("25.00"),
                             provider="stripe")
    token = payment_method()

    authorized = authorize_payment(payment_id=payment.public_id, token=token,
                                   idempotency_key="auth-1")
    replayed = authorize_payment(payment_id=payment.public_id, token=token,
                                 idempotency_key="auth-1")
    capture_payment(payment_id=payment.public_id, amount=eur("20.00"), idempotency_key="cap-1")
    refund_payment(payment_id=payment.public_id, amount=eur("5.00"), idempotency_key="ref-1")

    assert authorized.succeeded and replayed.pk == authorized.pk
    held = intent(stripe_configured, authorized.provider_reference)
    assert (held.status, held.amount) == ("succeeded", 2500)
    payment.refresh_from_db()
    assert payment.status == "PartiallyRefunded"
    assert list(payment.transactions.order_by("id").values_list("kind", "succeeded")) == [
        ("authorize", True), ("capture", True), ("refund", True)]


@pytest.mark.django_db
def test_a_stripe_three_d_secure_payment_is_confirmed_through_the_services(
        stripe_configured, payment_method):
    payment = create_payment(reference="R-2", method="card", amount=eur("10.00"),
                             provider="stripe")

    pending = authorize_payment(payment_id=payment.public_id, token=payment_method(THREE_DS),
                                idempotency_key="auth-1")
    payment.refresh_from_db()
    assert (pending.succeeded, pending.error_code, payment.status) == (
        False, "requires_action", "Pending")

    authenticate_as_the_shopper(stripe_configured, pending.provider_reference)
    confirmed = confirm_payment(payment_id=payment.public_id, idempotency_key="confirm-1")
    captured = capture_payment(payment_id=payment.public_id, idempotency_key="cap-1")

    assert confirmed.succeeded and captured.succeeded
    assert confirmed.provider_reference == pending.provider_reference
    payment.refresh_from_db()
    assert payment.status == "Captured"


@pytest.mark.django_db
def test_a_declined_stripe_payment_is_failed_in_the_ledger(
        stripe_configured, payment_method):
    payment = create_payment(reference="R-3", method="card", amount=eur("10.00"),
                             provider="stripe")

    declined = authorize_payment(payment_id=payment.public_id,
                                 token=payment_method(DECLINED_AT_CHARGE),
                                 idempotency_key="auth-1")

    payment.refresh_from_db()
    assert (declined.succeeded, declined.error_code, payment.status) == (
        False, "card_declined", "Failed")


@pytest.mark.django_db
def test_a_stripe_payment_needs_the_gateway_configured(settings):
    settings.STRIPE_SECRET_KEY = ""

    with pytest.raises(GatewayNotConfigured):
        create_payment(reference="R-4", method="card", amount=eur("10.00"), provider="stripe")

    assert not Payment.objects.exists()
