"""Exchanges for a dearer variant: the customer pays the difference (authorized through the
gateway interface), the replacement ships only once it is paid or waived, it is captured when the
replacement ships and voided when the return is cancelled; received returns complete by
themselves once everything is done."""

from decimal import Decimal

import pytest
from django.test import override_settings

from mercato.checkout.errors import PaymentActionRequired, PaymentDeclined
from mercato.core.events import Actor
from mercato.core.models import Event
from mercato.core.outbox import deliver_due
from mercato.core.states import IllegalTransition
from mercato.orders.models import Order
from mercato.payments.gateways import get_gateway
from mercato.payments.gateways.test_gateway import TestGateway
from mercato.payments.models import Payment
from mercato.returns import errors
from mercato.returns.models import ReturnRequest
from mercato.returns.services import (
    ReceivedLine,
    cancel_return,
    difference_unpaid,
    pay_difference,
    receive_return,
    refund_due,
    refund_return,
    request_return,
    ship_replacement,
    update_return_lines,
    waive_difference,
)
from mercato.returns.states import ReturnStatus
from tests.factories import make_sellable_variant
from tests.outbox import deliver_all
from tests.returns.builders import (
    CUSTOMER,
    STAFF,
    exchange_line,
    lines,
    refund_line,
    ship_all,
    shipped_order,
)

pytestmark = pytest.mark.django_db

OK_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
THREE_DS_CARD = "4000002760003184"


def token(number: str = OK_CARD) -> str:
    return get_gateway("test").tokenize_card(number, 12, 2030, "123")


def dearer_return(*, quantity: int = 1) -> tuple[Order, ReturnRequest]:
    """The shirt (19.90) exchanged for a 25.00 variant: 5.10 a unit to pay."""
    order = shipped_order()
    dearer = make_sellable_variant(price="25.00", on_hand=5)
    ret = request_return(order_number=order.number, by=STAFF,
                         lines=[exchange_line(lines(order)[0], dearer.pk, quantity)])
    return order, ret


def pay(ret: ReturnRequest, card_token: str, order: Order) -> ReturnRequest:
    return pay_difference(rma=ret.rma, method="card", token=card_token, by=CUSTOMER,
                          customer_id=order.customer_id, email=order.email)


def receive(ret: ReturnRequest) -> None:
    line = ret.lines.get()
    receive_return(rma=ret.rma, warehouse_id=ret.warehouse_id, by=STAFF,
                   lines=[ReceivedLine(line.public_id, line.quantity, "resellable")])


def return_status(ret: ReturnRequest) -> str:
    return ReturnRequest.objects.get(pk=ret.pk).status


def test_a_dearer_exchange_charges_the_difference_and_refunds_nothing():
    _, ret = dearer_return(quantity=2)
    line = ret.lines.get()
    assert (line.charge, line.credit) == (Decimal("10.20"), Decimal(0))
    assert difference_unpaid(ret) == Decimal("10.20")
    assert refund_due(ret) == Decimal(0)


def test_the_replacement_waits_for_the_difference_then_it_is_paid_shipped_and_captured():
    order, ret = dearer_return()
    with pytest.raises(errors.DifferenceUnpaid):
        ship_replacement(rma=ret.rma, by=STAFF)
    assert order.shipments.count() == 1
    pay(ret, token(), order)
    payment = Payment.objects.get(reference=ret.rma)
    assert (payment.method, payment.status, payment.amount) == ("card", "Authorized",
                                                                Decimal("5.10"))
    assert difference_unpaid(ret) == Decimal(0)
    with pytest.raises(errors.NothingToPay):
        pay(ret, token(), order)
    receive(ret)
    ship_replacement(rma=ret.rma, by=STAFF)
    ship_all(order)
    deliver_due()
    payment.refresh_from_db()
    assert payment.status == "Captured"
    assert return_status(ret) == ReturnStatus.COMPLETE
    types = set(Event.objects.filter(aggregate_id=order.public_id).values_list("type", flat=True))
    assert {"ReturnDifferencePaid", "ReturnPaymentRecorded", "ReturnCompleted"} <= types


def test_the_order_settlement_never_touches_the_difference_payment():
    order, ret = dearer_return()
    pay(ret, token(), order)
    order_payments = Payment.objects.filter(reference=order.number)
    assert order_payments.count() == 1
    assert not order_payments.filter(reference=ret.rma).exists()


def test_a_declined_card_secures_nothing_and_another_card_then_pays():
    order, ret = dearer_return()
    with pytest.raises(PaymentDeclined):
        pay(ret, token(DECLINED_CARD), order)
    assert difference_unpaid(ret) == Decimal("5.10")
    pay(ret, token(), order)
    # one payment: the second card is a new authorization of the same payment
    assert list(Payment.objects.filter(reference=ret.rma).values_list("status", flat=True)) == [
        "Authorized"]


def test_the_same_request_sent_twice_authorizes_once():
    order, ret = dearer_return()
    card = token()
    pay(ret, card, order)
    with pytest.raises(errors.NothingToPay):
        pay(ret, card, order)
    payment = Payment.objects.get(reference=ret.rma)
    assert payment.transactions.filter(kind="authorize", succeeded=True).count() == 1


def test_three_d_secure_is_confirmed_by_sending_the_same_token_again():
    order, ret = dearer_return()
    card = token(THREE_DS_CARD)
    with pytest.raises(PaymentActionRequired) as asked:
        pay(ret, card, order)
    assert "/test-gateway/3ds/" in asked.value.extra["action_url"]
    with pytest.raises(PaymentActionRequired):
        pay(ret, card, order)  # not confirmed yet
    pending = Payment.objects.get(reference=ret.rma).transactions.exclude(
        requires_action_url="").first()
    TestGateway().complete_action(pending.provider_reference)
    pay(ret, card, order)
    assert Payment.objects.get(reference=ret.rma).status == "Authorized"


def test_only_the_orders_customer_may_pay_and_only_by_card_or_paypal():
    order, ret = dearer_return()
    with pytest.raises(errors.ReturnNotFound):
        pay_difference(rma=ret.rma, method="card", token=token(), by=CUSTOMER,
                       email="someone@example.com")
    with pytest.raises(errors.InvalidReturn):
        pay_difference(rma=ret.rma, method="gift_card", token="GIFT", by=CUSTOMER,
                       email=order.email)
    assert not Payment.objects.filter(reference=ret.rma).exists()


def test_a_return_without_a_dearer_exchange_has_nothing_to_pay():
    order = shipped_order()
    ret = request_return(order_number=order.number, by=STAFF, lines=[refund_line(lines(order)[1])])
    with pytest.raises(errors.NothingToPay):
        pay(ret, token(), order)


def test_staff_may_waive_the_difference_and_the_replacement_ships():
    _, ret = dearer_return()
    waive_difference(rma=ret.rma, by=STAFF, reason="Goodwill: our mistake")
    assert difference_unpaid(ReturnRequest.objects.get(pk=ret.pk)) == Decimal(0)
    ship_replacement(rma=ret.rma, by=STAFF)
    assert Event.objects.filter(type="ReturnDifferenceWaived").get().payload["reason"] == (
        "Goodwill: our mistake")
    with pytest.raises(errors.NothingToPay):
        waive_difference(rma=ret.rma, by=STAFF, reason="again")


def test_cancelling_the_return_voids_the_paid_difference():
    order, ret = dearer_return()
    pay(ret, token(), order)
    cancel_return(rma=ret.rma, by=STAFF, reason="Customer kept it")
    assert Payment.objects.get(reference=ret.rma).status == "Authorized"  # no gateway call
    deliver_all()  # ReturnCancelled reaches the void
    assert Payment.objects.get(reference=ret.rma).status == "Voided"


def test_a_paid_return_can_no_longer_be_edited():
    order, ret = dearer_return()
    pay(ret, token(), order)
    with pytest.raises(IllegalTransition):
        update_return_lines(rma=ret.rma, by=STAFF, lines=[refund_line(lines(order)[0])])


@override_settings(MERCATO_CAPTURE_MODE="order")
def test_with_capture_at_order_the_difference_is_captured_when_paid():
    order, ret = dearer_return()
    pay(ret, token(), order)
    deliver_all()
    assert Payment.objects.get(reference=ret.rma).status == "Captured"


# Completing by itself

def test_a_received_return_completes_when_its_refund_is_made():
    order = shipped_order()
    ret = request_return(order_number=order.number, by=STAFF, lines=[refund_line(lines(order)[1])])
    receive(ret)
    assert return_status(ret) == ReturnStatus.AWAITING_COMPLETION
    refund_return(rma=ret.rma, by=STAFF)
    assert return_status(ret) == ReturnStatus.COMPLETE


def test_an_exchange_completes_when_its_replacement_ships_after_the_goods_came_back():
    order = shipped_order()
    other = make_sellable_variant(price="19.90", on_hand=5)
    ret = request_return(order_number=order.number, by=STAFF,
                         lines=[exchange_line(lines(order)[0], other.pk)])
    receive(ret)
    ship_replacement(rma=ret.rma, by=STAFF)
    deliver_due()
    assert return_status(ret) == ReturnStatus.AWAITING_COMPLETION
    ship_all(order)
    deliver_due()
    assert return_status(ret) == ReturnStatus.COMPLETE
    assert Order.objects.get(pk=order.pk).status == "Completed"


def test_a_return_awaiting_its_goods_is_not_completed_by_a_refund():
    order = shipped_order()
    ret = request_return(order_number=order.number, by=STAFF, lines=[refund_line(lines(order)[1])])
    refund_return(rma=ret.rma, by=STAFF)
    assert return_status(ret) == ReturnStatus.AWAITING_STOCK_RETURN
    receive(ret)
    assert return_status(ret) == ReturnStatus.COMPLETE


def test_the_replacement_handler_runs_once_whatever_the_deliveries():
    order, ret = dearer_return()
    pay(ret, token(), order)
    receive(ret)
    ship_replacement(rma=ret.rma, by=STAFF)
    ship_all(order)
    deliver_due()
    deliver_due()
    payment = Payment.objects.get(reference=ret.rma)
    assert payment.transactions.filter(kind="capture").count() == 1
    assert Event.objects.filter(type="ReturnCompleted").count() == 1


def test_an_unknown_actor_kind_is_only_a_label():
    # the services take any Actor: a guest paying is recorded as such
    order, ret = dearer_return()
    pay_difference(rma=ret.rma, method="card", token=token(), by=Actor("guest", order.email),
                   email=order.email.upper())
    assert Event.objects.filter(type="ReturnDifferencePaid").get().actor == f"guest:{order.email}"


def test_a_payment_another_tab_made_meanwhile_leaves_this_one_voided(monkeypatch):
    from mercato.core.money import Money
    from mercato.payments.services import authorize_payment, create_payment
    from mercato.returns.services import difference

    order, ret = dearer_return()
    real = difference._authorize

    def other_tab_paid_first(payment, *, token, by):
        other = create_payment(reference=ret.rma, method="card", amount=Money("5.10", "EUR"))
        authorize_payment(payment_id=other.public_id, token=globals()["token"](),
                          idempotency_key="other-tab")
        return real(payment, token=token, by=by)

    monkeypatch.setattr(difference, "_authorize", other_tab_paid_first)
    with pytest.raises(errors.NothingToPay):
        pay(ret, token(), order)
    assert Event.objects.filter(type="ReturnPaidTwice").count() == 1
    deliver_all()  # the second payment is voided
    assert sorted(Payment.objects.filter(reference=ret.rma).values_list("status", flat=True)) == [
        "Authorized", "Voided"]


# A replacement returned or exchanged again

def shipped_replacement(order: Order, ret: ReturnRequest):
    receive(ret)
    ship_replacement(rma=ret.rma, by=STAFF)
    ship_all(order)
    deliver_due()  # the difference is captured
    return ReturnRequest.objects.get(pk=ret.pk).lines.get().replacement_line


def test_a_returned_replacement_refunds_what_was_paid_for_it_difference_included():
    order, ret = dearer_return()
    pay(ret, token(), order)
    replacement = shipped_replacement(order, ret)
    paid_for_one_shirt = refund_due(request_return(
        order_number=order.number, by=STAFF, lines=[refund_line(lines(order)[0])]))
    again = request_return(order_number=order.number, by=STAFF, lines=[refund_line(replacement)])

    assert refund_due(again) == paid_for_one_shirt + Decimal("5.10")
    txns = refund_return(rma=again.rma, by=STAFF)
    # card payments newest first: the difference's own card payment, then the order's
    assert [(t.payment.reference, t.amount) for t in txns] == [
        (ret.rma, Decimal("5.10")), (order.number, paid_for_one_shirt)]


def test_a_replacement_exchanged_again_is_priced_at_what_it_was_exchanged_for():
    order, ret = dearer_return()
    pay(ret, token(), order)
    replacement = shipped_replacement(order, ret)
    same = make_sellable_variant(price="25.00", on_hand=5)
    dearer = make_sellable_variant(price="30.00", on_hand=5)

    again = request_return(order_number=order.number, by=STAFF, lines=[
        exchange_line(replacement, same.pk)])
    line = again.lines.get()
    assert (line.credit, line.charge) == (Decimal(0), Decimal(0))
    cancel_return(rma=again.rma, by=STAFF)
    again = request_return(order_number=order.number, by=STAFF, lines=[
        exchange_line(replacement, dearer.pk)])
    assert again.lines.get().charge == Decimal("5.00")
