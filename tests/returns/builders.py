"""Shipped orders to return: placed from tests.orders.builders' quote (shirt x2, mug x1),
paid (card, or card + gift card, or cash on delivery) and shipped, so payments are captured."""

from decimal import Decimal

from mercato.core.events import Actor
from mercato.core.money import Money
from mercato.orders.models import Order, OrderLine
from mercato.orders.services import mark_shipment_shipped, pack_shipments, release_shipment
from mercato.payments.gateways import get_gateway
from mercato.payments.models import Payment
from mercato.payments.services import (
    authorize_payment,
    create_payment,
    issue_gift_card,
)
from mercato.returns.services import ReturnLineRequest
from tests.orders.builders import make_quote, place
from tests.outbox import deliver_all

STAFF = Actor("staff", "cs@example.com")
CUSTOMER = Actor("customer", "ada@example.com")
GIFT = "GIFT-RET-1"


def card(order: Order, amount: Decimal) -> Payment:
    payment = create_payment(reference=order.number, method="card",
                             amount=Money(amount, order.currency))
    token = get_gateway("test").tokenize_card("4242424242424242", 12, 2030, "123")
    authorize_payment(payment_id=payment.public_id, token=token,
                      idempotency_key=f"auth:{payment.public_id}")
    return payment


def gift_card(order: Order, amount: Decimal) -> Payment:
    issue_gift_card(code=GIFT, amount=Money(Decimal("100.00"), order.currency))
    payment = create_payment(reference=order.number, method="gift_card",
                             amount=Money(amount, order.currency))
    authorize_payment(payment_id=payment.public_id, token=GIFT,
                      idempotency_key=f"auth:{payment.public_id}")
    return payment


def ship_all(order: Order) -> None:
    for shipment in order.shipments.exclude(status__in=["Shipped", "Cancelled"]):
        if shipment.status == "InventoryAssigned":
            release_shipment(public_id=shipment.public_id, by=STAFF)
        pack_shipments(public_ids=[shipment.public_id], by=STAFF)
        mark_shipment_shipped(public_id=shipment.public_id, carrier="DHL",
                              tracking_number="00340434161094042557", tracking_url="",
                              weight_grams=None, by=STAFF)
    deliver_all()  # the worker captures the payments (and emails the tracking link)


def shipped_order(*, gift: Decimal | None = None, on_hand: int = 100) -> Order:
    """A Completed order paid by card (and `gift` of it by gift card), all shipped."""
    order = place(make_quote(on_hand=on_hand))
    if gift is not None:
        gift_card(order, gift)
    card(order, order.total - (gift or Decimal(0)))
    ship_all(order)
    order.refresh_from_db()
    return order


def lines(order: Order) -> tuple[OrderLine, OrderLine]:
    shirt, mug = order.lines.order_by("id")[:2]
    return shirt, mug


def refund_line(line: OrderLine, quantity: int = 1, reason: str = "changed_mind"
                ) -> ReturnLineRequest:
    return ReturnLineRequest(order_line_id=line.public_id, quantity=quantity, reason=reason,
                             resolution="refund")


def exchange_line(line: OrderLine, variant_id: int, quantity: int = 1,
                  reason: str = "does_not_fit") -> ReturnLineRequest:
    return ReturnLineRequest(order_line_id=line.public_id, quantity=quantity, reason=reason,
                             resolution="exchange", exchange_variant_id=variant_id)
