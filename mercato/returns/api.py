"""Returns API: a customer's own returns (list, detail, request one) and a warehouse app's
receiving (look a return up by its RMA, record what arrived, print the receipt).

Customers authenticate as for their orders (bearer token or session); another customer's
return answers 404 like an unknown one. Warehouse endpoints take a staff bearer token, as the
warehouse API does (fulfilment/api.py), and need the back office's permission for the same
work: viewing returns `returns.view_returnrequest`, receiving `returns.add_receivingreceipt`
(the Warehouse role holds both; Customer Service does not receive).
"""

from django.http import HttpRequest, HttpResponse
from ninja import Router

from mercato.catalog.models import ProductVariant
from mercato.checkout.errors import PaymentActionRequired, PaymentDeclined
from mercato.core.events import Actor
from mercato.core.openapi import answers
from mercato.core.states import IllegalTransition
from mercato.customers.auth import customer_auth
from mercato.fulfilment.api import allowed, staff_auth, warehouse_id_for
from mercato.fulfilment.errors import WarehouseNotFound
from mercato.fulfilment.pdf import pdf_response
from mercato.payments.errors import IdempotencyKeyReused, InvalidCard
from mercato.returns import errors, pdf, selectors, services
from mercato.returns.models import ReturnRequest
from mercato.returns.schemas import (
    DifferencePaymentIn,
    ReceiptOut,
    ReceiveIn,
    ReturnCreateIn,
    ReturnLineIn,
    ReturnListOut,
    ReturnOut,
    receipt_out,
    return_list_out,
    return_out,
)
from mercato.returns.states import WITH_INSTRUCTIONS

VIEW_RETURNS = "returns.view_returnrequest"
RECEIVE = "returns.add_receivingreceipt"

router = Router(tags=["returns"])

PAYING_THE_DIFFERENCE = (errors.ReturnNotFound, errors.NothingToPay, PaymentDeclined,
                         PaymentActionRequired, InvalidCard, IdempotencyKeyReused)


def customer_return(request: HttpRequest, rma: str) -> ReturnRequest:
    """The return if it is the caller's, else ReturnNotFound (404) as for an unknown RMA."""
    return selectors.return_detail(rma, customer_id=request.auth.pk)


def instructions_response(ret: ReturnRequest) -> HttpResponse:
    """The instructions PDF once the return is approved (409 before, or once it is closed)."""
    if ret.status not in WITH_INSTRUCTIONS:
        raise errors.InstructionsNotReady(
            f"Return {ret.rma} is {ret.status}: its instructions come with its approval.",
            status=ret.status)
    return pdf_response(pdf.return_instructions_pdf(rma=ret.rma), f"return-{ret.rma}.pdf")


def exchange_variant_id(line: ReturnLineIn) -> int | None:
    if line.exchange_sku is None:
        return None
    variant_id = (ProductVariant.objects.filter(sku=line.exchange_sku)
                  .values_list("pk", flat=True).first())
    if variant_id is None:
        raise errors.InvalidReturn(
            f"There is no product variant {line.exchange_sku} to exchange for.")
    return variant_id


@router.get("/returns", response=ReturnListOut, auth=customer_auth,
            summary="The logged-in customer's returns, newest first")
def list_returns(request: HttpRequest) -> ReturnListOut:
    returns = (selectors.returns_for_customer(request.auth.pk)
               .select_related("warehouse", "replacement_shipment", "receipt__warehouse")
               .prefetch_related("refunds", selectors.RECEIPTS_LINES))
    return return_list_out(selectors.with_payments(list(returns)))


@router.post("/returns", response={201: ReturnOut}, auth=customer_auth,
             summary="Request a return of shipped lines of one of the customer's orders")
@answers(errors.OrderNotReturnable, errors.InvalidReturn, errors.OverReturn,
         errors.ReturnWindowClosed)
def create_return(request: HttpRequest, payload: ReturnCreateIn) -> tuple[int, ReturnOut]:
    """Only shipped quantities not already returned, within the return window (422 otherwise).
    The return starts Requested when the shop approves returns, else AwaitingStockReturn; its
    RMA number and instructions are emailed."""
    lines = [services.ReturnLineRequest(
        order_line_id=line.order_line_id, quantity=line.quantity, reason=line.reason,
        resolution=line.resolution, exchange_variant_id=exchange_variant_id(line),
        note=line.note) for line in payload.lines]
    created = services.request_return(order_number=payload.order_number, lines=lines,
                                      by=Actor("customer", request.auth.email),
                                      customer_id=request.auth.pk)
    return 201, return_out(selectors.return_detail(created.rma))


@router.get("/returns/{rma}", response=ReturnOut, auth=customer_auth,
            summary="One of the logged-in customer's returns")
@answers(errors.ReturnNotFound)
def get_return(request: HttpRequest, rma: str) -> ReturnOut:
    return return_out(customer_return(request, rma))


@router.post("/returns/{rma}/payment", response=ReturnOut, auth=customer_auth,
             summary="Pay the price difference of an exchange for a dearer variant")
@answers(*PAYING_THE_DIFFERENCE)
def pay_return_difference(request: HttpRequest, rma: str,
                          payload: DifferencePaymentIn) -> ReturnOut:
    """`difference_to_pay` of the return, by card (a token from POST /test-gateway/tokens) or
    PayPal (an approval token); authorized now, captured when the replacement ships, voided if
    the return is cancelled. 402 payment-declined; 402 payment-action-required with
    `action_url` (3-D Secure, or the PayPal approval): confirm there, then send the same
    request again; 409 nothing-to-pay once paid. Sending the same request twice never
    charges twice."""
    services.pay_difference(rma=rma, method=payload.method, token=payload.token,
                            by=Actor("customer", request.auth.email),
                            customer_id=request.auth.pk)
    return return_out(selectors.return_detail(rma))


@router.get("/returns/{rma}/instructions", auth=customer_auth, response={200: None},
            summary="A return's instructions (PDF): RMA number, address, lines")
@answers(errors.ReturnNotFound, errors.InstructionsNotReady)
def get_return_instructions(request: HttpRequest, rma: str) -> HttpResponse:
    """application/pdf, once the return is approved (409 while it waits for approval or once
    it is closed)."""
    return instructions_response(customer_return(request, rma))


# --- warehouse receiving ----------------------------------------------------------------------

@router.get("/warehouse/returns/{rma}", response=ReturnOut, auth=staff_auth,
            tags=["warehouse"], summary="A return by its RMA number, as the parcel arrives")
@answers(errors.ReturnNotFound)
def get_return_for_warehouse(request: HttpRequest, rma: str) -> ReturnOut:
    """Its lines (the `id`s receiving names) and status. Needs returns.view_returnrequest."""
    allowed(request, VIEW_RETURNS)
    return return_out(selectors.return_detail(rma))


@router.post("/warehouse/returns/{rma}/receive", response={201: ReceiptOut}, auth=staff_auth,
             tags=["warehouse"], summary="Record what arrived for a return")
@answers(errors.ReturnNotFound, WarehouseNotFound, errors.InvalidReturn, IllegalTransition)
def receive_return(request: HttpRequest, rma: str,
                   payload: ReceiveIn) -> tuple[int, ReceiptOut]:
    """Quantities per return line and their condition: resellable units are restocked in the
    receiving warehouse, damaged ones are not. Issues the receiving receipt and moves the return
    to AwaitingCompletion (409 when it is not awaiting its goods).
    Needs returns.add_receivingreceipt."""
    by = allowed(request, RECEIVE)
    lines = [services.ReceivedLine(return_line_id=line.return_line_id, quantity=line.quantity,
                                   condition=line.condition) for line in payload.lines]
    receipt = services.receive_return(rma=rma, lines=lines,
                                      warehouse_id=warehouse_id_for(payload.warehouse), by=by)
    return 201, receipt_out(selectors.receipt_detail(receipt.number))


@router.get("/warehouse/receipts/{number}/pdf", auth=staff_auth, tags=["warehouse"],
            response={200: None}, summary="A receiving receipt as a PDF to print")
@answers(errors.ReceiptNotFound)
def get_receipt_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """application/pdf. Needs returns.view_returnrequest."""
    allowed(request, VIEW_RETURNS)
    return pdf_response(pdf.receiving_receipt_pdf(number=number), f"receipt-{number}.pdf")
