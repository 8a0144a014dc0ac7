"""Pure helpers of the orders app: number formatting, address snapshots, shipment plans, what
is captured or refunded when parcels ship or are cancelled, the words a shopper reads for
an order's and a parcel's status, and an order's row in the accounting export."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal

from mercato.core.money import Money, round_money
from mercato.inventory.rules import Allocation, Group
from mercato.orders.states import OrderStatus, ShipmentStatus
from mercato.payments.rules import payment_label
from mercato.pricing.rules.types import DeliveryQuote

ADDRESS_FIELDS = (
    "first_name", "last_name", "company_name", "street_address_1", "street_address_2", "city",
    "city_area", "postal_code", "country", "country_area", "phone",
)
REQUIRED_ADDRESS_FIELDS = ("first_name", "last_name", "street_address_1", "country")
MIXED_DELIVERY = ("mixed", "Several methods")


def format_order_number(*, prefix: str, value: int) -> str:
    return f"{prefix}{value}"


def format_shipment_number(*, order_number: str, position: int) -> str:
    """The order's n-th parcel, counted from 1: MRC-100001-2."""
    return f"{order_number}-{position}"


def address_errors(address: Mapping[str, object]) -> dict[str, list[str]]:
    """Field errors of an address snapshot: unknown fields and missing required ones.

    Per-country validation happens in checkout before the order is placed; this only guards
    the snapshot's shape."""
    errors: dict[str, list[str]] = {}
    for name in address:
        if name not in ADDRESS_FIELDS:
            errors[name] = ["Unknown address field."]
    for name in REQUIRED_ADDRESS_FIELDS:
        if not str(address.get(name) or "").strip():
            errors[name] = ["This field is required."]
    return errors


def address_snapshot(address: Mapping[str, object]) -> dict[str, str]:
    """The address as stored on the order: every field, blanks as "", the country upper case."""
    snapshot = {name: str(address.get(name) or "").strip() for name in ADDRESS_FIELDS}
    snapshot["country"] = snapshot["country"].upper()
    return snapshot


# --- shipments ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ShipmentPlan:
    """What the shopper sends to one address, as checkout planned it."""

    address: Mapping[str, str]  # validated address fields (keys of OrderAddress)
    delivery: DeliveryQuote | None  # the delivery method and fee for this shipment
    quantities: tuple[tuple[int, int], ...]  # (index into quote.lines, quantity)


@dataclass(frozen=True)
class ShipmentDraft:
    """One parcel to create: a plan's lines that one warehouse sends."""

    plan_index: int
    warehouse_id: int | None
    lines: tuple[tuple[int, int | None, int], ...]  # (quote line index, stock id, quantity)
    delivery_amount: Decimal
    awaiting: bool = False  # backordered units: the parcel waits for stock (AwaitingInventory)


def whole_order_plan(*, line_quantities: Sequence[int], address: Mapping[str, str],
                     delivery: DeliveryQuote | None) -> ShipmentPlan:
    """Every line in full to one address: the plan of an order without split shipments."""
    return ShipmentPlan(address, delivery, tuple(enumerate(line_quantities)))


def check_plans(*, line_quantities: Sequence[int], plans: Sequence[ShipmentPlan]) -> None:
    """ValueError unless the plans ship every line's quantity exactly, in positive parts."""
    if not plans:
        raise ValueError("An order needs at least one shipment plan.")
    shipped = [0] * len(line_quantities)
    for number, plan in enumerate(plans):
        if not plan.quantities:
            raise ValueError(f"Shipment plan {number} has no lines.")
        for index, quantity in plan.quantities:
            if not 0 <= index < len(line_quantities) or quantity <= 0:
                raise ValueError(f"Shipment plan {number} has ({index}, {quantity}): not a "
                                 f"quote line index and a positive quantity.")
            shipped[index] += quantity
    if shipped != list(line_quantities):
        raise ValueError(f"The shipment plans ship {shipped} of the lines' quantities "
                         f"{list(line_quantities)}.")


def allocation_groups(*, plans: Sequence[ShipmentPlan],
                      variant_ids: Sequence[int | None]) -> list[Group]:
    """The stock each plan needs, for inventory's allocate_stock (lines without a variant have
    no stock to allocate)."""
    return [(number, [(variant_ids[index], quantity) for index, quantity in plan.quantities
                      if variant_ids[index] is not None])
            for number, plan in enumerate(plans)]


def delivery_summary(plans: Sequence[ShipmentPlan]) -> tuple[str, str, Decimal]:
    """The order's delivery method (code, name; "mixed" when the plans differ) and fee total."""
    methods = {(p.delivery.code, p.delivery.name) if p.delivery else ("", "") for p in plans}
    code, name = methods.pop() if len(methods) == 1 else MIXED_DELIVERY
    total = sum((p.delivery.amount.amount for p in plans if p.delivery), Decimal(0))
    return code, name, total


def shipment_drafts(*, plans: Sequence[ShipmentPlan], variant_ids: Sequence[int | None],
                    allocations: Sequence[Allocation]) -> list[ShipmentDraft]:
    """One parcel per (plan, warehouse the plan's stock was allocated in), in plan order then
    in the order the allocation chose the warehouses, then one awaiting parcel for the plan's
    backordered units. The plan's delivery fee goes on its first parcel; lines without stock to
    allocate travel in that first parcel too."""
    drafts: list[ShipmentDraft] = []
    for number, plan in enumerate(plans):
        own = [a for a in allocations if a.group_index == number]
        keys = [*dict.fromkeys((a.warehouse_id, a.is_backorder) for a in own
                               if not a.is_backorder)]
        keys += [(None, True)] if any(a.is_backorder for a in own) else []
        parcels: dict[tuple[int | None, bool], dict[tuple[int, int | None], int]] = {
            key: {} for key in keys} or {(None, False): {}}
        first = next(iter(parcels))
        left = {id(a): a.quantity for a in own}
        for index, quantity in plan.quantities:
            variant_id = variant_ids[index]
            if variant_id is None:
                _add(parcels[first], (index, None), quantity)
                continue
            for allocation in (a for a in own if a.variant_id == variant_id):
                part = min(quantity, left[id(allocation)])
                if part:
                    left[id(allocation)] -= part
                    quantity -= part
                    _add(parcels[(allocation.warehouse_id, allocation.is_backorder)],
                         (index, allocation.stock_id), part)
            if quantity:
                raise ValueError(f"Plan {number}: {quantity} units of line {index} have no "
                                 f"allocation.")
        fee = plan.delivery.amount.amount if plan.delivery else Decimal(0)
        drafts += [
            ShipmentDraft(number, warehouse_id,
                          tuple((i, stock_id, q) for (i, stock_id), q in lines.items()),
                          fee if key == first else Decimal(0), awaiting)
            for key, lines in parcels.items()
            for warehouse_id, awaiting in [key]
        ]
    return drafts


def _add(lines: dict[tuple[int, int | None], int], key: tuple[int, int | None],
         quantity: int) -> None:
    lines[key] = lines.get(key, 0) + quantity


# --- payments of shipments ---------------------------------------------------------------------

def cancelled_value(*, lines: Iterable[tuple[Decimal, int, int]], delivery: Iterable[Decimal],
                    currency: str) -> Decimal:
    """What cancelled parcels were worth to the shopper: for each of their lines (order line
    gross, order line quantity, units in the parcel) the gross pro rata, plus each parcel's
    delivery fee as charged; rounded once, half up, to the currency's minor unit."""
    value = sum((gross * units / quantity for gross, quantity, units in lines), Decimal(0))
    value += sum(delivery, Decimal(0))
    return round_money(Money(value, currency)).amount


def split_amount(amount: Decimal, limits: Sequence[Decimal]) -> list[Decimal]:
    """`amount` taken from each limit in turn (the order's payments, oldest first): each part
    is at most its limit, the parts add up to min(amount, sum of limits), later ones get 0."""
    parts = []
    left = max(amount, Decimal(0))
    for limit in limits:
        part = min(left, max(limit, Decimal(0)))
        parts.append(part)
        left -= part
    return parts


# --- what the shopper reads ----------------------------------------------------------------------
# Customer pages, emails and the customer API's `status_label` say these; the back office keeps
# the state names. A hold is shown as "Processing": it is the shop's internal check (fraud, a
# stock question), and what the shopper needs to know is that the order is not shipped yet.

SHIPMENT_LABELS = {
    ShipmentStatus.AWAITING_INVENTORY: "Preparing",
    ShipmentStatus.INVENTORY_ASSIGNED: "Preparing",
    ShipmentStatus.RELEASED: "Preparing",
    ShipmentStatus.PACKING: "Preparing",
    ShipmentStatus.ON_HOLD: "Preparing",
    ShipmentStatus.SHIPPED: "Shipped",
    ShipmentStatus.CANCELLED: "Cancelled",
}
ORDER_LABELS = {
    OrderStatus.IN_PROGRESS: "Processing",
    OrderStatus.ON_HOLD: "Processing",
    OrderStatus.PARTIALLY_SHIPPED: "Partly shipped",
    OrderStatus.COMPLETED: "Shipped",
    OrderStatus.AWAITING_EXCHANGE: "Exchange in progress",
    OrderStatus.CANCELLED: "Cancelled",
}
DELIVERED = "Delivered"
# What an order's payments add up to, beside the payment statuses themselves.
PAYMENT_MIXED = "Mixed"
PAYMENT_NONE = "NoPayment"
ORDER_PAYMENT_LABELS = {PAYMENT_MIXED: "Several payments", PAYMENT_NONE: "No payment"}


def shipment_label(status: str, *, is_delivered: bool) -> str:
    """A parcel as the shopper reads it: Preparing, Shipped (in transit), Delivered, Cancelled."""
    if status == ShipmentStatus.SHIPPED and is_delivered:
        return DELIVERED
    return SHIPMENT_LABELS.get(status, status)


def order_label(status: str, *, is_delivered: bool) -> str:
    """An order as the shopper reads it: a Completed order is Shipped while a parcel is still
    on its way and Delivered once every parcel that was not cancelled arrived."""
    if status == OrderStatus.COMPLETED and is_delivered:
        return DELIVERED
    return ORDER_LABELS.get(status, status)


def all_delivered(parcels: Iterable[tuple[str, bool]]) -> bool:
    """Whether every (status, delivered) parcel that was not cancelled arrived (and one did)."""
    live = [delivered for status, delivered in parcels if status != ShipmentStatus.CANCELLED]
    return bool(live) and all(live)


def order_payment_label(state: str) -> str:
    """An order's payment state (selectors.payment_state) as the shopper reads it."""
    return ORDER_PAYMENT_LABELS.get(state) or payment_label(state)


# --- the accounting export ------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "number", "placed_at", "status", "email", "customer_name", "billing_country", "currency",
    "subtotal", "discount", "delivery", "tax", "total", "prices_include_tax", "payment_status",
    "payment_methods", "captured", "refunded",
)
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection): text the
# shopper typed gets a leading apostrophe, which spreadsheets show as plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportedOrder:
    """What the accounting export says of one order; amounts in the order's currency."""

    number: str
    placed_at: datetime  # aware, in the shop's time zone
    status: str
    email: str
    billing_name: str
    billing_country: str
    currency: str
    subtotal: Decimal
    discount: Decimal
    delivery: Decimal
    tax: Decimal
    total: Decimal
    prices_include_tax: bool
    payment_status: str
    payment_methods: tuple[str, ...]
    captured: Decimal
    refunded: Decimal


def placed_between(placed_from: date, placed_to: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The instants [start, end) of the days `placed_from` to `placed_to`, both included, as
    the clocks of `zone` show them (a day may be 23 or 25 hours long)."""
    start = datetime.combine(placed_from, time.min, tzinfo=zone)
    end = datetime.combine(placed_to + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def export_filename(*, placed_from: date, placed_to: date, status: str | None = None) -> str:
    """orders-2025-03-01-to-2025-03-31.csv, with -Completed before .csv for one status."""
    suffix = f"-{status}" if status else ""
    return f"orders-{placed_from:%Y-%m-%d}-to-{placed_to:%Y-%m-%d}{suffix}.csv"


def export_row(order: ExportedOrder) -> list[str]:
    """The order's CSV row, in EXPORT_COLUMNS order: amounts as plain decimals rounded to the
    currency's minor unit (19.99, JPY 1500), the time as ISO 8601 with its offset."""

    def amount(value: Decimal) -> str:
        return f"{round_money(Money(value, order.currency)).amount:f}"

    return [
        order.number, order.placed_at.isoformat(timespec="seconds"), order.status,
        as_text(order.email), as_text(order.billing_name), order.billing_country,
        order.currency, amount(order.subtotal), amount(order.discount), amount(order.delivery),
        amount(order.tax), amount(order.total), "true" if order.prices_include_tax else "false",
        order.payment_status, ";".join(order.payment_methods), amount(order.captured),
        amount(order.refunded),
    ]


def as_text(value: str) -> str:
    """A cell spreadsheets do not evaluate (see FORMULA_STARTS)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
