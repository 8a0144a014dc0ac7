"""Reads of orders, each a bounded number of queries whatever the number of lines."""

from django.db.models import QuerySet

from mercato.core.models import Event
from mercato.orders.errors import OrderNotFound
from mercato.orders.events import OrderPlaced
from mercato.orders.models import Order

DETAIL_PREFETCH = ("lines", "addresses", "discounts")


def order_detail(*, public_id: str, customer_id: int | None = None) -> Order:
    """The order with its lines, addresses and discounts (4 queries). With `customer_id`, only
    that customer's order: another customer's is not found, as if it did not exist."""
    orders = Order.objects.filter(public_id=public_id)
    if customer_id is not None:
        orders = orders.filter(customer_id=customer_id)
    order = orders.prefetch_related(*DETAIL_PREFETCH).first()
    if order is None:
        raise OrderNotFound("There is no such order.")
    return order


def orders_for_customer(*, customer_id: int) -> QuerySet[Order]:
    """The customer's orders, newest first, with their lines (2 queries once evaluated)."""
    return (Order.objects.filter(customer_id=customer_id)
            .order_by("-created_at", "-id").prefetch_related("lines"))


def order_for_guest(*, number: str, email: str) -> Order:
    """Guest lookup: the order number and the email it was placed with (any letter case)."""
    order = (Order.objects.filter(number=number.strip(), email__iexact=email.strip())
             .prefetch_related(*DETAIL_PREFETCH).first())
    if order is None:
        raise OrderNotFound("There is no order with this number and email.")
    return order


def order_history(*, order: Order) -> list[Event]:
    """Every event recorded for the order, oldest first (1 query)."""
    events = Event.objects.filter(aggregate_type=OrderPlaced.aggregate_type,
                                  aggregate_id=order.public_id)
    return list(events.order_by("id"))
