"""Order endpoints: a customer's own orders, and a guest's lookup by order number and email.

Another customer's order answers 404 as an unknown one does: an order's existence is not
revealed to someone who may not see it.
"""

from django.http import HttpRequest
from ninja import Query, Router

from mercato.core import throttle
from mercato.core.openapi import TOO_MANY_REQUESTS, answers
from mercato.customers.auth import customer_auth
from mercato.orders import selectors
from mercato.orders.errors import OrderNotFound
from mercato.orders.schemas import (
    OrderListOut,
    OrderListQuery,
    OrderLookupIn,
    OrderOut,
    order_list_out,
    order_out,
)

router = Router(tags=["orders"])


@router.get("/orders", response=OrderListOut, auth=customer_auth,
            summary="The logged-in customer's orders, newest first")
def list_orders(request: HttpRequest, query: Query[OrderListQuery]) -> OrderListOut:
    page = selectors.order_page_for_customer(customer_id=request.auth.pk, page=query.page,
                                             page_size=query.page_size)
    return order_list_out(page)


# Declared before /orders/{number}: the first route matching a path answers it.
@router.post("/orders/lookup", response=OrderOut, summary="Find a guest order")
@answers(OrderNotFound, TOO_MANY_REQUESTS)
def look_up_order(request: HttpRequest, payload: OrderLookupIn) -> OrderOut:
    """By its number and the email it was placed with; 404 when the pair does not match."""
    throttle.check("lookup", request)
    return order_out(selectors.order_for_guest(number=payload.number, email=payload.email))


@router.get("/orders/{number}", response=OrderOut, auth=customer_auth,
            summary="One of the logged-in customer's orders")
@answers(OrderNotFound)
def get_order(request: HttpRequest, number: str) -> OrderOut:
    """Lines, totals, addresses, shipments and payments with their transactions."""
    order = selectors.customer_order_detail(number=number, customer_id=request.auth.pk)
    return order_out(order)
