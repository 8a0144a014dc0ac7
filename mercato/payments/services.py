"""Payment use cases: one transaction each, every gateway call stored in the ledger.

A retry with the same idempotency key returns the stored transaction without calling the
gateway again; the same key with a different request is refused (409).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from mercato.core.events import SYSTEM, Actor, record
from mercato.core.money import Money, round_money
from mercato.core.problems import Problem
from mercato.core.states import IllegalTransition, advance
from mercato.payments import errors
from mercato.payments.events import (
    GiftCardBalanceChanged,
    GiftCardIssued,
    PaymentCreated,
    PaymentDisputed,
    PaymentReferenceAssigned,
    PaymentTransactionRecorded,
)
from mercato.payments.gateways import GatewayResult, get_gateway
from mercato.payments.models import (
    GiftCard,
    GiftCardMovement,
    Payment,
    PaymentMethod,
    Transaction,
    TransactionKind,
)
from mercato.payments.rules import (
    AWAITING_SHOPPER,
    Ledger,
    capturable,
    derive_status,
    fingerprint,
    ledger_of,
    refundable,
)
from mercato.payments.states import PAYMENT_TRANSITIONS

GatewayCall = Callable[[Payment, Ledger], GatewayResult]
# Tenders the shop handles itself, without a gateway.
OWN_TENDERS = {PaymentMethod.CASH_ON_DELIVERY, PaymentMethod.GIFT_CARD}
GIFT_CARD_REFERENCE = "giftcard:"


def create_payment(*, reference: str, method: str, amount: Money, provider: str = "test",
                   by: Actor = SYSTEM) -> Payment:
    if method not in PaymentMethod.values:
        raise errors.AmountNotAllowed(f"Unknown payment method {method!r}.")
    _positive(amount)
    if method in OWN_TENDERS:
        provider = ""
    else:
        get_gateway(provider)
    with transaction.atomic():
        payment = Payment.objects.create(
            reference=reference, method=method, provider=provider,
            currency=amount.currency.code, amount=round_money(amount).amount,
        )
        record(PaymentCreated(payment.public_id, reference=reference, method=method,
                              amount=payment.amount, currency=payment.currency), by=by)
    return payment


def assign_reference(*, payment_ids: list[str], reference: str, by: Actor = SYSTEM) -> int:
    """Point payments made during checkout at the order they paid for (its number); inside the
    order's transaction, so an order that is not committed leaves them as they were."""
    with transaction.atomic():
        count = Payment.objects.filter(public_id__in=payment_ids).update(reference=reference)
        for payment_id in payment_ids:
            record(PaymentReferenceAssigned(payment_id, reference=reference), by=by)
    return count


def authorize_payment(*, payment_id: str, token: str, idempotency_key: str,
                      by: Actor = SYSTEM) -> Transaction:
    """Authorize the whole amount with a provider token (card token or PayPal approval); for a
    gift card the token is its code and authorizing takes the amount off its balance."""
    def call(payment: Payment, ledger: Ledger) -> GatewayResult:
        _needs_gateway(payment)
        if payment.method == PaymentMethod.GIFT_CARD:
            return _gift_card_move(payment, token, -payment.amount, idempotency_key, by)
        return get_gateway(payment.provider).authorize(
            _money(payment.amount, payment), token, idempotency_key)
    return _run(payment_id, "authorize", None, idempotency_key, call, by)


def confirm_payment(*, payment_id: str, idempotency_key: str,
                    by: Actor = SYSTEM) -> Transaction:
    """Finish an authorization the shopper confirmed at the provider (3-D Secure)."""
    def call(payment: Payment, ledger: Ledger) -> GatewayResult:
        # Stripe.js authenticates on our own page: such an authorization has no URL, only
        # the provider's intent awaiting the shopper.
        awaiting = ~Q(requires_action_url="") | Q(error_code="requires_action",
                                                  provider_reference__gt="")
        pending = (payment.transactions.filter(awaiting, kind=TransactionKind.AUTHORIZE,
                                               succeeded=False).order_by("-id").first())
        if pending is None:
            raise IllegalTransition("This payment has no authorization awaiting confirmation.",
                                    action="confirm", current_status=payment.status)
        return get_gateway(payment.provider).confirm(pending.provider_reference,
                                                     idempotency_key)
    return _run(payment_id, "authorize", None, idempotency_key, call, by, label="confirm")


@dataclass(frozen=True)
class Authorization:
    transaction: Transaction
    action_url: str  # where the shopper still has to confirm (3-D Secure, PayPal), else ""


def authorize_or_confirm(*, payment_id: str, token: str, idempotency_key: str,
                         by: Actor = SYSTEM) -> Authorization:
    """Authorize with `token` under `idempotency_key`; when that authorization waits for the
    shopper, ask the provider again: confirm the charge it holds (3-D Secure), or authorize
    again when it holds none yet (a PayPal approval not given then). The same request again
    replays the stored answer (or asks the provider again)."""
    awaiting = (Transaction.objects.filter(idempotency_key=idempotency_key, succeeded=False,
                                           kind=TransactionKind.AUTHORIZE)
                .exclude(requires_action_url="").first())
    if awaiting is None:
        txn = authorize_payment(payment_id=payment_id, token=token, by=by,
                                idempotency_key=idempotency_key)
        return Authorization(txn, "" if txn.succeeded else txn.requires_action_url)
    attempts = Transaction.objects.filter(payment_id=awaiting.payment_id).count()
    if awaiting.provider_reference:
        txn = confirm_payment(payment_id=payment_id, by=by,
                              idempotency_key=f"{idempotency_key}:confirm:{attempts}")
    else:
        txn = authorize_payment(payment_id=payment_id, token=token, by=by,
                                idempotency_key=f"{idempotency_key}:again:{attempts}")
    still_waiting = not txn.succeeded and (txn.requires_action_url
                                           or txn.error_code in AWAITING_SHOPPER)
    return Authorization(txn, (txn.requires_action_url or awaiting.requires_action_url)
                         if still_waiting else "")


def capture_payment(*, payment_id: str, idempotency_key: str, amount: Money | None = None,
                    by: Actor = SYSTEM) -> Transaction:
    """Capture `amount` (default: all that is capturable); cash on delivery needs no gateway."""
    def call(payment: Payment, ledger: Ledger) -> GatewayResult:
        if payment.method in OWN_TENDERS:
            return GatewayResult(True, _charge_reference(payment))
        return get_gateway(payment.provider).capture(
            _charge_reference(payment), _amount(amount, payment, ledger), idempotency_key)
    return _run(payment_id, "capture", amount, idempotency_key, call, by)


def void_payment(*, payment_id: str, idempotency_key: str, by: Actor = SYSTEM) -> Transaction:
    def call(payment: Payment, ledger: Ledger) -> GatewayResult:
        if payment.method == PaymentMethod.GIFT_CARD:
            return _gift_card_move(payment, _gift_card_code(payment), ledger.authorized,
                                   idempotency_key, by)
        return get_gateway(payment.provider).void(_charge_reference(payment), idempotency_key)
    return _run(payment_id, "void", None, idempotency_key, call, by)


def refund_payment(*, payment_id: str, amount: Money, idempotency_key: str,
                   by: Actor = SYSTEM) -> Transaction:
    def call(payment: Payment, ledger: Ledger) -> GatewayResult:
        if payment.method == PaymentMethod.GIFT_CARD:
            return _gift_card_move(payment, _gift_card_code(payment),
                                   _amount(amount, payment, ledger).amount, idempotency_key, by)
        if payment.method == PaymentMethod.CASH_ON_DELIVERY:
            return GatewayResult(True)
        return get_gateway(payment.provider).refund(
            _charge_reference(payment), _amount(amount, payment, ledger), idempotency_key)
    return _run(payment_id, "refund", amount, idempotency_key, call, by)


# What the provider reports on its own (webhooks): moves made in its dashboard, disputes.

def lock_payment_for_provider_reference(*, provider: str, reference: str) -> Payment | None:
    """The payment whose authorization `provider` knows as `reference`, locked; inside the
    caller's transaction, so a capture or refund the shop is making right now is seen."""
    payment_pk = (Transaction.objects.filter(kind=TransactionKind.AUTHORIZE,
                                             provider_reference=reference,
                                             payment__provider=provider)
                  .values_list("payment_id", flat=True).first())
    if payment_pk is None:
        return None
    return Payment.objects.select_for_update().get(pk=payment_pk)


def ledger_for(payment: Payment) -> Ledger:
    return _ledger(payment)


def record_provider_transaction(*, payment_id: str, kind: str, amount: Money | None,
                                idempotency_key: str, result: GatewayResult,
                                by: Actor = SYSTEM) -> Transaction:
    """Record what the provider did without the shop (a capture, void or refund in its
    dashboard, a failed authentication): the same checks as the shop's own calls, no call."""
    return _run(payment_id, kind, amount, idempotency_key, lambda payment, ledger: result, by,
                label=f"provider-{kind}")


def mark_payment_disputed(*, payment_id: str, amount: Money, reason: str,
                          dispute_reference: str, by: Actor = SYSTEM) -> Payment:
    """Flag a payment whose charge the card holder's bank disputes, and record the dispute."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(public_id=payment_id).first()
        if payment is None:
            raise errors.PaymentNotFound(f"No payment {payment_id}.")
        Payment.objects.filter(pk=payment.pk).update(is_disputed=True)
        payment.is_disputed = True
        record(PaymentDisputed(payment.public_id, amount=amount.amount,
                               currency=amount.currency.code, reason=reason,
                               dispute_reference=dispute_reference), by=by)
        return payment


def _run(payment_id: str, action: str, amount: Money | None, key: str, call: GatewayCall,
         by: Actor, label: str = "") -> Transaction:
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(public_id=payment_id).first()
        if payment is None:
            raise errors.PaymentNotFound(f"No payment {payment_id}.")
        request = fingerprint(label or action, amount and amount.amount,
                              amount and amount.currency.code, payment.public_id)
        existing = Transaction.objects.filter(idempotency_key=key).first()
        if existing is not None:
            if existing.request_fingerprint != request:
                raise errors.IdempotencyKeyReused(
                    "This idempotency key was already used for a different request.")
            return existing
        ledger = _ledger(payment)
        advance(payment, PAYMENT_TRANSITIONS, action)
        txn_amount = _transaction_amount(action, amount, payment, ledger)
        result = call(payment, ledger)
        txn = Transaction.objects.create(
            payment=payment, kind=action, amount=txn_amount, currency=payment.currency,
            succeeded=result.succeeded, provider_reference=result.provider_reference,
            error_code=result.error_code, error_message=result.error_message[:255],
            requires_action_url=result.requires_action_url or "", idempotency_key=key,
            request_fingerprint=request,
        )
        payment.status = derive_status(_ledger(payment))
        payment.save(update_fields=["status"])
        record(PaymentTransactionRecorded(
            payment.public_id, kind=action, amount=txn_amount, succeeded=result.succeeded,
            error_code=result.error_code, status=payment.status), by=by)
        return txn


def _transaction_amount(action: str, amount: Money | None, payment: Payment,
                        ledger: Ledger) -> Decimal:
    if action == "authorize":
        return payment.amount
    if action == "void":
        return ledger.authorized
    return _amount(amount, payment, ledger).amount


def _amount(amount: Money | None, payment: Payment, ledger: Ledger) -> Money:
    """The capture/refund amount, checked against what the ledger still allows."""
    if amount is not None and amount.currency.code != payment.currency:
        raise errors.CurrencyMismatch(f"This payment is in {payment.currency}.")
    refund = ledger.captured > 0  # once captured, only refunds move money back
    limit = refundable(ledger) if refund else capturable(ledger, payment.amount)
    money = round_money(amount) if amount is not None else _money(limit, payment)
    if not Decimal(0) < money.amount <= limit:
        verb = "refunded" if refund else "captured"
        raise errors.AmountNotAllowed(
            f"At most {_money(limit, payment)} can be {verb}; {money} was asked.",
            limit=str(limit))
    return money


def _ledger(payment: Payment) -> Ledger:
    rows = payment.transactions.values_list("kind", "amount", "succeeded", "error_code")
    return ledger_of(rows)


def _last(payment: Payment, kind: str, *, succeeded: bool) -> Transaction | None:
    return payment.transactions.filter(kind=kind, succeeded=succeeded).order_by("-id").first()


def _charge_reference(payment: Payment) -> str:
    authorization = _last(payment, TransactionKind.AUTHORIZE, succeeded=True)
    return authorization.provider_reference if authorization else ""


def _gift_card_move(payment: Payment, code: str, amount: Decimal, key: str,
                    by: Actor) -> GatewayResult:
    """Redeem (negative) or restore (positive) on the card; a refusal is a failed transaction."""
    move = redeem_gift_card if amount < 0 else restore_gift_card
    try:
        movement = move(code=code, amount=_money(abs(amount), payment),
                        reference=payment.reference, idempotency_key=f"payment:{key}", by=by)
    except Problem as problem:
        return GatewayResult(False, "", problem.slug, problem.detail)
    return GatewayResult(True, GIFT_CARD_REFERENCE + movement.gift_card.public_id)


def _gift_card_code(payment: Payment) -> str:
    public_id = _charge_reference(payment).removeprefix(GIFT_CARD_REFERENCE)
    card = GiftCard.objects.filter(public_id=public_id).first()
    return card.code if card else ""


def _needs_gateway(payment: Payment) -> None:
    if payment.method == PaymentMethod.CASH_ON_DELIVERY:
        raise IllegalTransition("Cash on delivery is captured on delivery, not authorized.",
                                action="authorize", current_status=payment.status)


def _money(amount: Decimal, payment: Payment) -> Money:
    return Money(amount, payment.currency)


def _positive(amount: Money) -> None:
    if amount.amount <= 0:
        raise errors.AmountNotAllowed("The amount must be positive.")


# Gift cards: a tender whose balance is changed only by a conditional UPDATE.

def issue_gift_card(*, code: str, amount: Money, expires_at: datetime | None = None,
                    by: Actor = SYSTEM) -> GiftCard:
    _positive(amount)
    code = code.strip().upper()
    try:
        with transaction.atomic():
            card = GiftCard.objects.create(
                code=code, currency=amount.currency.code, initial_balance=amount.amount,
                balance=amount.amount, expires_at=expires_at)
            record(GiftCardIssued(card.public_id, amount=amount.amount,
                                  currency=card.currency), by=by)
    except IntegrityError:
        raise errors.GiftCardCodeTaken(f"A gift card with code {code} exists.") from None
    return card


def redeem_gift_card(*, code: str, amount: Money, reference: str, idempotency_key: str,
                     by: Actor = SYSTEM) -> GiftCardMovement:
    """Take `amount` off the card; it can never go below zero, whatever runs at the same time."""
    _positive(amount)
    with transaction.atomic():
        existing = _existing_movement(idempotency_key, code, -amount.amount, reference)
        if existing is not None:
            return existing
        card = _usable_card(code, amount)
        taken = GiftCard.objects.filter(pk=card.pk, balance__gte=amount.amount).update(
            balance=F("balance") - amount.amount)
        if not taken:
            raise errors.GiftCardInsufficientBalance(
                "The gift card balance is lower than the amount.", code="gift_card")
        return _movement(card, -amount.amount, reference, idempotency_key, by)


def restore_gift_card(*, code: str, amount: Money, reference: str, idempotency_key: str,
                      by: Actor = SYSTEM) -> GiftCardMovement:
    """Give back (part of) what `reference` redeemed, e.g. on a refund or a cancelled order."""
    _positive(amount)
    with transaction.atomic():
        existing = _existing_movement(idempotency_key, code, amount.amount, reference)
        if existing is not None:
            return existing
        card = GiftCard.objects.select_for_update().filter(code__iexact=code.strip()).first()
        if card is None:
            raise errors.GiftCardNotFound("No gift card has this code.")
        taken = -(card.movements.filter(reference=reference).aggregate(t=Sum("amount"))["t"]
                  or Decimal(0))
        if amount.currency.code != card.currency or amount.amount > taken:
            raise errors.AmountNotAllowed(
                f"At most {taken} {card.currency} can be restored for {reference}.")
        GiftCard.objects.filter(pk=card.pk).update(balance=F("balance") + amount.amount)
        return _movement(card, amount.amount, reference, idempotency_key, by)


def _usable_card(code: str, amount: Money) -> GiftCard:
    card = GiftCard.objects.filter(code__iexact=code.strip()).first()
    if card is None:
        raise errors.GiftCardNotFound("No gift card has this code.")
    if not card.is_active or (card.expires_at and card.expires_at <= timezone.now()):
        raise errors.GiftCardUnusable("This gift card is expired or deactivated.")
    if card.currency != amount.currency.code:
        raise errors.CurrencyMismatch(f"This gift card is in {card.currency}.")
    return card


def _existing_movement(key: str, code: str, amount: Decimal,
                       reference: str) -> GiftCardMovement | None:
    existing = (GiftCardMovement.objects.select_related("gift_card")
                .filter(idempotency_key=key).first())
    if existing is None:
        return None
    same = (existing.gift_card.code.upper() == code.strip().upper()
            and existing.amount == amount and existing.reference == reference)
    if not same:
        raise errors.IdempotencyKeyReused(
            "This idempotency key was already used for a different request.")
    return existing


def _movement(card: GiftCard, amount: Decimal, reference: str, key: str,
              by: Actor) -> GiftCardMovement:
    movement = GiftCardMovement.objects.create(gift_card=card, amount=amount,
                                               reference=reference, idempotency_key=key)
    record(GiftCardBalanceChanged(card.public_id, amount=amount, reference=reference), by=by)
    return movement
