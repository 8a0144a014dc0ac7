"""The accounting export: the orders placed in a date range as CSV, for staff (an accounting
tool or a script), with the same permission as the back office's Purchase Orders list.

A router of its own because it takes a staff bearer token (customers.auth.staff_auth), not a
customer's; mounted ahead of the customer's /orders/{number}, which would take `export.csv`
for an order number.
"""

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Query, Router

from mercato.core.csv_download import CSV_OPENAPI_RESPONSE, csv_response
from mercato.core.openapi import answers
from mercato.customers.auth import allowed, staff_auth
from mercato.orders import selectors
from mercato.orders.errors import InvalidDateRange
from mercato.orders.rules import export_filename
from mercato.orders.schemas import OrderExportQuery

VIEW_ORDERS = "orders.view_order"

router = Router(tags=["orders"], auth=staff_auth)


@router.get("/orders/export.csv", response={200: None},
            openapi_extra={"responses": {200: CSV_OPENAPI_RESPONSE}},
            summary="Orders placed in a date range, as CSV for accounting")
@answers(InvalidDateRange)
def export_orders(request: HttpRequest,
                  query: Query[OrderExportQuery]) -> StreamingHttpResponse:
    """text/csv, one row per order, oldest first: number, placed_at (ISO 8601 in the shop's
    time zone), status, email, customer_name and billing_country (billing address), currency,
    subtotal, discount, delivery, tax, total (plain decimals, e.g. 19.99), prices_include_tax,
    payment_status, payment_methods (`;` between), captured, refunded. Streamed: any range
    may be asked for. Needs orders.view_order."""
    allowed(request, VIEW_ORDERS)
    if query.placed_to < query.placed_from:  # a domain problem: OpenAPI cannot say it
        raise InvalidDateRange("The last day must not be before placed_from.",
                               errors={"placed_to": ["Must not be before placed_from."]})
    rows = selectors.order_export_rows(placed_from=query.placed_from, placed_to=query.placed_to,
                                       status=query.status)
    filename = export_filename(placed_from=query.placed_from, placed_to=query.placed_to,
                               status=query.status)
    return csv_response(rows, filename=filename)
