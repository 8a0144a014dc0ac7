"""Reads of orders, each a bounded number of queries whatever the number of lines, shipments
or payments.

An order's payments are not a relation (payments come before orders in the flow and refer to
the order by its number): the detail selectors load them with one query by reference and attach
them as `order.payments`, a list of Payment rows with their transactions prefetched.
"""

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, tzinfo

from django.db.models import (
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from mercato.core.models import Event
from mercato.core.selectors import About, history
from mercato.orders.errors import OrderNotFound
from mercato.orders.events import OrderPlaced
from mercato.orders.models import (
    AddressKind,
    Order,
    OrderAddress,
    OrderLine,
    Shipment,
    ShipmentLine,
)
from mercato.orders.rules import (
    EXPORT_COLUMNS,
    PAYMENT_MIXED,
    PAYMENT_NONE,
    ExportedOrder,
    all_delivered,
    export_row,
    order_label,
    placed_between,
)
from mercato.orders.states import ShipmentStatus
from mercato.payments.events import PaymentCreated
from mercato.payments.models import Payment
from mercato.payments.selectors import PaymentTotals, payment_totals_by_reference
from mercato.payments.states import PaymentStatus

DETAIL_PREFETCH = (
    "lines", "addresses", "discounts", "shipments",
    Prefetch("shipments__lines", queryset=ShipmentLine.objects.select_related("order_line")),
)

# What an order's payments add up to (PAYMENT_MIXED, PAYMENT_NONE), beside the payment
# statuses themselves, as the back office names them.
PAYMENT_STATE_CHOICES = (
    *PaymentStatus.choices, (PAYMENT_MIXED, "Mixed"), (PAYMENT_NONE, "No payment"),
)


# --- one order, whole ---------------------------------------------------------------------------

def order_detail(*, public_id: str, customer_id: int | None = None) -> Order:
    """The order with its lines, addresses, discounts, shipments (with their lines) and
    payments (with their transactions): 8 queries. With `customer_id`, only that customer's
    order: another customer's is not found, as if it did not exist."""
    orders = Order.objects.filter(public_id=public_id)
    if customer_id is not None:
        orders = orders.filter(customer_id=customer_id)
    return _whole(orders, missing="There is no such order.")


def customer_order_detail(*, number: str, customer_id: int) -> Order:
    """The customer's order by its number, whole (as `order_detail`); another's is not found."""
    orders = Order.objects.filter(number=number.strip(), customer_id=customer_id)
    return _whole(orders, missing="There is no such order.")


def order_for_guest(*, number: str, email: str) -> Order:
    """Guest lookup: the order number and the email it was placed with (any letter case).
    A wrong number and a wrong email get the same answer: neither tells which was wrong."""
    orders = Order.objects.filter(number=number.strip(), email__iexact=email.strip())
    return _whole(orders, missing="There is no order with this number and email.")


def order_public_id_by_number(*, number: str) -> str:
    """The public id of the order with this number (1 query), for callers that know orders
    by number (an OMS) and call the services, which take public ids; OrderNotFound if none."""
    public_id = Order.objects.filter(number=number.strip()).values_list(
        "public_id", flat=True).first()
    if public_id is None:
        raise OrderNotFound(f"There is no order {number.strip()}.")
    return public_id


def _whole(orders: QuerySet[Order], *, missing: str) -> Order:
    order = orders.prefetch_related(*DETAIL_PREFETCH).first()
    if order is None:
        raise OrderNotFound(missing)
    order.payments = order_payments(order=order)
    return order


def with_tracking_events(order: Order) -> Order:
    """The order, read whole, with each shipment's tracking events oldest first (1 query):
    what the shopper's tracking page adds to the order."""
    prefetch_related_objects(list(order.shipments.all()), "tracking_events")
    return order


def order_payments(*, order: Order) -> list[Payment]:
    """The order's payments (by its number), oldest first, with their transactions (2 queries)."""
    return list(Payment.objects.filter(reference=order.number).prefetch_related("transactions")
                .order_by("created_at", "id"))


def shipments_with_lines(shipments: QuerySet[Shipment]) -> QuerySet[Shipment]:
    """Shipments with their order, warehouse and lines (each line's SKU): 2 queries."""
    return shipments.select_related("order", "warehouse").prefetch_related(
        Prefetch("lines", queryset=ShipmentLine.objects.select_related("order_line")))


def order_history(*, order: Order) -> list[Event]:
    """Every event recorded for the order, oldest first (1 query)."""
    return history(About(OrderPlaced.aggregate_type, order.public_id))


def order_timeline(*, order: Order) -> list[Event]:
    """The order's events and those of its payments (found by the order number), merged in
    time order (1 query): what the back office shows as the order's history."""
    payment_ids = Payment.objects.filter(reference=order.number).values("public_id")
    return history(About(OrderPlaced.aggregate_type, order.public_id),
                   About(PaymentCreated.aggregate_type, payment_ids))


# --- lists --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OrderSummary:
    """A row of a customer's order list."""

    order: Order
    item_count: int
    payment_state: str


@dataclass(frozen=True)
class OrderPage:
    items: list[OrderSummary]
    page: int
    page_size: int
    total: int
    pages: int


def orders_for_customer(*, customer_id: int) -> QuerySet[Order]:
    """The customer's orders, newest first, with their lines (2 queries once evaluated)."""
    return (Order.objects.filter(customer_id=customer_id)
            .order_by("-created_at", "-id").prefetch_related("lines"))


def order_page_for_customer(*, customer_id: int, page: int, page_size: int) -> OrderPage:
    """One page of the customer's orders, newest first, each with its item count and payment
    state (3 queries: count, rows, payments)."""
    orders = Order.objects.filter(customer_id=customer_id)
    total = orders.count()
    offset = (page - 1) * page_size
    ordered = with_delivery_state(with_item_count(orders)).order_by("-created_at", "-id")
    rows = list(ordered[offset:offset + page_size])
    states = payment_states_by_number(order.number for order in rows) if rows else {}
    items = [OrderSummary(order, order.item_count, states[order.number]) for order in rows]
    return OrderPage(items=items, page=page, page_size=page_size, total=total,
                     pages=-(-total // page_size))


def orders_for_back_office() -> QuerySet[Order]:
    """Purchase orders with their customer, item count and payment state (one query a page)."""
    return with_payment_state(with_item_count(Order.objects.select_related("customer")))


def with_delivery_state(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Annotate whether a parcel of the order (not cancelled) has not arrived yet, for
    `status_label` without reading the shipments."""
    waiting = (Shipment.objects.filter(order=OuterRef("pk"), delivered_at__isnull=True)
               .exclude(status=ShipmentStatus.CANCELLED))
    return orders.annotate(has_undelivered_parcel=Exists(waiting))


def status_label(order: Order) -> str:
    """The order's status as the shopper reads it (rules.order_label), for an order read with
    its shipments (the detail selectors) or through `with_delivery_state`."""
    waiting = getattr(order, "has_undelivered_parcel", None)
    delivered = all_delivered((s.status, s.delivered_at is not None)
                              for s in order.shipments.all()) if waiting is None else not waiting
    return order_label(order.status, is_delivered=delivered)


def with_item_count(orders: QuerySet[Order]) -> QuerySet[Order]:
    units = (OrderLine.objects.filter(order=OuterRef("pk")).values("order")
             .annotate(units=Sum("quantity")).values("units"))
    return orders.annotate(item_count=Coalesce(Subquery(units, output_field=IntegerField()),
                                               Value(0)))


# --- payment state: one word for all of an order's payments -----------------------------------

def payment_state(statuses: Collection[str]) -> str:
    """The payments' common status; `Mixed` when they differ, `NoPayment` when there are none.

    A failed attempt (a declined card the shopper replaced) does not count beside a payment
    that went through: only when every payment failed is the order's payment state Failed."""
    live = {status for status in statuses if status != PaymentStatus.FAILED}
    if not live:
        return PaymentStatus.FAILED.value if statuses else PAYMENT_NONE
    return live.pop() if len(live) == 1 else PAYMENT_MIXED


def payment_state_label(state: str) -> str:
    return dict(PAYMENT_STATE_CHOICES).get(state, state)


def payment_states_by_number(numbers: Iterable[str]) -> dict[str, str]:
    """{order number: payment state} for these orders (1 query)."""
    statuses: dict[str, list[str]] = {number: [] for number in numbers}
    rows = Payment.objects.filter(reference__in=list(statuses)).values_list("reference", "status")
    for reference, status in rows:
        statuses[reference].append(status)
    return {number: payment_state(found) for number, found in statuses.items()}


def with_payment_state(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Annotate, in SQL, what `payment_state` decides on, so lists show and filter by it: the
    lowest and highest status of the payments that did not fail (equal: they share one) and
    whether the order has any payment at all."""
    payments = Payment.objects.filter(reference=OuterRef("number"))
    live = payments.exclude(status=PaymentStatus.FAILED).values("reference")
    return orders.annotate(
        payment_low=Subquery(live.annotate(low=Min("status")).values("low")[:1]),
        payment_high=Subquery(live.annotate(high=Max("status")).values("high")[:1]),
        has_payment=Exists(payments),
    )


def annotated_payment_state(order: Order) -> str:
    """`payment_state` of an order read through `with_payment_state`."""
    if order.payment_low is None:
        return PaymentStatus.FAILED.value if order.has_payment else PAYMENT_NONE
    return order.payment_low if order.payment_low == order.payment_high else PAYMENT_MIXED


def filter_payment_state(orders: QuerySet[Order], state: str) -> QuerySet[Order]:
    """Orders (annotated by `with_payment_state`) whose payment state is `state`."""
    if state == PAYMENT_NONE:
        return orders.filter(has_payment=False)
    if state == PaymentStatus.FAILED:
        return orders.filter(has_payment=True, payment_low__isnull=True)
    if state == PAYMENT_MIXED:
        return orders.filter(payment_low__isnull=False).exclude(payment_low=F("payment_high"))
    return orders.filter(payment_low=state, payment_high=state)


def orders_placed_count() -> int:
    """Every order placed, for the metrics (one COUNT)."""
    return Order.objects.count()


# --- the accounting export ------------------------------------------------------------------------

EXPORT_PAGE_SIZE = 500


def order_export_rows(*, placed_from: date, placed_to: date, status: str | None = None,
                      page_size: int = EXPORT_PAGE_SIZE) -> Iterator[Sequence[str]]:
    """The export's header (rules.EXPORT_COLUMNS), then one row per order of
    `orders_for_export`: what the CSV download writes, one page of orders in memory at a time."""
    yield EXPORT_COLUMNS
    for order in orders_for_export(placed_from=placed_from, placed_to=placed_to, status=status,
                                   page_size=page_size):
        yield export_row(order)


def orders_for_export(*, placed_from: date, placed_to: date, status: str | None = None,
                      page_size: int = EXPORT_PAGE_SIZE) -> Iterator[ExportedOrder]:
    """Orders placed on the days `placed_from` to `placed_to`, both included, as the shop's
    clock shows them (TIME_ZONE), only those in `status` when given; oldest first.

    Read in keyset pages of `page_size`, 4 queries a page (orders, their billing addresses,
    payments, ledger sums), so memory holds one page whatever the range."""
    zone = timezone.get_default_timezone()
    start, end = placed_between(placed_from, placed_to, zone)
    orders = Order.objects.filter(created_at__gte=start, created_at__lt=end)
    if status:
        orders = orders.filter(status=status)
    for page in _keyset_pages(orders, page_size):
        payments = payment_totals_by_reference([order.number for order in page])
        for order in page:
            yield _exported(order, payments[order.number], zone)


def _keyset_pages(orders: QuerySet[Order], page_size: int) -> Iterator[list[Order]]:
    """`orders` by (created_at, id) in pages, each read from after the last row of the one
    before: no OFFSET to skip over, and no cursor held open while the client downloads."""
    billing = Prefetch("addresses", to_attr="billing_addresses",
                       queryset=OrderAddress.objects.filter(kind=AddressKind.BILLING))
    ordered = orders.order_by("created_at", "id").prefetch_related(billing)
    page = list(ordered[:page_size])
    while page:
        yield page
        if len(page) < page_size:
            return
        last = page[-1]
        after = Q(created_at__gt=last.created_at) | Q(created_at=last.created_at, id__gt=last.id)
        page = list(ordered.filter(after)[:page_size])


def _exported(order: Order, payments: PaymentTotals, zone: tzinfo) -> ExportedOrder:
    billing = order.billing_addresses[0] if order.billing_addresses else None
    return ExportedOrder(
        number=order.number, placed_at=timezone.localtime(order.created_at, zone),
        status=order.status, email=order.email,
        billing_name=f"{billing.first_name} {billing.last_name}".strip() if billing else "",
        billing_country=billing.country if billing else "", currency=order.currency,
        subtotal=order.subtotal, discount=order.discount_total, delivery=order.delivery_total,
        tax=order.tax_total, total=order.total, prices_include_tax=order.prices_include_tax,
        payment_status=payment_state(payments.statuses),
        payment_methods=tuple(payments.methods), captured=payments.captured,
        refunded=payments.refunded,
    )
