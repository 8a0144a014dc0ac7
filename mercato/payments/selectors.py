"""Reads of payments and gift cards, with what their pages show."""

from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from mercato.payments.errors import PaymentNotFound
from mercato.payments.models import GiftCard, Payment, Transaction, TransactionKind
from mercato.payments.states import PaymentStatus


def payment_detail(*, payment_id: str) -> Payment:
    payment = (Payment.objects.prefetch_related("transactions")
               .filter(public_id=payment_id).first())
    if payment is None:
        raise PaymentNotFound(f"No payment {payment_id}.")
    return payment


def payments_for(*, reference: str) -> QuerySet[Payment]:
    return Payment.objects.filter(reference=reference).prefetch_related("transactions")


def gift_card_by_code(*, code: str) -> GiftCard | None:
    return GiftCard.objects.filter(code__iexact=code.strip()).first()


def transaction_counts_by_outcome() -> list[tuple[str, bool, int]]:
    """(kind, succeeded, count) over the whole ledger, for the metrics: one GROUP BY."""
    return list(Transaction.objects.order_by().values_list("kind", "succeeded")
                .annotate(count=Count("id")))


@dataclass
class PaymentTotals:
    """What a reference's payments add up to, from their ledger: each payment's status, the
    methods of those that did not fail (first used first), and what was captured and refunded."""

    statuses: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    captured: Decimal = Decimal(0)
    refunded: Decimal = Decimal(0)


def payment_totals_by_reference(references: Collection[str]) -> dict[str, PaymentTotals]:
    """{reference: PaymentTotals} for each of `references`, none left out (2 queries)."""
    totals = {reference: PaymentTotals() for reference in references}
    payments = (Payment.objects.filter(reference__in=list(totals)).order_by("created_at", "id")
                .values_list("reference", "method", "status"))
    for reference, method, status in payments:
        found = totals[reference]
        found.statuses.append(status)
        if status != PaymentStatus.FAILED and method not in found.methods:
            found.methods.append(method)
    sums = (Transaction.objects.filter(payment__reference__in=list(totals), succeeded=True,
                                       kind__in=(TransactionKind.CAPTURE, TransactionKind.REFUND))
            .order_by().values_list("payment__reference", "kind").annotate(total=Sum("amount")))
    for reference, kind, total in sums:
        if kind == TransactionKind.CAPTURE:
            totals[reference].captured += total
        else:
            totals[reference].refunded += total
    return totals
