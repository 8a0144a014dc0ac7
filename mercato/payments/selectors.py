"""Reads of payments and gift cards, with what their pages show."""

from django.db.models import Count, QuerySet

from mercato.payments.errors import PaymentNotFound
from mercato.payments.models import GiftCard, Payment, Transaction


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
