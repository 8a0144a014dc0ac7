"""The words a shopper reads for order, parcel, payment and return statuses (no database)."""

from decimal import Decimal

import pytest

from mercato.orders.rules import (
    PAYMENT_MIXED,
    PAYMENT_NONE,
    all_delivered,
    order_label,
    order_payment_label,
    shipment_label,
)
from mercato.orders.states import OrderStatus, ShipmentStatus
from mercato.payments.rules import payment_label
from mercato.payments.states import PaymentStatus
from mercato.returns.rules import Settlement, completion_note, return_label
from mercato.returns.states import ReturnStatus


@pytest.mark.parametrize(("status", "delivered", "label"), [
    (OrderStatus.IN_PROGRESS, False, "Processing"),
    (OrderStatus.ON_HOLD, False, "Processing"),
    (OrderStatus.PARTIALLY_SHIPPED, False, "Partly shipped"),
    (OrderStatus.COMPLETED, False, "Shipped"),
    (OrderStatus.COMPLETED, True, "Delivered"),
    (OrderStatus.CANCELLED, False, "Cancelled"),
])
def test_order_labels(status, delivered, label):
    assert order_label(status, is_delivered=delivered) == label


@pytest.mark.parametrize(("status", "delivered", "label"), [
    *((status, False, "Preparing") for status in (
        ShipmentStatus.AWAITING_INVENTORY, ShipmentStatus.INVENTORY_ASSIGNED,
        ShipmentStatus.RELEASED, ShipmentStatus.PACKING, ShipmentStatus.ON_HOLD)),
    (ShipmentStatus.SHIPPED, False, "Shipped"),
    (ShipmentStatus.SHIPPED, True, "Delivered"),
    (ShipmentStatus.CANCELLED, False, "Cancelled"),
])
def test_shipment_labels(status, delivered, label):
    assert shipment_label(status, is_delivered=delivered) == label


def test_every_state_has_a_label_of_its_own():
    for status in OrderStatus:
        assert order_label(status, is_delivered=False) != status.value or status == "Cancelled"
    for status in PaymentStatus:
        assert payment_label(status) != status.label or status in {"Refunded"}
    for status in ReturnStatus:
        assert return_label(status)


def test_an_order_is_delivered_once_every_parcel_not_cancelled_arrived():
    assert all_delivered([("Shipped", True), ("Cancelled", False)])
    assert not all_delivered([("Shipped", True), ("Shipped", False)])
    assert not all_delivered([("Cancelled", False)])


def test_payment_labels():
    assert payment_label(PaymentStatus.CAPTURED) == "Paid"
    assert payment_label(PaymentStatus.PARTIALLY_REFUNDED) == "Partly refunded"
    assert payment_label(PaymentStatus.VOIDED) == "Cancelled, not charged"
    assert order_payment_label(PAYMENT_MIXED) == "Several payments"
    assert order_payment_label(PAYMENT_NONE) == "No payment"
    assert order_payment_label(PaymentStatus.AUTHORIZED) == "Authorized, not charged yet"


def settled(*, refunded: str, exchange: bool) -> Settlement:
    return Settlement(is_faulty=False, has_receipt=True, refund_due=Decimal(refunded),
                      refunded=Decimal(refunded), needs_replacement=exchange,
                      replacement_shipped=exchange, currency="EUR")


def test_a_refund_only_return_says_what_was_refunded():
    assert completion_note(settled(refunded="42", exchange=False)) == (
        "Refunded 42.00 EUR to your original payment.")


def test_an_exchange_says_the_replacement_shipped():
    assert completion_note(settled(refunded="0", exchange=True)) == (
        "Your replacement has shipped.")


def test_a_refund_and_an_exchange_say_both():
    assert completion_note(settled(refunded="5.5", exchange=True)) == (
        "Refunded 5.50 EUR to your original payment. Your replacement has shipped.")
