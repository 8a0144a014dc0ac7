"""What a return owes and has been paid back (reads the other return services share)."""

from decimal import Decimal

from django.db.models import Sum

from mercato.returns import rules
from mercato.returns.models import (
    ReceiptLine,
    ReceivingReceipt,
    Resolution,
    ReturnRequest,
)


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
            total += rules.unit_share(line_total=line.order_line.gross,
                                      line_quantity=line.order_line.quantity,
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
