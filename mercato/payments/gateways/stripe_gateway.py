"""Stripe through its official SDK: card PaymentIntents authorized now, captured later.

authorize creates and confirms a PaymentIntent with `capture_method=manual` and the
PaymentMethod id the browser made (Stripe.js); Stripe then holds the amount (`requires_capture`)
or asks the shopper to authenticate first (`requires_action`, 3-D Secure), after which confirm
reads the intent again. capture, void and refund act on that intent.

Every call that changes something carries a Stripe idempotency key derived from ours and the
purpose, so a retried authorize is answered from Stripe's record and an authorize key can never
collide with a capture key. Stripe's refusals become failed GatewayResults (stored in the ledger);
only a missing or refused secret key raises, as GatewayNotConfigured.
"""

import hashlib
from collections.abc import Callable
from typing import Any

import stripe
from django.conf import settings

from mercato.core.money import Money, minor_units
from mercato.payments.errors import GatewayNotConfigured
from mercato.payments.gateways.base import GatewayResult

__all__ = ["StripeGateway", "stripe_client", "stripe_idempotency_key"]

MAX_IDEMPOTENCY_KEY = 255  # Stripe's limit
MAX_METADATA_VALUE = 500  # Stripe's limit
# Codes for refusals that come without one (network failures, Stripe's own outages).
CODE_BY_ERROR: dict[type[stripe.StripeError], str] = {
    stripe.APIConnectionError: "api_connection_error",
    stripe.RateLimitError: "rate_limit",
    stripe.IdempotencyError: "idempotency_error",
    stripe.APIError: "api_error",
}

StripeCall = Callable[[], Any]


def stripe_client(secret_key: str, api_base: str = "",
                  http_client: stripe.HTTPClient | None = None) -> stripe.StripeClient:
    """A client for `api_base` (empty: Stripe's API). Retries are safe: every write carries an
    idempotency key."""
    base = {"api": api_base} if api_base else None
    return stripe.StripeClient(secret_key, base_addresses=base, http_client=http_client,
                               max_network_retries=2)


def stripe_idempotency_key(purpose: str, key: str) -> str:
    """Our key, prefixed by the shop and the purpose, hashed when Stripe would find it too long."""
    prefix = f"{settings.MERCATO_IDEMPOTENCY_PREFIX}-{purpose}-"
    if len(prefix) + len(key) <= MAX_IDEMPOTENCY_KEY:
        return prefix + key
    return f"{prefix}sha256-{hashlib.sha256(key.encode()).hexdigest()}"


class StripeGateway:
    name = "stripe"

    def __init__(self, client: stripe.StripeClient) -> None:
        self.client = client

    def authorize(self, amount: Money, payment_token: str, idempotency_key: str) -> GatewayResult:
        params = {
            "amount": minor_units(amount), "currency": amount.currency.code.lower(),
            "payment_method": payment_token, "payment_method_types": ["card"],
            "capture_method": "manual", "confirm": True,
            # Lets a webhook or a person in Stripe's dashboard find our transaction.
            "metadata": {"mercato_idempotency_key": idempotency_key[:MAX_METADATA_VALUE]},
        }
        options = self._options("authorize", idempotency_key)
        return self._call(lambda: authorization_result(
            self.client.v1.payment_intents.create(params, options)))

    def confirm(self, provider_reference: str, idempotency_key: str) -> GatewayResult:
        # Stripe.js finished the authentication in the browser; reading is enough (no key:
        # Stripe ignores idempotency keys on reads).
        return self._call(lambda: authorization_result(
            self.client.v1.payment_intents.retrieve(provider_reference)), provider_reference)

    def capture(self, provider_reference: str, amount: Money,
                idempotency_key: str) -> GatewayResult:
        params = {"amount_to_capture": minor_units(amount)}
        options = self._options("capture", idempotency_key)
        return self._call(lambda: status_result(
            self.client.v1.payment_intents.capture(provider_reference, params, options),
            {"succeeded"}), provider_reference)

    def void(self, provider_reference: str, idempotency_key: str) -> GatewayResult:
        options = self._options("void", idempotency_key)
        return self._call(lambda: status_result(
            self.client.v1.payment_intents.cancel(provider_reference, None, options),
            {"canceled"}), provider_reference)

    def refund(self, provider_reference: str, amount: Money,
               idempotency_key: str) -> GatewayResult:
        params = {"payment_intent": provider_reference, "amount": minor_units(amount)}
        options = self._options("refund", idempotency_key)
        # "pending": Stripe accepted the refund and will carry it out (some banks take days).
        return self._call(lambda: status_result(
            self.client.v1.refunds.create(params, options), {"succeeded", "pending"}),
            provider_reference)

    def _options(self, purpose: str, key: str) -> dict[str, str]:
        return {"idempotency_key": stripe_idempotency_key(purpose, key)}

    def _call(self, call: StripeCall, reference: str = "") -> GatewayResult:
        try:
            return call()
        except (stripe.AuthenticationError, stripe.PermissionError) as error:
            raise GatewayNotConfigured(
                f"Stripe refused the secret key (STRIPE_SECRET_KEY): {error.user_message}"
            ) from error
        except stripe.StripeError as error:
            return error_result(error, reference)


def authorization_result(intent: stripe.PaymentIntent) -> GatewayResult:
    """What an intent's status means for an authorization."""
    if intent.status == "requires_capture":
        return GatewayResult(True, intent.id)
    if intent.status == "requires_action":
        return GatewayResult(False, intent.id, "requires_action",
                             "The shopper must authenticate this payment.",
                             redirect_url(intent))
    return failed_intent_result(intent)


def status_result(obj: stripe.PaymentIntent | stripe.Refund,
                  success: set[str]) -> GatewayResult:
    if obj.status in success:
        return GatewayResult(True, obj.id)
    if isinstance(obj, stripe.PaymentIntent):
        return failed_intent_result(obj)
    code = getattr(obj, "failure_reason", None) or f"refund_{obj.status}"
    return GatewayResult(False, obj.id, code, f"The refund is {obj.status}.")


def failed_intent_result(intent: stripe.PaymentIntent) -> GatewayResult:
    error = getattr(intent, "last_payment_error", None)
    if error is not None:
        code = getattr(error, "decline_code", None) or getattr(error, "code", None)
        message = getattr(error, "message", None)
        return GatewayResult(False, intent.id, code or "payment_failed",
                             message or "The payment failed.")
    return GatewayResult(False, intent.id, f"intent_{intent.status}",
                         f"The payment is {intent.status}.")


def redirect_url(intent: stripe.PaymentIntent) -> str | None:
    """Where to send the shopper, when Stripe gives a URL; with `use_stripe_sdk` Stripe.js
    handles the challenge on our page and there is none."""
    action = getattr(intent, "next_action", None)
    redirect = getattr(action, "redirect_to_url", None) if action else None
    return getattr(redirect, "url", None) if redirect else None


def error_result(error: stripe.StripeError, reference: str = "") -> GatewayResult:
    """A refusal as a failed result: the decline code for a card (insufficient_funds), else
    Stripe's error code."""
    details = error.error
    decline = getattr(details, "decline_code", None) if details else None
    code = decline or error.code or CODE_BY_ERROR.get(type(error), "stripe_error")
    intent = getattr(details, "payment_intent", None) if details else None
    intent_id = getattr(intent, "id", None) if intent else None
    message = error.user_message or str(error) or code
    return GatewayResult(False, intent_id or reference, code, message)


def gateway_from_settings() -> StripeGateway:
    """The gateway for the configured account; without a secret key there is none."""
    if not settings.STRIPE_SECRET_KEY:
        raise GatewayNotConfigured("The Stripe gateway needs STRIPE_SECRET_KEY to be set.")
    return _gateway(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE)


_GATEWAYS_BY_ACCOUNT: dict[tuple[str, str], StripeGateway] = {}


def _gateway(secret_key: str, api_base: str) -> StripeGateway:
    # One client (and its connection pool) per account, made on first use.
    account = (secret_key, api_base)
    if account not in _GATEWAYS_BY_ACCOUNT:
        _GATEWAYS_BY_ACCOUNT[account] = StripeGateway(stripe_client(secret_key, api_base))
    return _GATEWAYS_BY_ACCOUNT[account]
