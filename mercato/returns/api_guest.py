"""Guest returns API: someone who ordered without an account requests a return and follows it,
proving each request with the order's email, as the order lookup (POST /orders/lookup) does.

No login: the email is the proof. A wrong order number and a wrong email get the same answer,
and so do an unknown RMA and a wrong email, so none of them tells which part was wrong. As with
the order lookup, an order placed by a logged-in customer is no exception: its number and email
prove it here too.
"""

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from mercato.core import throttle
from mercato.core.events import Actor
from mercato.core.openapi import TOO_MANY_REQUESTS, answers
from mercato.core.schema_types import EmailAddress
from mercato.returns import errors, selectors, services
from mercato.returns.api import (
    PAYING_THE_DIFFERENCE,
    exchange_variant_id,
    instructions_response,
)
from mercato.returns.schemas import DifferencePaymentIn, ReturnCreateIn, ReturnOut, return_out

# The order lookup's answer (orders.selectors.order_for_guest), word for word.
NO_SUCH_ORDER = "There is no order with this number and email."

router = Router(tags=["returns"], auth=None)


class GuestReturnCreateIn(ReturnCreateIn):
    email: EmailAddress = Field(description="The email the order was placed with (any letter "
                                            "case).")


class GuestReturnLookupIn(Schema):
    rma: str = Field(min_length=1, max_length=32, description="The return's RMA number, e.g. "
                                                              "RMA-MRC-100001-1.")
    email: EmailAddress = Field(description="The email the order was placed with (any letter "
                                            "case).")


@router.post("/returns/guest", response={201: ReturnOut},
             summary="Request a return of shipped lines of a guest order")
@answers(errors.OrderNotReturnable, errors.InvalidReturn, errors.OverReturn,
         errors.ReturnWindowClosed, TOO_MANY_REQUESTS)
def create_guest_return(request: HttpRequest,
                        payload: GuestReturnCreateIn) -> tuple[int, ReturnOut]:
    """The order is proven by its number and the email it was placed with; when they do not
    match, 404 as POST /orders/lookup answers. Any order with that number and email, a
    customer's too. Then as POST /returns: only shipped quantities not already returned, within
    the return window (422 otherwise); it starts Requested when the shop approves returns, else
    AwaitingStockReturn; its RMA number and instructions are emailed."""
    throttle.check("lookup", request)
    lines = [services.ReturnLineRequest(
        order_line_id=line.order_line_id, quantity=line.quantity, reason=line.reason,
        resolution=line.resolution, exchange_variant_id=exchange_variant_id(line),
        note=line.note) for line in payload.lines]
    try:
        created = services.request_return(order_number=payload.order_number.strip(),
                                          email=payload.email, lines=lines,
                                          by=Actor("guest", payload.email))
    except errors.OrderNotReturnable:
        # Its own message names the number; the lookup's names neither part.
        raise errors.OrderNotReturnable(NO_SUCH_ORDER) from None
    return 201, return_out(selectors.return_detail(created.rma))


# Declared as POSTs so the email travels in the body, not in URLs that servers log.
@router.post("/returns/lookup", response=ReturnOut, summary="Find a guest's return")
@answers(errors.ReturnNotFound, TOO_MANY_REQUESTS)
def look_up_return(request: HttpRequest, payload: GuestReturnLookupIn) -> ReturnOut:
    """By its RMA number and the email its order was placed with; 404 when they do not match,
    as for an unknown RMA."""
    throttle.check("lookup", request)
    return return_out(selectors.return_for_guest(rma=payload.rma, email=payload.email))


class GuestDifferencePaymentIn(GuestReturnLookupIn, DifferencePaymentIn):
    pass


@router.post("/returns/lookup/payment", response=ReturnOut,
             summary="Pay the price difference of a guest's exchange for a dearer variant")
@answers(*PAYING_THE_DIFFERENCE, TOO_MANY_REQUESTS)
def pay_guest_return_difference(request: HttpRequest,
                                payload: GuestDifferencePaymentIn) -> ReturnOut:
    """As POST /returns/{rma}/payment, proven by the RMA number and the order's email (404 when
    they do not match)."""
    throttle.check("lookup", request)
    ret = selectors.return_for_guest(rma=payload.rma, email=payload.email)
    services.pay_difference(rma=ret.rma, method=payload.method, token=payload.token,
                            by=Actor("guest", payload.email), email=payload.email)
    return return_out(selectors.return_detail(ret.rma))


@router.post("/returns/lookup/instructions", response={200: None},
             summary="A guest's return instructions (PDF): RMA number, address, lines")
@answers(errors.ReturnNotFound, errors.InstructionsNotReady, TOO_MANY_REQUESTS)
def look_up_return_instructions(request: HttpRequest,
                                payload: GuestReturnLookupIn) -> HttpResponse:
    """application/pdf. By the RMA number and the order's email; 404 when they do not match,
    409 before the return is approved or once it is closed."""
    throttle.check("lookup", request)
    return instructions_response(selectors.return_for_guest(rma=payload.rma, email=payload.email))
