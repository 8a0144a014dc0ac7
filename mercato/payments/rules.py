"""Pure rules: a payment's status and the amounts it allows, derived from its ledger."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from mercato.payments.states import PaymentStatus


@dataclass(frozen=True)
class Ledger:
    authorized: Decimal = Decimal(0)
    captured: Decimal = Decimal(0)
    refunded: Decimal = Decimal(0)
    voided: bool = False
    failed: bool = False


# Not a failure: the shopper is asked to confirm (3-D Secure) or approve (PayPal) first.
AWAITING_SHOPPER = frozenset({"requires_action", "approval_required", "authentication_required"})


def ledger_of(entries: Iterable[tuple[str, Decimal, bool, str]]) -> Ledger:
    """Sum (kind, amount, succeeded, error_code) entries; a failed authorization marks `failed`
    unless it only waits for the shopper."""
    sums = {"authorize": Decimal(0), "capture": Decimal(0), "refund": Decimal(0)}
    voided = failed = False
    for kind, amount, succeeded, error_code in entries:
        if not succeeded:
            failed = failed or (kind == "authorize" and error_code not in AWAITING_SHOPPER)
            continue
        if kind == "void":
            voided = True
        else:
            sums[kind] += amount
    return Ledger(sums["authorize"], sums["capture"], sums["refund"], voided, failed)


def derive_status(ledger: Ledger) -> PaymentStatus:
    if ledger.refunded > 0:
        if ledger.refunded >= ledger.captured:
            return PaymentStatus.REFUNDED
        return PaymentStatus.PARTIALLY_REFUNDED
    if ledger.captured > 0:
        return PaymentStatus.CAPTURED
    if ledger.voided:
        return PaymentStatus.VOIDED
    if ledger.authorized > 0:
        return PaymentStatus.AUTHORIZED
    if ledger.failed:
        return PaymentStatus.FAILED
    return PaymentStatus.PENDING


def capturable(ledger: Ledger, payment_amount: Decimal) -> Decimal:
    """What may still be captured: the authorization, or (cash on delivery) the whole amount."""
    limit = ledger.authorized if ledger.authorized > 0 else payment_amount
    return max(limit - ledger.captured, Decimal(0))


def refundable(ledger: Ledger) -> Decimal:
    return max(ledger.captured - ledger.refunded, Decimal(0))


# What a shopper reads for a payment's status (pages, emails, the customer API's
# `status_label`); the back office keeps the status names.
PAYMENT_LABELS = {
    PaymentStatus.PENDING: "Awaiting payment",
    PaymentStatus.AUTHORIZED: "Authorized, not charged yet",
    PaymentStatus.CAPTURED: "Paid",
    PaymentStatus.PARTIALLY_REFUNDED: "Partly refunded",
    PaymentStatus.REFUNDED: "Refunded",
    PaymentStatus.VOIDED: "Cancelled, not charged",
    PaymentStatus.FAILED: "Declined",
}


def payment_label(status: str) -> str:
    return PAYMENT_LABELS.get(status, status)


def fingerprint(*parts: object) -> str:
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()
