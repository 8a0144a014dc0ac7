"""Receiving a return: the receipt, the restock of resellable units."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from mercato.core.events import Actor
from mercato.core.states import IllegalTransition
from mercato.inventory.models import Warehouse
from mercato.inventory.services import receive_stock
from mercato.returns import errors
from mercato.returns.events import (
    ReturnReceived,
)
from mercato.returns.models import (
    Condition,
    ReceiptLine,
    ReceivingReceipt,
    ReturnLine,
)
from mercato.returns.services.common import (
    _advance,
    _locked_return,
)
from mercato.returns.services.completion import complete_if_settled
from mercato.returns.states import (
    ReturnStatus,
)


@dataclass(frozen=True)
class ReceivedLine:
    return_line_id: str  # the return line's public id (its `id` in the returns API)
    quantity: int
    condition: str  # "resellable" | "damaged"


# Receiving

def receive_return(*, rma: str, lines: Sequence[ReceivedLine], warehouse_id: int,
                   by: Actor) -> ReceivingReceipt:
    """Record what arrived: issue the receiving receipt, restock the resellable units in
    `warehouse_id` (damaged ones are not restocked), AwaitingStockReturn -> AwaitingCompletion
    (-> Complete when its refund and replacement were already done)."""
    with transaction.atomic():
        _, ret = _locked_return(rma)
        if ret.status != ReturnStatus.AWAITING_STOCK_RETURN:
            raise IllegalTransition(f"Cannot receive return {ret.rma}: it is {ret.status}.",
                                    action="receive", current_status=ret.status)
        warehouse = Warehouse.objects.filter(pk=warehouse_id).first()
        if warehouse is None:
            raise errors.InvalidReturn(f"There is no warehouse {warehouse_id}.",
                                       errors={"warehouse_id": ["Unknown warehouse."]})
        by_id = {line.public_id: line for line in ret.lines.select_related("order_line")}
        _check_received(lines, by_id)
        receipt = ReceivingReceipt.objects.create(
            number=ret.rma.replace("RMA-", "RR-", 1), return_request=ret,
            warehouse=warehouse, received_by=str(by))
        merged: dict[tuple[str, str], int] = {}
        for line in lines:
            key = (line.return_line_id, line.condition)
            merged[key] = merged.get(key, 0) + line.quantity
        ReceiptLine.objects.bulk_create(
            ReceiptLine(receipt=receipt, return_line_id=by_id[line_id].pk, quantity=quantity,
                        condition=condition)
            for (line_id, condition), quantity in sorted(merged.items()))
        _restock(merged, by_id, warehouse_id, by)
        resellable = sum(q for (_, c), q in merged.items() if c == Condition.RESELLABLE)
        damaged = sum(q for (_, c), q in merged.items() if c == Condition.DAMAGED)
        _advance(ret, "receive", ReturnReceived, by=by, receipt_number=receipt.number,
                 warehouse=warehouse.code, resellable_units=resellable, damaged_units=damaged)
        complete_if_settled(rma=rma, by=by)  # refunded or replaced before the goods came back
    return receipt


def _check_received(lines: Sequence[ReceivedLine], by_id: dict[str, ReturnLine]) -> None:
    if not lines:
        raise errors.InvalidReturn("Record at least one received line.")
    totals: dict[str, int] = {}
    for line in lines:
        if line.return_line_id not in by_id:
            raise errors.InvalidReturn(f"Line {line.return_line_id} is not in this return.",
                                       return_line_id=line.return_line_id)
        if line.condition not in Condition.values:
            raise errors.InvalidReturn(f"Unknown condition {line.condition!r}.",
                                       errors={"condition": ["Resellable or damaged."]})
        if line.quantity <= 0:
            raise errors.InvalidReturn("A received quantity must be positive.")
        totals[line.return_line_id] = totals.get(line.return_line_id, 0) + line.quantity
    for line_id, quantity in totals.items():
        if quantity > by_id[line_id].quantity:
            raise errors.OverReturn(
                f"Line {line_id} was returned with {by_id[line_id].quantity} units; "
                f"{quantity} were recorded.", return_line_id=line_id,
                limit=by_id[line_id].quantity)


def _restock(merged: dict[tuple[str, str], int], by_id: dict[str, ReturnLine],
             warehouse_id: int, by: Actor) -> None:
    units: dict[int, int] = {}
    for (line_id, condition), quantity in merged.items():
        variant_id = by_id[line_id].order_line.variant_id
        if condition == Condition.RESELLABLE and variant_id is not None:
            units[variant_id] = units.get(variant_id, 0) + quantity
    for variant_id in sorted(units):  # the stock lock order: the same rows, the same order
        receive_stock(variant_id=variant_id, warehouse_id=warehouse_id,
                      quantity=units[variant_id], by=by)
