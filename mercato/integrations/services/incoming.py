"""What a logistics system or an OMS reports, applied through the flow apps' services.

A message is taken in five steps, in this order:
1. Verify its Standard Webhooks signature (webhook-id, webhook-timestamp, webhook-signature)
   with the secret of an active connection of the endpoint's kind, or with that connection's
   previous secret until it expires; the timestamp must be within five minutes of now (the
   replay window of the standardwebhooks library). Otherwise InvalidWebhookSignature (401)
   and nothing is kept: an unsigned request is nobody's message.
2. Claim its webhook-id: the IncomingMessage row is inserted first, in the transaction that
   applies it. A repeat finds the id taken and gets the first answer again, applying nothing;
   a twin sent at the same moment waits on the unique index until the first commits (or rolls
   back, and then applies it itself).
3. Read the envelope, then its data with its type's schema (incoming_schemas): an unknown type
   or invalid data is refused (422).
4. Apply it with the service staff use for the same move, in a savepoint: a refusal (404
   unknown shipment or order, 409 illegal transition, 422 invalid tracking number) rolls back
   whatever the move had started.
5. Keep the answer, applied or refused, on the message row; it commits with the change.
An unexpected error rolls everything back, the claim too, so the sender's retry applies it.
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from ninja import Schema
from pydantic import ValidationError
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from mercato.core.events import Actor
from mercato.core.problems import Problem
from mercato.fulfilment.services import ship_shipment
from mercato.integrations.incoming_errors import (
    InvalidIncomingMessage,
    InvalidWebhookSignature,
    UnknownEventType,
)
from mercato.integrations.incoming_schemas import (
    LOGISTICS,
    OMS,
    HandedToCarrierData,
    IncomingEnvelope,
    OrderData,
    ShipmentData,
    TrackingData,
    incoming_event_type,
    incoming_event_types,
)
from mercato.integrations.models import IncomingConnection, IncomingMessage
from mercato.integrations.rules import new_secret
from mercato.orders.models import ShipmentTrackingEvent
from mercato.orders.selectors import order_public_id_by_number
from mercato.orders.services import (
    cancel_order,
    confirm_delivery,
    hold_order,
    record_tracking_event,
    release_hold,
)

DEFAULT_GRACE = timedelta(hours=24)
MAX_WEBHOOK_ID = IncomingMessage._meta.get_field("webhook_id").max_length
MAX_EVENT_TYPE = IncomingMessage._meta.get_field("event_type").max_length

Applier = Callable[[Any, datetime, Actor], str]


@dataclass(frozen=True)
class IncomingAnswer:
    """What the endpoint answers: 200 and what was done, or a problem (404, 409, 422)."""

    status: int
    body: dict[str, Any]
    is_repeat: bool = False


# --- connections --------------------------------------------------------------------------------

def create_incoming_connection(*, name: str, kind: str) -> IncomingConnection:
    """A connection of a logistics system or an OMS with a new secret (shown to staff once)."""
    if kind not in IncomingConnection.Kind.values:
        raise InvalidIncomingMessage(f"There is no kind of connection {kind!r}.",
                                     errors={"kind": list(IncomingConnection.Kind.values)})
    with transaction.atomic():
        return IncomingConnection.objects.create(name=name.strip(), kind=kind,
                                                 secret=new_secret())


def rotate_incoming_secret(*, public_id: str,
                           grace: timedelta = DEFAULT_GRACE) -> IncomingConnection:
    """A new secret for the connection; the one it replaces verifies for `grace` more, so the
    sender can switch over (a secret rotated before is forgotten at once)."""
    with transaction.atomic():
        connection = IncomingConnection.objects.select_for_update().get(public_id=public_id)
        connection.rotate(new_secret=new_secret(), grace=grace, now=timezone.now())
        connection.save(update_fields=["secret", "previous_secret",
                                       "previous_secret_expires_at"])
    return connection


# A message refused because of the shop's state (its shipment or order not there yet, not in a
# state to move that way: a "delivered" that overtook its "handed to carrier") is applied when
# its sender retries it under the same webhook-id; one refused for what it says is refused again.
REFUSED_FOR_NOW = (404, 409)


# --- messages -----------------------------------------------------------------------------------

def receive_incoming(*, kind: str, body: bytes, headers: Mapping[str, str]) -> IncomingAnswer:
    """Take one signed message of a logistics system or an OMS (the steps above);
    InvalidWebhookSignature when no connection of `kind` signed it."""
    headers = {name.lower(): value for name, value in headers.items()}
    connection = _verified_connection(kind=kind, body=body, headers=headers)
    webhook_id = headers["webhook-id"]
    if len(webhook_id) > MAX_WEBHOOK_ID:  # cannot be kept, so cannot be de-duplicated
        raise InvalidIncomingMessage(f"A webhook-id has at most {MAX_WEBHOOK_ID} characters.",
                                     errors={"webhook-id": ["Too long."]})
    payload = _readable_payload(body)
    with transaction.atomic():
        message = _claim(connection=connection, webhook_id=webhook_id, payload=payload)
        if message is None:
            earlier = IncomingMessage.objects.select_for_update().get(
                connection=connection, webhook_id=webhook_id)
            if earlier.status_code not in REFUSED_FOR_NOW:
                return IncomingAnswer(earlier.status_code, earlier.answer, is_repeat=True)
            message = earlier  # refused for how things stood then: the sender's retry may apply
        answer = _apply(connection=connection, webhook_id=webhook_id, body=body)
        message.outcome = (IncomingMessage.Outcome.APPLIED if answer.status < 400
                           else IncomingMessage.Outcome.REFUSED)
        message.status_code, message.answer = answer.status, answer.body
        message.save(update_fields=["outcome", "status_code", "answer"])
    return answer


def _verified_connection(*, kind: str, body: bytes,
                         headers: Mapping[str, str]) -> IncomingConnection:
    now = timezone.now()
    for connection in IncomingConnection.objects.filter(kind=kind, is_active=True).order_by("pk"):
        for secret in connection.secrets_in_use(now):
            try:
                Webhook(secret).verify(body, dict(headers), json_parse=False)
            # A malformed header or body (no comma, bad base64, not UTF-8) is a ValueError.
            except (WebhookVerificationError, ValueError):
                continue
            return connection
    raise InvalidWebhookSignature(
        "Sign the message as Standard Webhooks says with your connection's secret: the "
        "webhook-id, webhook-timestamp and webhook-signature headers are needed, and the "
        "timestamp must be within 5 minutes of the shop's clock.")


def _claim(*, connection: IncomingConnection, webhook_id: str,
           payload: dict[str, Any]) -> IncomingMessage | None:
    """The message's row, inserted before anything is applied; None when the id was taken."""
    event_type = payload.get("type")
    try:
        with transaction.atomic():
            return IncomingMessage.objects.create(
                connection=connection, webhook_id=webhook_id, payload=payload,
                event_type=event_type[:MAX_EVENT_TYPE] if isinstance(event_type, str) else "",
                outcome=IncomingMessage.Outcome.REFUSED, status_code=500)
    except IntegrityError:
        return None


def _readable_payload(body: bytes) -> dict[str, Any]:
    """The body as the log keeps it: its JSON object, or what could be read of it."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return {"unreadable": body[:1000].decode(errors="replace")}
    return parsed if isinstance(parsed, dict) else {"unreadable": parsed}


def _apply(*, connection: IncomingConnection, webhook_id: str, body: bytes) -> IncomingAnswer:
    by = Actor("integration", connection.name)
    try:
        name, data, occurred_at = _read(kind=connection.kind, body=body)
        with transaction.atomic():
            detail = APPLIERS[connection.kind, name](data, occurred_at, by)
    except Problem as problem:
        return IncomingAnswer(problem.status, problem.as_dict())
    return IncomingAnswer(200, {"webhook_id": webhook_id, "type": name, "outcome": "applied",
                                "detail": detail})


def _read(*, kind: str, body: bytes) -> tuple[str, Schema, datetime]:
    """The message's type, its data read by that type's schema, and when it happened."""
    try:
        envelope = IncomingEnvelope.model_validate_json(body)
    except ValidationError as error:
        raise InvalidIncomingMessage(
            'The message is not a JSON object with "type", "timestamp" (with its UTC offset) '
            'and "data".', errors=_field_errors(error)) from error
    event_type = incoming_event_type(kind=kind, name=envelope.type)
    if event_type is None:
        known = incoming_event_types(kind)
        raise UnknownEventType(f"A {kind} connection does not send {envelope.type!r}.",
                               errors={"type": [f"One of {', '.join(known)}."]})
    try:
        data = event_type.data.model_validate(envelope.data)
    except ValidationError as error:
        raise InvalidIncomingMessage(f"The data of {envelope.type} is not valid.",
                                     errors=_field_errors(error, within="data")) from error
    return envelope.type, data, envelope.timestamp


def _field_errors(error: ValidationError, within: str = "") -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for item in error.errors():
        key = ".".join([within, *map(str, item["loc"])] if within else map(str, item["loc"]))
        errors.setdefault(key or "__all__", []).append(item["msg"])
    return errors


# --- what each type of message does -------------------------------------------------------------

def _ship(data: HandedToCarrierData, occurred_at: datetime, by: Actor) -> str:
    shipment = ship_shipment(public_id=data.shipment_id, carrier=data.carrier,
                             tracking_number=data.tracking_number,
                             weight_grams=data.weight_grams, by=by)
    return f"Shipment {shipment.number} is shipped: {shipment.carrier} {shipment.tracking_number}."


def _deliver(data: ShipmentData, occurred_at: datetime, by: Actor) -> str:
    shipment = confirm_delivery(public_id=data.shipment_id, by=by)
    return f"Shipment {shipment.number} is delivered."


def _tracking(kind: str) -> Applier:
    def track(data: TrackingData, occurred_at: datetime, by: Actor) -> str:
        entry = record_tracking_event(public_id=data.shipment_id, kind=kind,
                                      occurred_at=occurred_at, description=data.description,
                                      location=data.location, by=by)
        return f"Shipment {entry.shipment.number}: {entry.get_kind_display().lower()}."
    return track


def _order_move(move: Callable[..., Any], done: str) -> Applier:
    def apply(data: OrderData, occurred_at: datetime, by: Actor) -> str:
        order = move(public_id=order_public_id_by_number(number=data.order_number), by=by,
                     reason=data.reason)
        return f"Order {order.number} is {done}."
    return apply


Kind = ShipmentTrackingEvent.Kind
APPLIERS: dict[tuple[str, str], Applier] = {
    (LOGISTICS, "shipment.handed_to_carrier"): _ship,
    (LOGISTICS, "shipment.in_transit"): _tracking(Kind.IN_TRANSIT),
    (LOGISTICS, "shipment.out_for_delivery"): _tracking(Kind.OUT_FOR_DELIVERY),
    (LOGISTICS, "shipment.delivered"): _deliver,
    (LOGISTICS, "shipment.delivery_exception"): _tracking(Kind.DELIVERY_EXCEPTION),
    (LOGISTICS, "shipment.returned_to_sender"): _tracking(Kind.RETURNED_TO_SENDER),
    (OMS, "order.put_on_hold"): _order_move(hold_order, "on hold"),
    (OMS, "order.hold_released"): _order_move(release_hold, "released from hold"),
    (OMS, "order.cancelled"): _order_move(cancel_order, "cancelled"),
    (OMS, "shipment.shipped"): _ship,
}
