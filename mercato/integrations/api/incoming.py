"""The endpoints a logistics system and an OMS post their events to.

Callers are connections set up in the back office (Integrations > Incoming connections), each
with a `whsec_` secret: every message is signed as Standard Webhooks says (webhook-id,
webhook-timestamp and webhook-signature headers) and is a JSON envelope `{"type", "timestamp",
"data"}` whose data schema per type is published in docs/webhooks/schemas/incoming/. A repeated
webhook-id gets the first answer again and changes nothing. The body is read as sent (the
signature covers its bytes), so it is not parsed before it is verified.
"""

from django.http import HttpRequest, JsonResponse
from ninja import Router

from mercato.core.openapi import answers
from mercato.core.problems import PROBLEM_CONTENT_TYPE
from mercato.core.states import IllegalTransition
from mercato.fulfilment.errors import InvalidTrackingNumber
from mercato.integrations.incoming_errors import (
    InvalidIncomingMessage,
    InvalidWebhookSignature,
    UnknownEventType,
)
from mercato.integrations.incoming_schemas import (
    LOGISTICS,
    OMS,
    IncomingAnswerOut,
    openapi_request_body,
)
from mercato.integrations.services.incoming import receive_incoming
from mercato.orders.errors import OrderAlreadyShipped, OrderNotFound, OrderOnHold, ShipmentNotFound

WEBHOOK_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")

router = Router(tags=["integrations"])

REFUSALS = (InvalidWebhookSignature, UnknownEventType, InvalidIncomingMessage, IllegalTransition)


def receive(request: HttpRequest, kind: str) -> JsonResponse:
    headers = {name: request.headers.get(name, "") for name in WEBHOOK_HEADERS}
    answer = receive_incoming(kind=kind, body=request.body, headers=headers)
    response = JsonResponse(answer.body, status=answer.status)
    if answer.status >= 400:
        response["Content-Type"] = PROBLEM_CONTENT_TYPE
    return response


@router.post("/logistics/events", response={200: IncomingAnswerOut}, auth=None,
             openapi_extra=openapi_request_body(LOGISTICS),
             summary="A logistics system reports a shipment's progress (Standard Webhooks)")
@answers(*REFUSALS, ShipmentNotFound, OrderOnHold, InvalidTrackingNumber)
def logistics_event(request: HttpRequest) -> JsonResponse:
    """Types: shipment.handed_to_carrier (carrier, tracking_number, weight_grams: Packing ->
    Shipped, the customer emailed the tracking link), shipment.in_transit,
    shipment.out_for_delivery, shipment.delivery_exception, shipment.returned_to_sender
    (location, description: shown on the order's tracking page) and shipment.delivered (cash on
    delivery collected). Each names the shipment by its public id (`data.shipment_id`)."""
    return receive(request, LOGISTICS)


@router.post("/oms/events", response={200: IncomingAnswerOut}, auth=None,
             openapi_extra=openapi_request_body(OMS),
             summary="An order management system holds, releases, cancels or ships "
                     "(Standard Webhooks)")
@answers(*REFUSALS, OrderNotFound, OrderAlreadyShipped, ShipmentNotFound, OrderOnHold,
         InvalidTrackingNumber)
def oms_event(request: HttpRequest) -> JsonResponse:
    """Types: order.put_on_hold, order.hold_released, order.cancelled (`data.order_number`,
    `data.reason`), and shipment.shipped (`data.shipment_id`, carrier, tracking_number,
    weight_grams), each through the service the back office uses for the same move."""
    return receive(request, OMS)
