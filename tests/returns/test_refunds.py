"""Refunds of returns: to the original payments by the rule, never more than paid, once."""

from decimal import Decimal

import pytest

from mercato.core.models import Event
from mercato.core.money import Money
from mercato.orders.services import confirm_delivery
from mercato.payments.models import GiftCard, Payment, TestGatewayCharge, Transaction
from mercato.payments.services import create_payment, refund_payment
from mercato.returns import errors
from mercato.returns.models import ReturnRefund, ReturnRequest
from mercato.returns.services import refund_due, refund_return, request_return
from tests.orders.builders import make_quote, place
from tests.outbox import deliver_all
from tests.returns.builders import (
    GIFT,
    STAFF,
    lines,
    refund_line,
    ship_all,
    shipped_order,
)

pytestmark = pytest.mark.django_db
EUR = "EUR"


def refunds() -> list[tuple[str, Decimal]]:
    return list(Transaction.objects.filter(kind="refund", succeeded=True).order_by("id")
                .values_list("payment__method", "amount"))


def snapshot() -> tuple:
    return (refunds(), ReturnRefund.objects.count(), Event.objects.count(),
            list(ReturnRequest.objects.values_list("delivery_refunded", flat=True)))


def test_refund_only_return_refunds_the_paid_share_of_the_lines_to_the_card():
    order = shipped_order()
    shirt, mug = lines(order)
    ret = request_return(order_number=order.number,
                         lines=[refund_line(shirt, 1), refund_line(mug, 1)], by=STAFF)
    assert refund_due(ret) == Decimal("17.91") + Decimal("7.65")
    [txn] = refund_return(rma=ret.rma, by=STAFF)
    assert (txn.amount, txn.payment.method) == (Decimal("25.56"), "card")
    assert TestGatewayCharge.objects.get().refunded == Decimal("25.56")
    assert Payment.objects.get().status == "PartiallyRefunded"
    event = Event.objects.filter(type="ReturnRefunded").get()
    assert (event.aggregate_id, event.payload["amount"]) == (order.public_id, "25.56")


def test_partial_refund_then_the_rest_and_then_nothing_more():
    order = shipped_order()
    ret = request_return(order_number=order.number, lines=[refund_line(lines(order)[0], 2)],
                         by=STAFF)
    refund_return(rma=ret.rma, by=STAFF, amount=Money("10.00", EUR))
    [rest] = refund_return(rma=ret.rma, by=STAFF)
    assert rest.amount == Decimal("25.82")
    before = snapshot()
    with pytest.raises(errors.OverRefund):
        refund_return(rma=ret.rma, by=STAFF)
    assert snapshot() == before


def test_over_refund_is_refused_and_nothing_changes():
    order = shipped_order()
    ret = request_return(order_number=order.number, lines=[refund_line(lines(order)[1])],
                         by=STAFF)
    before = snapshot()
    with pytest.raises(errors.OverRefund):
        refund_return(rma=ret.rma, by=STAFF, amount=Money("7.66", EUR))
    assert snapshot() == before


def test_delivery_is_refunded_only_when_asked_and_only_once_per_order():
    order = shipped_order()
    shirt, mug = lines(order)
    first = request_return(order_number=order.number, lines=[refund_line(mug)], by=STAFF)
    [txn] = refund_return(rma=first.rma, by=STAFF, include_delivery=True)
    assert txn.amount == Decimal("7.65") + Decimal("4.90")
    second = request_return(order_number=order.number, lines=[refund_line(shirt)], by=STAFF)
    [txn] = refund_return(rma=second.rma, by=STAFF, include_delivery=True)
    assert txn.amount == Decimal("17.91")


def test_split_payment_refunds_the_card_first_then_restores_the_gift_card():
    order = shipped_order(gift=Decimal("20.00"))  # card 28.37, gift card 20.00
    shirt, mug = lines(order)
    ret = request_return(order_number=order.number,
                         lines=[refund_line(shirt, 2), refund_line(mug, 1)], by=STAFF)
    balance = GiftCard.objects.get().balance
    txns = refund_return(rma=ret.rma, by=STAFF, include_delivery=True)
    assert [(t.payment.method, t.amount) for t in txns] == [
        ("card", Decimal("28.37")), ("gift_card", Decimal("20.00"))]
    assert GiftCard.objects.get().balance == balance + Decimal("20.00")
    assert set(Payment.objects.values_list("status", flat=True)) == {"Refunded"}


def test_cash_on_delivery_refund_is_recorded_as_manual():
    order = place(make_quote())
    create_payment(reference=order.number, method="cash_on_delivery",
                   amount=Money(order.total, EUR))
    ship_all(order)
    confirm_delivery(public_id=order.shipments.get().public_id, by=STAFF)
    deliver_all()  # the cash is collected
    ret = request_return(order_number=order.number, lines=[refund_line(lines(order)[1])],
                         by=STAFF)
    [txn] = refund_return(rma=ret.rma, by=STAFF)
    assert (txn.payment.method, txn.amount, txn.succeeded) == (
        "cash_on_delivery", Decimal("7.65"), True)


def test_refund_retry_after_a_crash_replays_the_gateway_refund_instead_of_paying_twice():
    order = shipped_order()
    ret = request_return(order_number=order.number, lines=[refund_line(lines(order)[1])],
                         by=STAFF)
    card = Payment.objects.get()
    # The gateway refunded, then the process died before the return recorded it.
    refund_payment(payment_id=card.public_id, amount=Money("7.65", EUR), by=STAFF,
                   idempotency_key=f"return:{ret.public_id}:{card.public_id}:0")
    [txn] = refund_return(rma=ret.rma, by=STAFF)
    assert txn.amount == Decimal("7.65")
    assert TestGatewayCharge.objects.get().refunded == Decimal("7.65")
    assert refunds() == [("card", Decimal("7.65"))]
    with pytest.raises(errors.OverRefund):
        refund_return(rma=ret.rma, by=STAFF)


def test_gift_card_balance_is_restored_at_most_once():
    order = shipped_order(gift=Decimal("40.00"))
    ret = request_return(order_number=order.number, lines=[refund_line(lines(order)[0], 2)],
                         by=STAFF)
    txns = refund_return(rma=ret.rma, by=STAFF)
    assert [t.amount for t in txns] == [Decimal("8.37"), Decimal("27.45")]
    balance = GiftCard.objects.get(code=GIFT).balance
    with pytest.raises(errors.OverRefund):
        refund_return(rma=ret.rma, by=STAFF)
    assert GiftCard.objects.get(code=GIFT).balance == balance
