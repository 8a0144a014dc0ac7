"""Settling an order's payments after its moves, as the outbox delivers the moves' events.

A move (cancel an order, ship, confirm a delivery, cancel a parcel) changes the order and records
its event in one transaction; nothing is called after that commit. The outbox then delivers the
event to a handler (orders.handlers) that calls one of the public functions below, so a crash
between the commit and the gateway call loses nothing: the delivery is still pending and runs
again. Each runs in the delivery's transaction with the order row locked, so two settlements of
one order (a capture after shipping, a parcel's cancellation) see each other's results; each
call to the gateway carries a key derived from what it settles, so a repeated delivery replays
the provider's first answer instead of moving money twice. A refused call is a failed
transaction in the payment's ledger and an event in the order's history, which staff retry
from the payment; an error (the provider unreachable) fails the delivery, which is retried.

A cancelled order's payments are voided (authorized) or refunded (captured). Payments of a
partly cancelled order: the order keeps its total, and what is taken from the shopper is that
total less the value of its cancelled parcels (rules.cancelled_value: each cancelled line's
gross pro rata plus the parcel's delivery fee). Before anything is captured the payments are
later captured for that smaller amount (oldest payment first, a payment with nothing left to
take is voided); once captured, cancelling a parcel refunds its value (newest payment first).
"""

from collections.abc import Callable, Collection
from decimal import Decimal

from django.db import transaction

from mercato.core.events import Actor, record
from mercato.core.money import Money
from mercato.core.states import IllegalTransition
from mercato.orders import errors
from mercato.orders.events import (
    OrderPaymentCaptured,
    OrderPaymentRecorded,
    OrderPaymentRefunded,
    OrderPaymentVoided,
)
from mercato.orders.models import Order, Shipment, ShipmentLine
from mercato.orders.rules import cancelled_value, split_amount
from mercato.orders.states import ShipmentStatus
from mercato.payments.models import Payment, PaymentMethod, Transaction
from mercato.payments.rules import Ledger, capturable, ledger_of, refundable
from mercato.payments.selectors import payment_detail
from mercato.payments.services import capture_payment, refund_payment, void_payment
from mercato.payments.states import PaymentStatus

PaymentAction = Callable[[Payment, str, Actor], Transaction]


def _void(payment: Payment, key: str, by: Actor) -> Transaction:
    return void_payment(payment_id=payment.public_id, idempotency_key=key, by=by)


def _refund(payment: Payment, key: str, by: Actor) -> Transaction:
    ledger = ledger_of((t.kind, t.amount, t.succeeded, t.error_code)
                       for t in payment.transactions.all())
    return refund_payment(payment_id=payment.public_id, idempotency_key=key, by=by,
                          amount=Money(refundable(ledger), payment.currency))


SETTLEMENTS: dict[str, tuple[PaymentAction, type[OrderPaymentRecorded]]] = {
    PaymentStatus.AUTHORIZED: (_void, OrderPaymentVoided),
    PaymentStatus.CAPTURED: (_refund, OrderPaymentRefunded),
    PaymentStatus.PARTIALLY_REFUNDED: (_refund, OrderPaymentRefunded),
}


# --- run by the outbox (orders.handlers) -------------------------------------------------------

def settle_cancelled_order(*, public_id: str, by: Actor) -> None:
    """OrderCancelled: void (authorized) or refund (captured) each of the order's payments;
    one already settled is left as it is."""
    with transaction.atomic():
        order = _locked(public_id)
        for payment_id in _payment_ids(order):
            _settle(order=order, payment_id=payment_id, by=by)


def capture_shipped_order(*, public_id: str, by: Actor) -> None:
    """ShipmentShipped: capture what the order still owes from its Authorized payments."""
    with transaction.atomic():
        _capture_due(order=_locked(public_id), pending_cash=False, by=by)


def collect_cash_on_delivery(*, public_id: str, by: Actor) -> None:
    """ShipmentDelivered: the order's Pending cash-on-delivery payments are paid."""
    with transaction.atomic():
        _capture_due(order=_locked(public_id), pending_cash=True, by=by)


def refund_cancelled_parcel(*, public_id: str, shipment_id: str, by: Actor) -> None:
    """ShipmentCancelled after the order's payments were captured: refund the parcel's value,
    once (a refund keyed by this parcel already made means it was done)."""
    with transaction.atomic():
        order = _locked(public_id)
        shipment = order.shipments.get(public_id=shipment_id)
        done = Transaction.objects.filter(idempotency_key__startswith=f"cancel:{shipment_id}:",
                                          succeeded=True).exists()
        if not done:
            _refund_cancelled(order=order, shipment=shipment, by=by)


def _locked(public_id: str) -> Order:
    order = Order.objects.select_for_update().filter(public_id=public_id).first()
    if order is None:
        raise errors.OrderNotFound("There is no such order.")
    return order


# --- helpers ------------------------------------------------------------------------------------

def _settle(*, order: Order, payment_id: str, by: Actor) -> Transaction | None:
    """Void or refund one payment of a cancelled order, by its current status."""
    for _attempt in range(2):  # again if a concurrent capture moved it between read and call
        payment = payment_detail(payment_id=payment_id)
        settlement = SETTLEMENTS.get(payment.status)
        if settlement is None:
            return None
        action, event = settlement
        try:
            txn = action(payment, f"cancel:{payment.public_id}", by)
        except IllegalTransition:
            continue
        _record_payment(order=order, payment=payment, txn=txn, event=event, by=by)
        return txn
    return None


def _payment_ids(order: Order, status: str | None = None) -> list[str]:
    """The order's payments (they refer to it by its number), oldest first."""
    payments = Payment.objects.filter(reference=order.number)
    if status is not None:
        payments = payments.filter(status=status)
    return list(payments.order_by("pk").values_list("public_id", flat=True))


def _record_payment(*, order: Order, payment: Payment, txn: Transaction,
                    event: type[OrderPaymentRecorded], by: Actor) -> None:
    """The order's history shows what happened to its payments (the ledger has the detail)."""
    with transaction.atomic():
        record(event(aggregate_id=order.public_id, number=order.number,
                     payment_id=payment.public_id, method=payment.method, amount=txn.amount,
                     currency=txn.currency, succeeded=txn.succeeded,
                     error_code=txn.error_code), by=by)


def _cancelled_value(order: Order, shipments: Collection[Shipment] | None = None) -> Decimal:
    """What the order's cancelled shipments (or `shipments`) were worth (rules)."""
    parcels = list(shipments) if shipments is not None else list(
        order.shipments.filter(status=ShipmentStatus.CANCELLED))
    lines = ShipmentLine.objects.filter(shipment__in=parcels).values_list(
        "order_line__gross", "order_line__quantity", "quantity")
    return cancelled_value(lines=lines, delivery=[s.delivery_amount for s in parcels],
                           currency=order.currency)


def _ledgers(order: Order) -> list[tuple[Payment, Ledger]]:
    payments = Payment.objects.filter(reference=order.number).prefetch_related("transactions")
    return [(p, ledger_of((t.kind, t.amount, t.succeeded, t.error_code)
                          for t in p.transactions.all())) for p in payments.order_by("pk")]


def _captured(order: Order) -> bool:
    return any(ledger.captured > 0 for _, ledger in _ledgers(order))


def _capture_due(*, order: Order, pending_cash: bool, by: Actor) -> None:
    """Capture what the order still owes from its Authorized payments (or, `pending_cash`, its
    Pending cash-on-delivery ones), oldest first; one left with nothing to take is voided."""
    ledgers = _ledgers(order)
    due = order.total - _cancelled_value(order) - sum(
        (ledger.captured - ledger.refunded for _, ledger in ledgers), Decimal(0))
    if pending_cash:
        open_ones = [(p, ledger) for p, ledger in ledgers if p.status == PaymentStatus.PENDING
                     and p.method == PaymentMethod.CASH_ON_DELIVERY]
    else:
        open_ones = [(p, ledger) for p, ledger in ledgers
                     if p.status == PaymentStatus.AUTHORIZED]
    parts = split_amount(due, [capturable(ledger, p.amount) for p, ledger in open_ones])
    for (payment, _), part in zip(open_ones, parts, strict=True):
        _call(order=order, payment=payment, by=by, event=OrderPaymentCaptured, action=(
            lambda p=payment, amount=part: capture_payment(
                payment_id=p.public_id, idempotency_key=f"ship-capture:{p.public_id}",
                amount=Money(amount, p.currency), by=by)) if part > 0 else (
            lambda p=payment: void_payment(payment_id=p.public_id,
                                           idempotency_key=f"ship-void:{p.public_id}",
                                           by=by)))


def _refund_cancelled(*, order: Order, shipment: Shipment, by: Actor) -> None:
    """A parcel cancelled after the order's payments were captured: refund its value, newest
    payment first."""
    value = _cancelled_value(order, [shipment])
    ledgers = [(p, ledger) for p, ledger in reversed(_ledgers(order))
               if refundable(ledger) > 0]
    parts = split_amount(value, [refundable(ledger) for _, ledger in ledgers])
    for (payment, _), part in zip(ledgers, parts, strict=True):
        if part > 0:
            _call(order=order, payment=payment, by=by, event=OrderPaymentRefunded, action=(
                lambda p=payment, amount=part: refund_payment(
                    payment_id=p.public_id, amount=Money(amount, p.currency), by=by,
                    idempotency_key=f"cancel:{shipment.public_id}:{p.public_id}")))


def _call(*, order: Order, payment: Payment, action: Callable[[], Transaction],
          event: type[OrderPaymentRecorded], by: Actor) -> None:
    """One gateway call, recorded in the order's history (an error propagates: retried)."""
    txn = action()
    if txn.kind == "void":
        event = OrderPaymentVoided
    _record_payment(order=order, payment=payment, txn=txn, event=event, by=by)
