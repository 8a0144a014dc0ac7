"""Reads of returns for the storefront, the API and the back office, each a bounded number of
queries whatever the number of lines."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum

from mercato.inventory.models import Warehouse
from mercato.orders.models import Order, OrderLine, Shipment, ShipmentLine
from mercato.orders.states import ShipmentStatus
from mercato.payments.models import Payment
from mercato.returns import errors, rules
from mercato.returns.models import ReceiptLine, ReceivingReceipt, ReturnLine, ReturnRequest
from mercato.returns.states import ReturnStatus

LINES = Prefetch("lines", queryset=ReturnLine.objects.select_related(
    "order_line", "exchange_variant__product", "replacement_line"))
RECEIPT_LINES = Prefetch("lines", queryset=ReceiptLine.objects.select_related(
    "return_line__order_line"))
RECEIPTS_LINES = Prefetch("receipt__lines", queryset=ReceiptLine.objects.select_related(
    "return_line"))  # the receipts of a list of returns


@dataclass(frozen=True)
class ReturnableOrderLine:
    """An order line a return form offers: how many units may still be returned, until when."""

    line: OrderLine
    returnable: int
    last_shipped_at: datetime | None


def returns_for_customer(customer_id: int) -> QuerySet[ReturnRequest]:
    return (ReturnRequest.objects.filter(order__customer_id=customer_id)
            .select_related("order").prefetch_related(LINES).order_by("-created_at", "-id"))


def returns_for_order(order: Order) -> QuerySet[ReturnRequest]:
    return (ReturnRequest.objects.filter(order=order).prefetch_related(LINES)
            .order_by("-created_at", "-id"))


def returns_for_back_office(status: str | None = None) -> QuerySet[ReturnRequest]:
    rows = ReturnRequest.objects.select_related("order", "warehouse")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-id")


def return_detail(rma: str, *, customer_id: int | None = None) -> ReturnRequest:
    """A return with its order, lines, receipt and refunds; ReturnNotFound if unknown (or,
    with `customer_id`, not that customer's)."""
    rows = ReturnRequest.objects.select_related(
        "order", "warehouse", "replacement_shipment").prefetch_related(LINES, "refunds")
    if customer_id is not None:
        rows = rows.filter(order__customer_id=customer_id)
    ret = rows.filter(rma=rma).first()
    if ret is None:
        raise errors.ReturnNotFound(f"There is no return {rma}.")
    ret.receiving_receipt = (ReceivingReceipt.objects.select_related("warehouse")  # type: ignore[attr-defined]
                             .prefetch_related(RECEIPT_LINES)
                             .filter(return_request=ret).first())
    return with_payments([ret])[0]


def with_payments(returns: list[ReturnRequest]) -> list[ReturnRequest]:
    """Attach each return's difference payments (they refer to its RMA): one query."""
    by_rma: dict[str, list[Payment]] = {ret.rma: [] for ret in returns}
    for payment in Payment.objects.filter(reference__in=by_rma).order_by("pk"):
        by_rma[payment.reference].append(payment)
    for ret in returns:
        ret.difference_payments = by_rma[ret.rma]  # type: ignore[attr-defined]
    return returns


def difference_payments(ret: ReturnRequest) -> list[Payment]:
    """The payments with_payments attached, else the return's own (one query)."""
    if hasattr(ret, "difference_payments"):
        return ret.difference_payments
    return list(Payment.objects.filter(reference=ret.rma).order_by("pk"))


@dataclass(frozen=True)
class DifferenceDue:
    charge: Decimal  # what the dearer replacements cost more than the items they replace
    unpaid: Decimal  # what the customer still has to pay (0 once paid or waived)


def difference_of(ret: ReturnRequest) -> DifferenceDue:
    """A return's price difference, from its lines and payments (no query when return_detail
    or with_payments loaded them)."""
    charge = sum((line.charge for line in ret.lines.all()), Decimal(0))
    secured = rules.secured_amount((p.status, p.amount) for p in difference_payments(ret))
    return DifferenceDue(charge, rules.difference_unpaid(charge=charge, secured=secured,
                                                         waived=ret.difference_waived))


def warehouse_to_return_to(ret: ReturnRequest) -> Warehouse | None:
    """Where the parcel goes back: the return's warehouse (request_return names the one its
    lines shipped from; staff may change it). Without one, the warehouse the order's goods
    first shipped from -- they go back where they came from, the rule request_return follows
    -- else the one that ships first (Warehouse's order), where most of the stock is."""
    if ret.warehouse is not None:
        return ret.warehouse
    shipped = (Shipment.objects.filter(order_id=ret.order_id, warehouse__isnull=False,
                                       status=ShipmentStatus.SHIPPED)
               .select_related("warehouse").order_by("shipped_at", "id").first())
    if shipped is not None:
        return shipped.warehouse
    return Warehouse.objects.filter(is_active=True).first()


def receipt_detail(number: str) -> ReceivingReceipt:
    receipt = (ReceivingReceipt.objects
               .select_related("warehouse", "return_request__order")
               .prefetch_related(RECEIPT_LINES).filter(number=number).first())
    if receipt is None:
        raise errors.ReceiptNotFound(f"There is no receiving receipt {number}.")
    return receipt


def returnable_lines(order: Order,
                     exclude_return_id: int | None = None) -> dict[str, rules.ReturnableLine]:
    """Per order line public id: units shipped, units in returns not cancelled or rejected,
    and when the line last shipped (the return window counts from it)."""
    shipped: dict[str, tuple[int, datetime | None]] = {}
    rows = ShipmentLine.objects.filter(shipment__order=order,
                                       shipment__status=ShipmentStatus.SHIPPED)
    for line_id, quantity, shipped_at in rows.values_list("order_line__public_id", "quantity",
                                                          "shipment__shipped_at"):
        total, last = shipped.get(line_id, (0, None))
        shipped[line_id] = (total + quantity,
                            max(filter(None, [last, shipped_at]), default=None))
    returned = dict(
        ReturnLine.objects.filter(return_request__order=order)
        .filter(~Q(return_request__status__in=[ReturnStatus.CANCELLED, ReturnStatus.REJECTED]))
        .exclude(return_request_id=exclude_return_id)
        .values_list("order_line__public_id").annotate(total=Sum("quantity")))
    return {line_id: rules.ReturnableLine(line_id, total, returned.get(line_id, 0), last)
            for line_id, (total, last) in shipped.items()}


def returnable_order_lines(order: Order) -> list[ReturnableOrderLine]:
    """The lines of `order` with units left to return (for a return form)."""
    facts = returnable_lines(order)
    return [ReturnableOrderLine(line, facts[line.public_id].returnable,
                                facts[line.public_id].last_shipped_at)
            for line in order.lines.order_by("id")
            if line.public_id in facts and facts[line.public_id].returnable > 0]


def return_for_guest(*, rma: str, email: str) -> ReturnRequest:
    """A guest's return: its RMA and the email its order was placed with (any letter case), as
    return_detail gives it. A wrong email answers as an unknown RMA: neither tells which."""
    rma, email = rma.strip(), email.strip()
    proven = bool(email) and ReturnRequest.objects.filter(
        rma=rma, order__email__iexact=email).exists()
    if not proven:
        raise errors.ReturnNotFound(f"There is no return {rma}.")
    return return_detail(rma)
