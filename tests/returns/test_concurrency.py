"""Staff and customers acting on one return at the same moment (PostgreSQL: real row locks,
one connection per thread, a barrier so the calls start together).

Refunds: however many refund the same return at once, the customer gets what is due once, one
refund is recorded and emailed. Receiving: one receipt, the units restocked once. Paying the
difference: one authorization.
"""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from mercato.core.events import Actor
from mercato.core.models import Event
from mercato.core.money import Money
from mercato.core.problems import Problem
from mercato.inventory.models import Stock
from mercato.payments.gateways import get_gateway
from mercato.payments.gateways.test_gateway import TestGatewayCharge
from mercato.payments.models import Payment, Transaction
from mercato.returns.models import ReceivingReceipt, ReturnRefund
from mercato.returns.services import (
    ReceivedLine,
    pay_difference,
    receive_return,
    refund_due,
    refund_return,
    request_return,
)
from tests.factories import make_sellable_variant
from tests.returns.builders import STAFF, exchange_line, lines, refund_line, shipped_order

THREADS = 8
EUR = "EUR"


@pytest.fixture
def postgres_only(on_postgres) -> None:
    if not on_postgres:
        pytest.skip("needs PostgreSQL row locks and concurrent connections")


def race(call: Callable[[int], object], threads: int = THREADS) -> list[str]:
    """Run call(i) in `threads` threads started together; each result is "ok" or the problem's
    slug."""
    barrier = threading.Barrier(threads)

    def one(index: int) -> str:
        try:
            barrier.wait()
            call(index)
            return "ok"
        except Problem as problem:
            return problem.slug
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(one, range(threads)))


def refunded_at_gateway() -> Decimal:
    return sum((charge.refunded for charge in TestGatewayCharge.objects.all()), Decimal(0))


@pytest.mark.django_db(transaction=True)
def test_many_staff_refunding_one_return_at_once_refund_it_once(postgres_only):
    order = shipped_order()
    ret = request_return(order_number=order.number, by=STAFF,
                         lines=[refund_line(lines(order)[0], 2)])
    due = refund_due(ret)

    results = race(lambda _: refund_return(rma=ret.rma, by=STAFF))

    assert "ok" in results
    assert set(results) <= {"ok", "over-refund", "refund-in-progress"}, results
    assert refunded_at_gateway() == due
    assert ReturnRefund.objects.filter(succeeded=True).count() == 1
    assert Transaction.objects.filter(kind="refund", succeeded=True).count() == 1
    assert Event.objects.filter(type="ReturnRefunded").count() == 1


@pytest.mark.django_db(transaction=True)
def test_partial_refunds_racing_never_refund_more_than_is_due(postgres_only):
    order = shipped_order()
    ret = request_return(order_number=order.number, by=STAFF,
                         lines=[refund_line(lines(order)[0], 2)])
    due = refund_due(ret)
    amounts = [Decimal("15.00"), Decimal("10.00"), Decimal("20.00"), Decimal("5.00")] * 2

    results = race(lambda i: refund_return(rma=ret.rma, by=STAFF,
                                           amount=Money(amounts[i], EUR)))

    assert set(results) <= {"ok", "over-refund", "refund-in-progress"}, results
    refunded = sum(ReturnRefund.objects.filter(succeeded=True).values_list("amount", flat=True),
                   Decimal(0))
    assert Decimal(0) < refunded <= due
    assert refunded_at_gateway() == refunded
    recorded = sum((Decimal(str(e.payload["amount"]))
                    for e in Event.objects.filter(type="ReturnRefunded")), Decimal(0))
    assert recorded == refunded


@pytest.mark.django_db(transaction=True)
def test_two_warehouse_staff_receiving_one_parcel_restock_it_once(postgres_only):
    order = shipped_order()
    shirt = lines(order)[0]
    ret = request_return(order_number=order.number, by=STAFF, lines=[refund_line(shirt, 2)])
    line = ret.lines.get()
    stock = Stock.objects.get(variant_id=shirt.variant_id, warehouse_id=ret.warehouse_id)

    results = race(lambda _: receive_return(
        rma=ret.rma, warehouse_id=ret.warehouse_id, by=STAFF,
        lines=[ReceivedLine(line.public_id, 2, "resellable")]), threads=4)

    assert sorted(results) == ["illegal-transition"] * 3 + ["ok"], results
    assert ReceivingReceipt.objects.count() == 1
    assert Stock.objects.get(pk=stock.pk).on_hand == stock.on_hand + 2


@pytest.mark.django_db(transaction=True)
def test_a_double_submitted_difference_payment_authorizes_once(postgres_only):
    order = shipped_order()
    dearer = make_sellable_variant(price="25.00", on_hand=5)
    ret = request_return(order_number=order.number, by=STAFF,
                         lines=[exchange_line(lines(order)[0], dearer.pk)])
    card = get_gateway("test").tokenize_card("4242424242424242", 12, 2030, "123")

    results = race(lambda _: pay_difference(rma=ret.rma, method="card", token=card,
                                            by=Actor("customer"), email=order.email),
                   threads=4)

    assert "ok" in results
    assert set(results) <= {"ok", "nothing-to-pay", "illegal-transition"}, results
    payment = Payment.objects.get(reference=ret.rma)
    assert payment.status == "Authorized"
    assert payment.transactions.filter(kind="authorize", succeeded=True).count() == 1
    assert TestGatewayCharge.objects.filter(amount=Decimal("5.10")).count() == 1
    assert Event.objects.filter(type="ReturnDifferencePaid").count() == 1
