"""Cancelling releases stock and voids or refunds payments; capture takes authorized money."""

from decimal import Decimal

import pytest

from mercato.core.events import Actor
from mercato.core.models import Event
from mercato.core.money import Money
from mercato.core.states import IllegalTransition
from mercato.inventory.models import Stock
from mercato.orders.errors import OrderAlreadyShipped, OrderNotFound
from mercato.orders.models import Order, Shipment
from mercato.orders.services import cancel_order, capture_order_payments
from mercato.orders.states import OrderStatus, ShipmentStatus
from mercato.payments.gateways import get_gateway
from mercato.payments.models import GiftCard, Payment, Transaction
from mercato.payments.services import (
    authorize_payment,
    capture_payment,
    create_payment,
    issue_gift_card,
)
from mercato.payments.states import PaymentStatus
from tests.factories import StockFactory, WarehouseFactory
from tests.orders.builders import make_quote, place, variants_of
from tests.outbox import deliver_all

STAFF = Actor("staff", "boss@example.com")


def card_payment(order: Order, amount: str = "20.00") -> Payment:
    payment = create_payment(reference=order.number, method="card",
                             amount=Money(Decimal(amount), order.currency))
    token = get_gateway("test").tokenize_card("4242424242424242", 12, 2030, "123")
    authorize_payment(payment_id=payment.public_id, token=token,
                      idempotency_key=f"auth:{payment.public_id}")
    return payment


def gift_card_payment(order: Order, code: str = "GIFT-0001") -> Payment:
    issue_gift_card(code=code, amount=Money(Decimal("50.00"), order.currency))
    payment = create_payment(reference=order.number, method="gift_card",
                             amount=Money(Decimal("10.00"), order.currency))
    authorize_payment(payment_id=payment.public_id, token=code,
                      idempotency_key=f"auth:{payment.public_id}")
    return payment


def status(payment: Payment) -> str:
    payment.refresh_from_db()
    return payment.status


def allocated() -> list[int]:
    return list(Stock.objects.order_by("pk").values_list("allocated", flat=True))


def order_events(order: Order) -> list[str]:
    return list(Event.objects.filter(aggregate_id=order.public_id).order_by("id")
                .values_list("type", flat=True))


@pytest.mark.django_db
def test_cancel_releases_allocated_stock_and_cancels_the_shipments():
    quote = make_quote(on_hand=0)
    shirt, mug = variants_of(quote)
    north = WarehouseFactory(code="north", name="North", priority=20)
    StockFactory(variant=shirt, warehouse=north, on_hand=5)
    StockFactory(variant=mug, warehouse=north, on_hand=0)
    Stock.objects.filter(variant=mug, warehouse__code="main").update(on_hand=4)
    order = place(quote)
    assert order.shipments.count() == 2
    assert sum(allocated()) == 3

    cancel_order(public_id=order.public_id, by=STAFF, reason="customer asked")

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert set(order.shipments.values_list("status", flat=True)) == {ShipmentStatus.CANCELLED}
    assert allocated() == [0, 0, 0, 0]
    assert order_events(order)[-3:] == ["ShipmentCancelled", "ShipmentCancelled",
                                        "OrderCancelled"]
    released = Event.objects.filter(type="StockReleased")
    assert {e.payload["reference"] for e in released} == {order.public_id}
    assert Event.objects.get(type="OrderCancelled").payload["reason"] == "customer asked"


@pytest.mark.django_db
def test_cancel_voids_an_authorized_card_payment():
    order = place(make_quote())
    payment = card_payment(order)

    cancel_order(public_id=order.public_id, by=STAFF)
    assert status(payment) == PaymentStatus.AUTHORIZED  # the cancellation calls no gateway
    deliver_all()  # OrderCancelled reaches the settlement

    assert status(payment) == PaymentStatus.VOIDED
    void = Transaction.objects.get(payment=payment, kind="void")
    assert (void.succeeded, void.idempotency_key) == (True, f"cancel:{payment.public_id}")
    voided = Event.objects.get(aggregate_id=order.public_id, type="OrderPaymentVoided")
    assert (voided.payload["payment_id"], voided.payload["succeeded"], voided.actor) == (
        payment.public_id, True, "system")


@pytest.mark.django_db
def test_cancel_refunds_a_captured_payment_in_full():
    order = place(make_quote())
    payment = card_payment(order, "20.00")
    capture_payment(payment_id=payment.public_id, idempotency_key="cap-1")

    cancel_order(public_id=order.public_id, by=STAFF)
    deliver_all()

    assert status(payment) == PaymentStatus.REFUNDED
    refund = Transaction.objects.get(payment=payment, kind="refund")
    assert (refund.amount, refund.idempotency_key) == (Decimal("20.00"),
                                                       f"cancel:{payment.public_id}")
    assert "OrderPaymentRefunded" in order_events(order)


@pytest.mark.django_db
def test_cancel_gives_an_authorized_gift_card_amount_back():
    order = place(make_quote())
    payment = gift_card_payment(order)
    assert GiftCard.objects.get().balance == Decimal("40.00")

    cancel_order(public_id=order.public_id, by=STAFF)
    deliver_all()

    assert status(payment) == PaymentStatus.VOIDED
    assert GiftCard.objects.get().balance == Decimal("50.00")


@pytest.mark.django_db
def test_cancel_leaves_cash_on_delivery_pending_and_other_orders_payments_alone():
    quote = make_quote()
    order, other = place(quote), place(quote)
    cash = create_payment(reference=order.number, method="cash_on_delivery",
                          amount=Money(Decimal("20.00"), "EUR"))
    others = card_payment(other)

    cancel_order(public_id=order.public_id, by=STAFF)

    assert (status(cash), status(others)) == (PaymentStatus.PENDING, PaymentStatus.AUTHORIZED)
    assert not Transaction.objects.filter(payment=cash).exists()


@pytest.mark.django_db
def test_an_order_with_a_shipped_shipment_cannot_be_cancelled_and_nothing_changes():
    quote = make_quote(on_hand=0)
    shirt, mug = variants_of(quote)
    north = WarehouseFactory(code="north", name="North", priority=20)
    StockFactory(variant=shirt, warehouse=north, on_hand=5)
    Stock.objects.filter(variant=mug, warehouse__code="main").update(on_hand=4)
    order = place(quote)
    payment = card_payment(order)
    first = order.shipments.first()
    Shipment.objects.filter(pk=first.pk).update(status=ShipmentStatus.SHIPPED)
    events_before = Event.objects.count()

    with pytest.raises(OrderAlreadyShipped) as raised:
        cancel_order(public_id=order.public_id, by=STAFF)

    assert first.number in raised.value.detail
    assert isinstance(raised.value, IllegalTransition) and raised.value.status == 409
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PROGRESS
    assert sorted(order.shipments.values_list("status", flat=True)) == [
        ShipmentStatus.INVENTORY_ASSIGNED, ShipmentStatus.SHIPPED]
    assert sum(allocated()) == 3
    assert status(payment) == PaymentStatus.AUTHORIZED
    assert Event.objects.count() == events_before


@pytest.mark.django_db
def test_a_shipment_cancelled_before_is_not_released_twice():
    order = place(make_quote(on_hand=5))
    Shipment.objects.filter(order=order).update(status=ShipmentStatus.CANCELLED)

    cancel_order(public_id=order.public_id, by=STAFF)

    assert allocated() == [2, 1]  # whoever cancelled that shipment releases its stock
    assert "ShipmentCancelled" not in order_events(order)


@pytest.mark.django_db
def test_capture_order_payments_captures_every_authorized_payment():
    order = place(make_quote())
    card, gift = card_payment(order), gift_card_payment(order)
    cash = create_payment(reference=order.number, method="cash_on_delivery",
                          amount=Money(Decimal("5.00"), "EUR"))

    captured = capture_order_payments(public_id=order.public_id, by=STAFF)

    assert [(t.payment_id, t.kind, t.succeeded) for t in captured] == [
        (card.pk, "capture", True), (gift.pk, "capture", True)]
    assert [t.idempotency_key for t in captured] == [f"capture:{card.public_id}",
                                                     f"capture:{gift.public_id}"]
    assert [status(p) for p in (card, gift, cash)] == [
        PaymentStatus.CAPTURED, PaymentStatus.CAPTURED, PaymentStatus.PENDING]
    assert order_events(order).count("OrderPaymentCaptured") == 2
    assert capture_order_payments(public_id=order.public_id, by=STAFF) == []


@pytest.mark.django_db
def test_payments_of_a_cancelled_order_are_not_captured():
    order = place(make_quote())
    cancel_order(public_id=order.public_id, by=STAFF)
    payment = card_payment(order)  # e.g. an authorization that arrived late

    with pytest.raises(IllegalTransition):
        capture_order_payments(public_id=order.public_id, by=STAFF)

    assert status(payment) == PaymentStatus.AUTHORIZED
    assert "OrderPaymentCaptured" not in order_events(order)


@pytest.mark.django_db
@pytest.mark.parametrize("service", [cancel_order, capture_order_payments])
def test_cancelling_or_capturing_an_unknown_order_is_not_found(service):
    with pytest.raises(OrderNotFound):
        service(public_id="nope", by=STAFF)
    assert not Event.objects.exists()
