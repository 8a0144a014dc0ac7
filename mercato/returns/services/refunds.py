"""Refunds of returns to the order's payments (the rule is in rules.py)."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum

from mercato.core.events import Actor, record
from mercato.core.money import Money, round_money
from mercato.core.states import IllegalTransition
from mercato.orders.models import Order
from mercato.payments.errors import IdempotencyKeyReused
from mercato.payments.models import Payment, Transaction
from mercato.payments.rules import ledger_of, refundable
from mercato.payments.services import refund_payment
from mercato.returns import errors, rules
from mercato.returns.events import (
    ReturnRefunded,
    ReturnRefundFailed,
)
from mercato.returns.models import ReturnRefund, ReturnRequest
from mercato.returns.services.amounts import refund_due, refunded_amount
from mercato.returns.services.common import (
    _about,
    _locked_return,
)
from mercato.returns.services.completion import complete_if_settled
from mercato.returns.states import (
    REFUNDABLE_STATUSES,
)

# Refunds

def refund_return(*, rma: str, by: Actor, include_delivery: bool = False,
                  amount: Money | None = None) -> list[Transaction]:
    """Refund what the return is owed (or `amount` of it) to the order's payments by the rule
    in rules.py; OverRefund if more is asked than is due or than the payments can take back.
    The gateway calls come after the commit; a refused call raises RefundFailed (what went
    through stays recorded, and calling again refunds only what is still due)."""
    with transaction.atomic():
        order, ret = _locked_return(rma)
        if ret.status not in REFUNDABLE_STATUSES:
            raise IllegalTransition(f"Cannot refund return {ret.rma}: it is {ret.status}.",
                                    action="refund", current_status=ret.status)
        if amount is not None and amount.currency.code != order.currency:
            raise errors.InvalidReturn(f"This order is in {order.currency}.")
        delivery = _delivery_to_refund(order, ret) if include_delivery else Decimal(0)
        due = refund_due(ret) + delivery - refunded_amount(ret)
        to_refund = rules.check_refund_amount(asked=amount and amount.amount, due=due)
        plan = rules.plan_refund(_refundable_payments(order), to_refund)
        if delivery:
            ret.delivery_refunded += delivery
            ret.save(update_fields=["delivery_refunded", "updated_at"])
        calls = [(payment_id, share, _refund_key(ret, payment_id)) for payment_id, share in plan]
    return _pay_refunds(ret=ret, order=order, calls=calls, delivery=delivery, by=by)


def _pay_refunds(*, ret: ReturnRequest, order: Order, calls: list[tuple[str, Decimal, str]],
                 delivery: Decimal, by: Actor) -> list[Transaction]:
    """Make the planned calls; only the calls this request made itself (not replays of a
    concurrent or earlier request with the same keys) are recorded as its refund."""
    done: list[Transaction] = []
    made = Decimal(0)
    for payment_id, share, key in calls:
        money = round_money(Money(share, order.currency))
        txn = _refund_call(payment_id=payment_id, amount=money, key=key, by=by)
        with transaction.atomic():
            _, created = ReturnRefund.objects.get_or_create(transaction=txn, defaults={
                "return_request": ret, "payment_public_id": payment_id, "amount": txn.amount,
                "succeeded": txn.succeeded})
            if created and not txn.succeeded:
                record(ReturnRefundFailed(**_about(ret), payment_id=payment_id, amount=share,
                                          error_code=txn.error_code), by=by)
        if not txn.succeeded:
            raise errors.RefundFailed(
                f"The refund of {share} {order.currency} was refused: {txn.error_message}",
                payment_id=payment_id, refunded=str(sum(t.amount for t in done)))
        made += txn.amount if created else Decimal(0)
        done.append(txn)
    if made > 0:
        with transaction.atomic():
            record(ReturnRefunded(**_about(ret), amount=made, currency=order.currency,
                                  delivery_amount=delivery), by=by)
    complete_if_settled(rma=ret.rma, by=by)
    return done


def _refund_call(*, payment_id: str, amount: Money, key: str, by: Actor) -> Transaction:
    try:
        return refund_payment(payment_id=payment_id, amount=amount, idempotency_key=key, by=by)
    except IdempotencyKeyReused as reused:
        raise errors.RefundInProgress(
            "Another refund of this return was made at the same moment; look at the return "
            "again before refunding more.") from reused


def _delivery_to_refund(order: Order, ret: ReturnRequest) -> Decimal:
    """The order's delivery fee, less what any of its returns already included."""
    included = (ReturnRequest.objects.filter(order=order).aggregate(
        total=Sum("delivery_refunded"))["total"] or Decimal(0))
    return max(order.delivery_total - included, Decimal(0))


def _refundable_payments(order: Order) -> list[rules.RefundablePayment]:
    """The order's payments and those of its returns (price differences of replacements, which
    a later return of the replacement gives back)."""
    rmas = ReturnRequest.objects.filter(order=order).values_list("rma", flat=True)
    payments = (Payment.objects.filter(Q(reference=order.number) | Q(reference__in=rmas))
                .prefetch_related("transactions"))
    result = []
    for payment in payments:
        ledger = ledger_of((t.kind, t.amount, t.succeeded, t.error_code)
                           for t in payment.transactions.all())
        result.append(rules.RefundablePayment(payment.public_id, payment.method,
                                              payment.created_at, refundable(ledger)))
    return result


def _refund_key(ret: ReturnRequest, payment_id: str) -> str:
    attempt = ret.refunds.filter(payment_public_id=payment_id).count()
    return f"return:{ret.public_id}:{payment_id}:{attempt}"
