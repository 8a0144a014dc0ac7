"""django-ninja schemas of the returns API: a customer's returns and a warehouse's receiving."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from mercato.catalog.schemas import MoneyOut
from mercato.core.money import Money
from mercato.core.schema_types import whole_number_from
from mercato.returns import selectors
from mercato.returns.models import (
    Condition,
    ReceivingReceipt,
    Resolution,
    ReturnLine,
    ReturnReason,
    ReturnRequest,
)

MAX_RETURN_LINES = 100
MAX_QUANTITY = 10_000
NOTE_MAX_LENGTH = 500

ReasonIn = Literal[tuple(ReturnReason.values)]  # type: ignore[valid-type]
ResolutionIn = Literal[tuple(Resolution.values)]  # type: ignore[valid-type]
ConditionIn = Literal[tuple(Condition.values)]  # type: ignore[valid-type]


class ReturnLineIn(Schema):
    order_line_id: str = Field(
        min_length=1, max_length=24, examples=["q3N8xP0aLw2vT6yR"],
        description="The `id` of a shipped line of the order: `lines[].id` of "
                    "GET /orders/{number} (a guest's order: of POST /orders/lookup).")
    quantity: whole_number_from(1, MAX_QUANTITY)
    reason: ReasonIn = Field(description="faulty, wrong_item, not_as_described, does_not_fit, "
                                         "changed_mind or other.")
    resolution: ResolutionIn = Field(description="refund, or exchange for `exchange_sku`.")
    exchange_sku: str | None = Field(None, max_length=64, description="The variant wanted "
                                     "instead (same or another); needed for an exchange.")
    note: str = Field("", max_length=NOTE_MAX_LENGTH)


class ReturnCreateIn(Schema):
    order_number: str = Field(min_length=1, max_length=32)
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=MAX_RETURN_LINES)


class ReturnLineOut(Schema):
    id: str = Field(description="The return line's public id: what POST "
                                "/warehouse/returns/{rma}/receive takes as "
                                "`lines[].return_line_id`.", examples=["Vb7kQ2mZr9Xw4NcE"])
    order_line_id: str = Field(description="The `id` of the order line returned "
                                           "(`lines[].id` of GET /orders/{number}).")
    sku: str
    title: str
    variant: str
    quantity: int
    reason: str
    resolution: str
    exchange_sku: str | None
    note: str
    credit: MoneyOut = Field(description="A cheaper replacement: the difference refunded.")
    charge: MoneyOut = Field(description="A dearer replacement: the difference to pay.")


class ReceiptLineOut(Schema):
    return_line_id: str = Field(description="The `id` of the return line received.")
    quantity: int
    condition: str


class ReceiptOut(Schema):
    number: str
    warehouse: str = Field(description="The code of the receiving warehouse.")
    received_by: str
    created_at: datetime
    lines: list[ReceiptLineOut]


class ReturnRefundOut(Schema):
    amount: MoneyOut
    succeeded: bool
    created_at: datetime


class ReturnPaymentOut(Schema):
    id: str
    method: str
    status: str = Field(description="Pending, Authorized, Captured, Voided, Failed, ...")
    amount: MoneyOut


class ReturnOut(Schema):
    id: str = Field(description="The return's public id.")
    rma: str = Field(description="Return merchandise authorization number: write it on the "
                                 "parcel.")
    order_number: str
    status: str = Field(description="Requested, AwaitingStockReturn, AwaitingCompletion, "
                                    "Complete, Rejected or Cancelled.")
    status_reason: str
    return_to: str | None = Field(description="The code of the warehouse to send it to.")
    lines: list[ReturnLineOut]
    receipt: ReceiptOut | None = Field(description="What the warehouse received; null until "
                                                   "then.")
    refunds: list[ReturnRefundOut]
    replacement_shipment: str | None = Field(description="The replacement parcel's number.")
    exchange_difference: MoneyOut = Field(
        description="What the dearer replacements cost more than the items they replace.")
    difference_to_pay: MoneyOut = Field(
        description="What the customer still has to pay (POST /returns/{rma}/payment) before "
                    "the replacement ships; 0 once paid or waived by the shop.")
    difference_waived: bool
    payments: list[ReturnPaymentOut] = Field(description="Payments of the difference.")
    created_at: datetime
    updated_at: datetime


class ReturnListOut(Schema):
    items: list[ReturnOut]
    count: int


class DifferencePaymentIn(Schema):
    method: Literal["card", "paypal"]
    token: str = Field(min_length=1, max_length=255, description="A card token "
                       "(POST /test-gateway/tokens) or a PayPal approval token.")


class ReceivedLineIn(Schema):
    return_line_id: str = Field(
        min_length=1, max_length=24, examples=["Vb7kQ2mZr9Xw4NcE"],
        description="The `id` of a line of this return: `lines[].id` of "
                    "GET /warehouse/returns/{rma}.")
    quantity: whole_number_from(1, MAX_QUANTITY)
    condition: ConditionIn = Field(description="resellable (restocked) or damaged (not).")


class ReceiveIn(Schema):
    warehouse: str = Field(min_length=1, max_length=32, description="The code of the "
                                                                    "warehouse receiving it.")
    lines: list[ReceivedLineIn] = Field(min_length=1, max_length=MAX_RETURN_LINES)


def line_out(line: ReturnLine, currency: str) -> ReturnLineOut:
    order_line = line.order_line
    exchange = line.exchange_variant
    return ReturnLineOut(
        id=line.public_id, order_line_id=order_line.public_id, sku=order_line.sku,
        title=order_line.product_title, variant=order_line.variant_name,
        quantity=line.quantity, reason=line.reason, resolution=line.resolution,
        exchange_sku=exchange.sku if exchange is not None else None, note=line.note,
        credit=MoneyOut.from_money(Money(line.credit, currency)),
        charge=MoneyOut.from_money(Money(line.charge, currency)))


def receipt_out(receipt: ReceivingReceipt) -> ReceiptOut:
    return ReceiptOut(
        number=receipt.number, warehouse=receipt.warehouse.code,
        received_by=receipt.received_by, created_at=receipt.created_at,
        lines=[ReceiptLineOut(return_line_id=line.return_line.public_id, quantity=line.quantity,
                              condition=line.condition) for line in receipt.lines.all()])


def receipt_of(return_request: ReturnRequest) -> ReceivingReceipt | None:
    """The receipt selectors.return_detail loaded, else the row's own (one more query)."""
    if hasattr(return_request, "receiving_receipt"):
        return return_request.receiving_receipt
    try:
        return return_request.receipt
    except ReceivingReceipt.DoesNotExist:
        return None


def return_out(return_request: ReturnRequest) -> ReturnOut:
    receipt = receipt_of(return_request)
    currency = return_request.order.currency
    replacement = return_request.replacement_shipment
    lines = list(return_request.lines.all())
    payments = selectors.difference_payments(return_request)
    difference = selectors.difference_of(return_request)
    return ReturnOut(
        id=return_request.public_id, rma=return_request.rma,
        order_number=return_request.order.number, status=return_request.status,
        status_reason=return_request.status_reason,
        return_to=return_request.warehouse.code if return_request.warehouse else None,
        lines=[line_out(line, currency) for line in lines],
        receipt=receipt_out(receipt) if receipt is not None else None,
        refunds=[ReturnRefundOut(amount=MoneyOut.from_amount(refund.amount, currency),
                                 succeeded=refund.succeeded, created_at=refund.created_at)
                 for refund in return_request.refunds.all()],
        replacement_shipment=replacement.number if replacement is not None else None,
        exchange_difference=MoneyOut.from_money(Money(difference.charge, currency)),
        difference_to_pay=MoneyOut.from_money(Money(difference.unpaid, currency)),
        difference_waived=return_request.difference_waived,
        payments=[ReturnPaymentOut(id=p.public_id, method=p.method, status=p.status,
                                   amount=MoneyOut.from_money(Money(p.amount, p.currency)))
                  for p in payments],
        created_at=return_request.created_at, updated_at=return_request.updated_at)


def return_list_out(returns: list[ReturnRequest]) -> ReturnListOut:
    return ReturnListOut(items=[return_out(item) for item in returns], count=len(returns))
