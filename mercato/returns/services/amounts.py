"""What a return owes and has been paid back (reads the other return services share)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from mercato.orders.models import OrderLine
from mercato.returns import rules
from mercato.returns.models import (
    ReceiptLine,
    ReceivingReceipt,
    Resolution,
    ReturnLine,
    ReturnRequest,
)


@dataclass(frozen=True)
class LineValue:
    """An order line as returns value it: its list price a unit, what the whole line was
    paid (after discounts, tax included) and its quantity."""

    unit_price: Decimal
    paid: Decimal
    quantity: int


def line_value(order_line: OrderLine, currency: str) -> LineValue:
    """A replacement line is on the order at no charge (the order's totals and payments stay
    as they were); returns value it as the units it replaced were paid, plus the difference
    the customer paid for it, less the difference refunded, at the exchange variant's price
    of the time — so returning or exchanging a replacement again is fair."""
    source = (ReturnLine.objects.select_related("order_line")
              .filter(replacement_line=order_line).first())
    if source is None:
        return _as_ordered(order_line)
    replaced = line_value(source.order_line, currency)
    paid = rules.unit_share(line_total=replaced.paid, line_quantity=replaced.quantity,
                            quantity=source.quantity, currency=currency)
    return LineValue(source.exchange_unit_price or replaced.unit_price,
                     paid + source.charge - source.credit, source.quantity)


def line_values(order_lines: list[OrderLine], currency: str) -> dict[int, LineValue]:
    """line_value of each line, by id: one query (and one more per replacement line)."""
    replaced = set(ReturnLine.objects.filter(replacement_line__in=order_lines)
                   .values_list("replacement_line_id", flat=True))
    return {line.pk: line_value(line, currency) if line.pk in replaced else _as_ordered(line)
            for line in order_lines}


def _as_ordered(order_line: OrderLine) -> LineValue:
    return LineValue(order_line.unit_price, order_line.gross, order_line.quantity)


def refund_due(ret: ReturnRequest) -> Decimal:
    """What the return is owed in all: refund lines' share of what was paid (the received
    units once received), exchange credits, and the delivery fee once included."""
    received = _received_by_line(ret)
    total = ret.delivery_refunded
    for line in ret.lines.select_related("order_line"):
        if line.resolution == Resolution.EXCHANGE:
            total += line.credit
            continue
        quantity = received.get(line.pk, 0) if received is not None else line.quantity
        if quantity:
            value = line_value(line.order_line, ret.order.currency)
            total += rules.unit_share(line_total=value.paid, line_quantity=value.quantity,
                                      quantity=quantity, currency=ret.order.currency)
    return total


def refunded_amount(ret: ReturnRequest) -> Decimal:
    return (ret.refunds.filter(succeeded=True).aggregate(total=Sum("amount"))["total"]
            or Decimal(0))


def _received_by_line(ret: ReturnRequest) -> dict[int, int] | None:
    if not ReceivingReceipt.objects.filter(return_request=ret).exists():
        return None
    rows = (ReceiptLine.objects.filter(receipt__return_request=ret)
            .values_list("return_line_id").annotate(total=Sum("quantity")))
    return dict(rows)
