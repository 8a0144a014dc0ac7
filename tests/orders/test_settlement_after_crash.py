"""Money is settled through the outbox: a crash after a move's commit loses no capture, void or
refund, and one in the worker mid-settlement makes none twice."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import connection, transaction

from mercato.core.events import Actor
from mercato.core.money import Money
from mercato.orders.models import Order, Shipment
from mercato.orders.services import (
    cancel_order,
    cancel_shipment,
    confirm_delivery,
    mark_shipment_shipped,
    pack_shipments,
    release_shipment,
)
from mercato.payments.models import Payment, TestGatewayCharge, Transaction
from mercato.payments.services import create_payment
from mercato.payments.states import PaymentStatus
from tests.orders.builders import make_quote, place
from tests.orders.test_cancel_and_capture import card_payment
from tests.orders.test_processing import two_shipment_order
from tests.outbox import deliver_all

pytestmark = pytest.mark.django_db(transaction=True)  # real commits, as in production
STAFF = Actor("staff", "packer@example.com")


class Crash(BaseException):
    """The process dies here: nothing after this point runs (not an Exception: no handler
    catches it)."""


@contextmanager
def crash_when(matches: Callable[[str, tuple], bool], *, after_commit: bool) -> Iterator[None]:
    """Die at the first statement `sql_matches` (inside its transaction), or right after the
    transaction that ran it commits, as a power cut would."""
    armed = [True]

    def die() -> None:
        raise Crash

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if armed[0] and matches(sql, tuple(params or ())):
            armed[0] = False
            if after_commit:
                transaction.on_commit(die)
            else:
                die()
        return result

    with connection.execute_wrapper(wrapper):
        yield


def inserts_event(sql: str, params: tuple) -> bool:
    return sql.startswith('INSERT INTO "core_event"')


def records(event_type: str) -> Callable[[str, tuple], bool]:
    return lambda sql, params: inserts_event(sql, params) and event_type in params


def packed(shipment: Shipment) -> None:
    release_shipment(public_id=shipment.public_id, by=STAFF)
    pack_shipments(public_ids=[shipment.public_id], by=STAFF, reference="PL-1")


def ship(shipment: Shipment) -> None:
    mark_shipment_shipped(public_id=shipment.public_id, carrier="DHL",
                          tracking_number="JD014600006101790463", tracking_url="",
                          weight_grams=None, by=STAFF)


def calls(payment: Payment, kind: str) -> list[Transaction]:
    return list(Transaction.objects.filter(payment=payment, kind=kind, succeeded=True))


def charge_of(payment: Payment) -> TestGatewayCharge:
    """What the provider itself holds for the payment."""
    [authorization] = calls(payment, "authorize")
    return TestGatewayCharge.objects.get(reference=authorization.provider_reference)


def status(payment: Payment) -> str:
    payment.refresh_from_db()
    return payment.status


def restart_and_deliver_twice() -> None:
    deliver_all()
    deliver_all()  # a second worker pass finds nothing left to do


def test_a_crash_right_after_shipping_commits_still_captures_once():
    order = place(make_quote())
    [shipment] = order.shipments.all()
    payment = card_payment(order, amount=str(order.total))
    packed(shipment)

    with crash_when(inserts_event, after_commit=True), pytest.raises(Crash):
        ship(shipment)

    assert Shipment.objects.get(pk=shipment.pk).status == "Shipped"  # the move committed
    assert status(payment) == PaymentStatus.AUTHORIZED
    restart_and_deliver_twice()
    assert status(payment) == PaymentStatus.CAPTURED
    assert [t.amount for t in calls(payment, "capture")] == [order.total]
    assert charge_of(payment).captured == order.total


def test_a_crash_right_after_a_cancellation_commits_still_voids_once():
    order = place(make_quote())
    payment = card_payment(order)

    with crash_when(inserts_event, after_commit=True), pytest.raises(Crash):
        cancel_order(public_id=order.public_id, by=STAFF)

    assert Order.objects.get(pk=order.pk).status == "Cancelled"
    assert status(payment) == PaymentStatus.AUTHORIZED
    restart_and_deliver_twice()
    assert status(payment) == PaymentStatus.VOIDED
    assert len(calls(payment, "void")) == 1
    assert charge_of(payment).stage == "voided"


def test_a_crash_right_after_a_delivery_is_confirmed_still_collects_the_cash_once():
    order = place(make_quote())
    [shipment] = order.shipments.all()
    cash = create_payment(reference=order.number, method="cash_on_delivery",
                          amount=Money(order.total, order.currency))
    packed(shipment)
    ship(shipment)
    deliver_all()

    with crash_when(inserts_event, after_commit=True), pytest.raises(Crash):
        confirm_delivery(public_id=shipment.public_id, by=STAFF)

    assert status(cash) == PaymentStatus.PENDING
    restart_and_deliver_twice()
    assert status(cash) == PaymentStatus.CAPTURED
    assert len(calls(cash, "capture")) == 1


def test_a_crash_right_after_a_parcel_is_cancelled_still_refunds_it_once():
    order, first, second = two_shipment_order()
    payment = card_payment(order, amount=str(order.total))
    packed(first)
    ship(first)
    deliver_all()  # captured in full

    with crash_when(inserts_event, after_commit=True), pytest.raises(Crash):
        cancel_shipment(public_id=second.public_id, by=STAFF)

    assert calls(payment, "refund") == []
    restart_and_deliver_twice()
    [refund] = calls(payment, "refund")
    line = order.lines.order_by("pk").last()
    assert refund.amount == line.gross + second.delivery_amount
    assert status(payment) == PaymentStatus.PARTIALLY_REFUNDED


def test_a_worker_killed_after_the_provider_captured_captures_nothing_more():
    """The gateway answered, then the worker died before the delivery committed: the next
    delivery asks again with the same key and gets the first answer."""
    order = place(make_quote())
    [shipment] = order.shipments.all()
    payment = card_payment(order, amount=str(order.total))
    packed(shipment)
    ship(shipment)

    # The order's history row for the capture is written after the gateway call.
    with crash_when(records("OrderPaymentCaptured"), after_commit=False), \
            pytest.raises(Crash):
        deliver_all()

    restart_and_deliver_twice()
    assert [t.amount for t in calls(payment, "capture")] == [order.total]
    assert charge_of(payment).captured == order.total


def test_nothing_in_a_move_calls_the_gateway():
    """The moves themselves leave every payment as it was; only the outbox settles."""
    order, first, second = two_shipment_order()
    payment = card_payment(order, amount=str(order.total))
    packed(first)
    ship(first)
    cancel_shipment(public_id=second.public_id, by=STAFF)
    assert Transaction.objects.exclude(kind="authorize").count() == 0
    assert charge_of(payment).captured == Decimal(0)
