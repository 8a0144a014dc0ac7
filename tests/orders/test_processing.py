"""Shipments through their states (orders.services): release, hold, pack, ship, deliver,
cancel; the order following its shipments; capture on ship; release on payment."""

from decimal import Decimal

import pytest
from django.test import override_settings

from mercato.core.events import Actor
from mercato.core.models import Event
from mercato.core.money import Money
from mercato.core.outbox import deliver_due
from mercato.core.states import IllegalTransition
from mercato.inventory.models import Stock
from mercato.orders.errors import InvalidShipmentData, OrderOnHold, ShipmentNotFound
from mercato.orders.models import Order, Shipment
from mercato.orders.services import (
    cancel_shipment,
    confirm_delivery,
    hold_order,
    hold_shipment,
    mark_shipment_shipped,
    pack_shipments,
    release_shipment,
    release_shipment_hold,
)
from mercato.orders.states import SHIPMENT_TRANSITIONS, OrderStatus, ShipmentStatus
from mercato.payments.models import Payment
from mercato.payments.services import create_payment
from mercato.payments.states import PaymentStatus
from tests.factories import StockFactory, WarehouseFactory
from tests.orders.builders import make_quote, place, variants_of
from tests.orders.test_cancel_and_capture import card_payment, status
from tests.outbox import deliver_all

pytestmark = pytest.mark.django_db
STAFF = Actor("staff", "warehouse@example.com")
SS = ShipmentStatus


def one_shipment_order() -> tuple[Order, Shipment]:
    order = place(make_quote())
    return order, order.shipments.get()


def two_shipment_order() -> tuple[Order, Shipment, Shipment]:
    """Shirts only in the main warehouse, mugs only in the second: two parcels."""
    quote = make_quote(on_hand=0)
    shirt, mug = variants_of(quote)
    Stock.objects.filter(variant=shirt).update(on_hand=5)
    StockFactory(variant=mug, warehouse=WarehouseFactory(code="second", priority=20),
                 on_hand=5)
    order = place(quote)
    first, second = order.shipments.order_by("pk")
    return order, first, second


def ship(shipment: Shipment, **overrides) -> Shipment:
    if shipment.status == SS.INVENTORY_ASSIGNED:
        release_shipment(public_id=shipment.public_id, by=STAFF)
    if Shipment.objects.get(pk=shipment.pk).status == SS.RELEASED:
        pack_shipments(public_ids=[shipment.public_id], by=STAFF, reference="PL-1")
    values = {"carrier": "DHL", "tracking_number": "JD014600006101790463",
              "tracking_url": "https://www.dhl.com/track?id=JD014600006101790463",
              "weight_grams": 1200} | overrides
    return mark_shipment_shipped(public_id=shipment.public_id, by=STAFF, **values)


def snapshot(order: Order) -> tuple:
    """Everything a refused move must leave as it was."""
    return (Order.objects.get(pk=order.pk).status,
            list(order.shipments.order_by("pk").values_list("status", "carrier")),
            list(Stock.objects.order_by("pk").values_list("on_hand", "allocated")),
            Event.objects.count())


def types(order: Order) -> list[str]:
    return list(Event.objects.filter(aggregate_id=order.public_id).order_by("pk")
                .values_list("type", flat=True))


# --- each transition ---------------------------------------------------------------------------

def test_the_happy_path_through_every_state_is_recorded():
    order, shipment = one_shipment_order()
    assert shipment.status == SS.INVENTORY_ASSIGNED
    assert release_shipment(public_id=shipment.public_id, by=STAFF).status == SS.RELEASED
    [packed] = pack_shipments(public_ids=[shipment.public_id], by=STAFF, reference="PL-7")
    assert packed.status == SS.PACKING
    shipped = ship(packed)
    assert shipped.status == SS.SHIPPED and shipped.shipped_at is not None
    assert (shipped.carrier, shipped.weight_grams) == ("DHL", 1200)
    assert types(order)[-4:] == ["ShipmentReleased", "ShipmentPacked", "ShipmentShipped",
                                 "OrderCompleted"]
    packed_event = Event.objects.get(type="ShipmentPacked")
    assert packed_event.payload["reference"] == "PL-7"
    assert packed_event.actor == str(STAFF)


def test_the_shipped_event_carries_what_the_email_needs():
    _order, shipment = one_shipment_order()
    ship(shipment)
    payload = Event.objects.get(type="ShipmentShipped").payload
    assert payload["number"] == shipment.number
    assert payload["email"] == "ada@example.com"
    assert payload["tracking_number"] == "JD014600006101790463"
    assert payload["tracking_url"].startswith("https://www.dhl.com/")
    assert payload["carrier"] == "DHL" and payload["warehouse"] == "main"


def test_shipping_takes_the_units_out_of_on_hand_and_allocated():
    _order, shipment = one_shipment_order()
    assert list(Stock.objects.order_by("pk").values_list("on_hand", "allocated")) == [
        (100, 2), (100, 1)]
    ship(shipment)
    assert list(Stock.objects.order_by("pk").values_list("on_hand", "allocated")) == [
        (98, 0), (99, 0)]
    assert Event.objects.filter(type="StockShipped").count() == 2


def test_hold_and_release_hold_keep_the_stock():
    _order, shipment = one_shipment_order()
    release_shipment(public_id=shipment.public_id, by=STAFF)
    held = hold_shipment(public_id=shipment.public_id, by=STAFF, reason="address check")
    assert held.status == SS.ON_HOLD
    assert Event.objects.get(type="ShipmentPutOnHold").payload["reason"] == "address check"
    assert list(Stock.objects.values_list("allocated", flat=True)) == [2, 1]
    assert release_shipment_hold(public_id=shipment.public_id,
                                 by=STAFF).status == SS.INVENTORY_ASSIGNED


ILLEGAL = [
    (status, action)
    for status in [SS.INVENTORY_ASSIGNED, SS.RELEASED, SS.PACKING, SS.SHIPPED, SS.ON_HOLD,
                   SS.CANCELLED]
    for action in ["release", "hold", "release_hold", "pack", "ship", "cancel"]
    if status not in SHIPMENT_TRANSITIONS.moves[action].source
]


def force(shipment: Shipment, status: str) -> None:
    """Walk the shipment to `status` through the services."""
    path = {SS.RELEASED: ["release"], SS.PACKING: ["release", "pack"],
            SS.SHIPPED: ["release", "pack", "ship"], SS.ON_HOLD: ["hold"],
            SS.CANCELLED: ["cancel"], SS.INVENTORY_ASSIGNED: []}[status]
    for action in path:
        call(action, shipment)


def call(action: str, shipment: Shipment):
    public_id = shipment.public_id
    return {
        "release": lambda: release_shipment(public_id=public_id, by=STAFF),
        "hold": lambda: hold_shipment(public_id=public_id, by=STAFF),
        "release_hold": lambda: release_shipment_hold(public_id=public_id, by=STAFF),
        "pack": lambda: pack_shipments(public_ids=[public_id], by=STAFF),
        "ship": lambda: mark_shipment_shipped(public_id=public_id, carrier="UPS",
                                              tracking_number="1Z999AA10123456784",
                                              tracking_url="", weight_grams=None, by=STAFF),
        "cancel": lambda: cancel_shipment(public_id=public_id, by=STAFF),
    }[action]()


@pytest.mark.parametrize(("start", "action"), ILLEGAL)
def test_a_move_not_in_the_table_is_refused_with_a_clear_error_and_changes_nothing(start,
                                                                                    action):
    order, first, _second = two_shipment_order()  # cancelling one leaves the order open
    force(first, start)
    before = snapshot(order)
    with pytest.raises(IllegalTransition) as raised:
        call(action, first)
    assert first.number in str(raised.value) and start in str(raised.value)
    assert snapshot(order) == before


def test_an_unknown_shipment_is_not_found():
    with pytest.raises(ShipmentNotFound):
        release_shipment(public_id="nope", by=STAFF)


def test_an_order_on_hold_stops_release_packing_and_shipping():
    order, first, second = two_shipment_order()
    release_shipment(public_id=second.public_id, by=STAFF)
    pack_shipments(public_ids=[second.public_id], by=STAFF)
    hold_order(public_id=order.public_id, by=STAFF, reason="fraud check")
    before = snapshot(order)
    with pytest.raises(OrderOnHold, match="on hold"):
        release_shipment(public_id=first.public_id, by=STAFF)
    with pytest.raises(OrderOnHold):
        mark_shipment_shipped(public_id=second.public_id, carrier="DHL", tracking_number="x",
                              tracking_url="", weight_grams=None, by=STAFF)
    assert snapshot(order) == before


def test_packing_is_all_or_nothing():
    order, first, second = two_shipment_order()
    release_shipment(public_id=first.public_id, by=STAFF)
    before = snapshot(order)
    with pytest.raises(IllegalTransition, match=second.number):
        pack_shipments(public_ids=[first.public_id, second.public_id], by=STAFF)
    assert snapshot(order) == before
    with pytest.raises(ShipmentNotFound):
        pack_shipments(public_ids=[first.public_id, "missing"], by=STAFF)
    assert snapshot(order) == before


def test_shipping_needs_a_carrier_and_a_positive_weight():
    _order, shipment = one_shipment_order()
    release_shipment(public_id=shipment.public_id, by=STAFF)
    pack_shipments(public_ids=[shipment.public_id], by=STAFF)
    with pytest.raises(InvalidShipmentData) as raised:
        mark_shipment_shipped(public_id=shipment.public_id, carrier=" ", tracking_number="1",
                              tracking_url="", weight_grams=0, by=STAFF)
    assert set(raised.value.as_dict()["errors"]) == {"carrier", "weight_grams"}
    assert Shipment.objects.get(pk=shipment.pk).status == SS.PACKING


# --- the order follows its shipments ------------------------------------------------------------

def test_the_order_is_partially_shipped_then_completed():
    order, first, second = two_shipment_order()
    ship(first)
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    ship(second)
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert types(order).count("OrderCompleted") == 1


# --- payments ---------------------------------------------------------------------------------

def test_shipping_captures_the_authorized_payment():
    order, shipment = one_shipment_order()
    payment = card_payment(order, amount=str(order.total))
    ship(shipment)
    assert status(payment) == PaymentStatus.AUTHORIZED  # shipping calls no gateway
    deliver_all()  # ShipmentShipped reaches the settlement
    assert status(payment) == PaymentStatus.CAPTURED
    assert payment.transactions.get(kind="capture").amount == order.total
    assert "OrderPaymentCaptured" in types(order)


def test_the_second_parcel_captures_nothing_more():
    order, first, second = two_shipment_order()
    payment = card_payment(order, amount=str(order.total))
    ship(first)
    deliver_all()
    ship(second)
    deliver_all()
    assert payment.transactions.filter(kind="capture").count() == 1


def test_a_parcel_cancelled_before_capture_is_captured_for_less():
    order, first, second = two_shipment_order()
    payment = card_payment(order, amount=str(order.total))
    cancel_shipment(public_id=second.public_id, by=STAFF, reason="damaged in stock")
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PROGRESS
    ship(first)
    deliver_all()
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    mug_line = order.lines.get(sku=variants_of_order(order)[1])
    captured = payment.transactions.get(kind="capture").amount
    assert captured == order.total - mug_line.gross - second.delivery_amount


def variants_of_order(order: Order) -> list[str]:
    return list(order.lines.order_by("pk").values_list("sku", flat=True))


def test_a_parcel_cancelled_after_capture_is_refunded():
    order, first, second = two_shipment_order()
    payment = card_payment(order, amount=str(order.total))
    ship(first)
    deliver_all()
    cancel_shipment(public_id=second.public_id, by=STAFF)
    deliver_all()
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    refund = payment.transactions.get(kind="refund")
    mug_line = order.lines.get(sku=variants_of_order(order)[1])
    assert refund.amount == mug_line.gross + second.delivery_amount
    assert status(payment) == PaymentStatus.PARTIALLY_REFUNDED


def test_cancelling_the_last_open_shipment_cancels_the_order_and_voids_the_payment():
    order, shipment = one_shipment_order()
    payment = card_payment(order, amount=str(order.total))
    release_shipment(public_id=shipment.public_id, by=STAFF)
    cancelled = cancel_shipment(public_id=shipment.public_id, by=STAFF, reason="customer")
    assert cancelled.status == SS.CANCELLED
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    deliver_all()
    assert status(payment) == PaymentStatus.VOIDED
    assert list(Stock.objects.values_list("allocated", flat=True)) == [0, 0]


def test_cancelling_one_of_two_releases_its_stock_only():
    _order, first, second = two_shipment_order()
    cancel_shipment(public_id=second.public_id, by=STAFF, reason="out of print")
    assert Shipment.objects.get(pk=first.pk).status == SS.INVENTORY_ASSIGNED
    assert sorted(Stock.objects.values_list("warehouse__code", "allocated")) == [
        ("main", 0), ("main", 2), ("second", 0)]
    event = Event.objects.get(type="ShipmentCancelled")
    assert event.payload["reason"] == "out of print"


def test_cash_on_delivery_is_marked_paid_when_the_delivery_is_confirmed():
    order, shipment = one_shipment_order()
    cash = create_payment(reference=order.number, method="cash_on_delivery",
                          amount=Money(order.total, order.currency))
    ship(shipment)
    deliver_all()
    assert status(cash) == PaymentStatus.PENDING
    delivered = confirm_delivery(public_id=shipment.public_id, by=STAFF)
    assert delivered.delivered_at is not None
    deliver_all()
    assert status(cash) == PaymentStatus.CAPTURED
    with pytest.raises(IllegalTransition, match="already delivered"):
        confirm_delivery(public_id=shipment.public_id, by=STAFF)


def test_a_delivery_cannot_be_confirmed_before_shipping():
    _order, shipment = one_shipment_order()
    with pytest.raises(IllegalTransition):
        confirm_delivery(public_id=shipment.public_id, by=STAFF)


# --- release on payment -------------------------------------------------------------------------

@override_settings(MERCATO_RELEASE_MODE="on_payment")
def test_on_payment_the_shipments_are_released_once_the_payment_is_authorized():
    order, _first, _second = two_shipment_order()
    card_payment(order, amount=str(order.total))
    deliver_due()
    assert set(order.shipments.values_list("status", flat=True)) == {SS.RELEASED}


@override_settings(MERCATO_RELEASE_MODE="on_payment")
def test_on_payment_an_order_on_hold_or_unpaid_is_not_released():
    quote = make_quote()
    order, held = place(quote), place(quote)
    create_payment(reference=order.number, method="card",
                   amount=Money(Decimal("5.00"), order.currency))  # never authorized
    deliver_due()
    assert order.shipments.get().status == SS.INVENTORY_ASSIGNED
    hold_order(public_id=held.public_id, by=STAFF)
    card_payment(held, amount=str(held.total))
    deliver_due()
    assert held.shipments.get().status == SS.INVENTORY_ASSIGNED


def test_manual_mode_leaves_release_to_staff():
    order, shipment = one_shipment_order()
    card_payment(order, amount=str(order.total))
    deliver_due()
    assert Shipment.objects.get(pk=shipment.pk).status == SS.INVENTORY_ASSIGNED
    assert Payment.objects.get(reference=order.number).status == PaymentStatus.AUTHORIZED
