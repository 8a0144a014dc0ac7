"""What Stripe reports about our PaymentIntents, brought into the ledger once per event.

A delivery is verified on its raw bytes (`stripe.Webhook.construct_event`, 300 s tolerance) and
then stored as a StripeEvent in the same transaction as its effect, so a redelivered event id
changes nothing. The ledger stays the truth: an event adds a transaction only for what the shop
does not know yet (a capture, cancellation or refund made in Stripe's dashboard), through the
same transition table and amount checks as the shop's own calls.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction

from mercato.core.events import Actor
from mercato.core.money import Money, minor_unit
from mercato.core.problems import Problem
from mercato.payments import services
from mercato.payments.errors import InvalidStripeSignature, StripeWebhookNotConfigured
from mercato.payments.gateways.base import GatewayResult
from mercato.payments.models import Payment, StripeEvent, TransactionKind
from mercato.payments.models import StripeEventOutcome as Outcome
from mercato.payments.rules import AWAITING_SHOPPER
from mercato.payments.states import PaymentStatus

TOLERANCE_SECONDS = 300  # Stripe's default: an older signature may be a replayed capture
PROVIDER = "stripe"
STRIPE = Actor("integration", "stripe")

Effect = tuple[str, str]  # (outcome, detail)


@dataclass(frozen=True)
class Received:
    event_id: str
    type: str
    outcome: str
    replayed: bool


def verify_stripe_event(*, body: bytes, signature: str) -> dict[str, Any]:
    """The event in `body` if `signature` (the Stripe-Signature header) signs it, recently."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise StripeWebhookNotConfigured("Set STRIPE_WEBHOOK_SECRET to receive Stripe events.")
    if not signature:
        raise InvalidStripeSignature("The Stripe-Signature header is missing.")
    try:
        stripe.Webhook.construct_event(body, signature, secret, tolerance=TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError as error:
        raise InvalidStripeSignature(f"The signature does not verify: {error}.") from None
    except ValueError:
        raise InvalidStripeSignature("The signed body is not a JSON event.") from None
    event = json.loads(body)  # plain dicts, as signed; construct_event already parsed it once
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        raise InvalidStripeSignature("The signed body is not a Stripe event.")
    return event


def receive_stripe_event(*, event: dict[str, Any]) -> Received:
    """Apply a verified event once: store its id, and its effect, in one transaction."""
    event_id, event_type = event["id"], str(event.get("type", ""))
    known = already_received(event_id)
    if known is not None:
        return known
    try:
        with transaction.atomic():
            stored = StripeEvent.objects.create(event_id=event_id, type=event_type[:100],
                                                outcome=Outcome.IGNORED)
            handler = HANDLERS.get(event_type)
            if handler is not None:
                stored.outcome, detail = handler(event_id, _object_of(event))
                stored.detail = detail[:255]
                stored.save(update_fields=["outcome", "detail"])
    except IntegrityError:
        # The same event delivered twice at once: the first delivery's row is committed.
        known = already_received(event_id)
        if known is None:
            raise
        return known
    return Received(event_id, event_type, stored.outcome, replayed=False)


def already_received(event_id: str) -> Received | None:
    stored = StripeEvent.objects.filter(event_id=event_id).first()
    if stored is None:
        return None
    return Received(event_id, stored.type, stored.outcome, replayed=True)


def _object_of(event: dict[str, Any]) -> dict[str, Any]:
    obj = (event.get("data") or {}).get("object")
    return obj if isinstance(obj, dict) else {}


def _money(minor: object, currency: object, payment: Payment) -> Money:
    code = str(currency or payment.currency).upper()
    return Money(Decimal(int(minor or 0)) * minor_unit(code), code)


def _payment(intent_id: object) -> Payment | None:
    if not isinstance(intent_id, str) or not intent_id:
        return None
    return services.lock_payment_for_provider_reference(provider=PROVIDER, reference=intent_id)


def _record(payment: Payment, kind: str, amount: Money | None, event_id: str,
            result: GatewayResult) -> Effect:
    try:
        services.record_provider_transaction(
            payment_id=payment.public_id, kind=kind, amount=amount, result=result,
            idempotency_key=f"stripe-event:{event_id}", by=STRIPE)
    except Problem as problem:
        # The ledger refuses (e.g. a capture of a voided payment): kept for a person to look at.
        return Outcome.REFUSED, problem.detail
    return Outcome.APPLIED, f"{kind} recorded"


def intent_succeeded(event_id: str, intent: dict[str, Any]) -> Effect:
    """Captured: in Stripe's dashboard, if the ledger holds less than Stripe received."""
    payment = _payment(intent.get("id"))
    if payment is None:
        return Outcome.UNMATCHED, f"No payment has intent {intent.get('id')}."
    received = _money(intent.get("amount_received"), intent.get("currency"), payment)
    missing = received.amount - services.ledger_for(payment).captured
    if missing <= 0:
        return Outcome.ALREADY_KNOWN, "Capture already in the ledger."
    return _record(payment, TransactionKind.CAPTURE, Money(missing, received.currency), event_id,
                   GatewayResult(True, intent["id"]))


def intent_canceled(event_id: str, intent: dict[str, Any]) -> Effect:
    payment = _payment(intent.get("id"))
    if payment is None:
        return Outcome.UNMATCHED, f"No payment has intent {intent.get('id')}."
    if services.ledger_for(payment).voided:
        return Outcome.ALREADY_KNOWN, "Void already in the ledger."
    return _record(payment, TransactionKind.VOID, None, event_id,
                   GatewayResult(True, intent["id"]))


def intent_payment_failed(event_id: str, intent: dict[str, Any]) -> Effect:
    """Only news while the shop still waits for the shopper (3-D Secure failed or abandoned);
    a refusal at authorization is already in the ledger."""
    payment = _payment(intent.get("id"))
    if payment is None:
        return Outcome.UNMATCHED, f"No payment has intent {intent.get('id')}."
    last = (payment.transactions.filter(kind=TransactionKind.AUTHORIZE,
                                        provider_reference=intent["id"]).order_by("-id").first())
    waiting = (payment.status == PaymentStatus.PENDING and last is not None
               and not last.succeeded and last.error_code in AWAITING_SHOPPER)
    if not waiting:
        return Outcome.ALREADY_KNOWN, "The authorization's outcome is already in the ledger."
    error = intent.get("last_payment_error") or {}
    code = error.get("decline_code") or error.get("code") or "payment_failed"
    message = error.get("message") or "The payment failed."
    return _record(payment, TransactionKind.AUTHORIZE, None, event_id,
                   GatewayResult(False, intent["id"], str(code), str(message)))


def charge_refunded(event_id: str, charge: dict[str, Any]) -> Effect:
    """Refunded at Stripe (partly or wholly): the ledger gets what it does not hold yet."""
    payment = _payment(charge.get("payment_intent"))
    if payment is None:
        return Outcome.UNMATCHED, f"No payment has intent {charge.get('payment_intent')}."
    refunded = _money(charge.get("amount_refunded"), charge.get("currency"), payment)
    missing = refunded.amount - services.ledger_for(payment).refunded
    if missing <= 0:
        return Outcome.ALREADY_KNOWN, "Refunds already in the ledger."
    refunds = (charge.get("refunds") or {}).get("data") or [{}]
    reference = refunds[0].get("id") or charge.get("id") or ""
    return _record(payment, TransactionKind.REFUND, Money(missing, refunded.currency), event_id,
                   GatewayResult(True, str(reference)))


def dispute_created(event_id: str, dispute: dict[str, Any]) -> Effect:
    payment = _payment(dispute.get("payment_intent"))
    if payment is None:
        return Outcome.UNMATCHED, f"No payment has intent {dispute.get('payment_intent')}."
    services.mark_payment_disputed(
        payment_id=payment.public_id, reason=str(dispute.get("reason") or ""),
        amount=_money(dispute.get("amount"), dispute.get("currency"), payment),
        dispute_reference=str(dispute.get("id") or ""), by=STRIPE)
    return Outcome.APPLIED, f"Disputed: {dispute.get('reason') or 'no reason given'}"


HANDLERS: dict[str, Callable[[str, dict[str, Any]], Effect]] = {
    "payment_intent.succeeded": intent_succeeded,
    "payment_intent.canceled": intent_canceled,
    "payment_intent.payment_failed": intent_payment_failed,
    "charge.refunded": charge_refunded,
    "charge.dispute.created": dispute_created,
}
