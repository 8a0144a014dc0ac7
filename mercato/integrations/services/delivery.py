"""Outgoing webhooks on the outbox: an event becomes one message per subscription that wants
it (queue_for), and each message is sent, signed, by the delivery of its WebhookQueued event
(send_message), so the outbox's retries, attempt log and dead letters are the webhook's too.

A message's body is fixed when it is queued: every attempt, and every replay of it, sends the
same bytes under the same webhook-id, which receivers de-duplicate on (delivery is at least
once). The `webhook-timestamp` is the time of sending, as the standard wants, so a message
retried for days is still within a receiver's replay window.
"""

import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from mercato.core.events import Actor, from_row, record
from mercato.core.models import Event
from mercato.core.outbox.calls import OutsideCallFailed
from mercato.core.problems import Conflict, NotFound
from mercato.integrations.errors import InvalidWebhookUrl
from mercato.integrations.events import WebhookQueued, WebhookSubscriptionChanged
from mercato.integrations.models import WebhookMessage, WebhookSubscription
from mercato.integrations.payloads import body_of
from mercato.integrations.rules import webhook_types_of
from mercato.integrations.services.urls import Target, check_url, pinned

logger = logging.getLogger(__name__)

USER_AGENT = "Mercato-Webhooks/1"
EXCERPT = 2000  # characters of a response body the attempt log keeps
Status = WebhookMessage.Status


def queue_for(row: Event, *, subscriptions: Iterable[WebhookSubscription] | None = None,
              replay: bool = False) -> int:
    """Queue `row` for every active subscription (or those given) whose types it is sent as;
    the number of messages queued. Run in the caller's transaction. A message it already has is
    left alone, unless `replay`: then it is sent again."""
    event = from_row(row)
    types = webhook_types_of(event)
    if not types:
        return 0
    candidates = list(subscriptions if subscriptions is not None
                      else WebhookSubscription.objects.filter(is_active=True))
    queued = 0
    for event_type in types:
        wanting = [s for s in candidates if event_type in s.event_types]
        if not wanting:
            continue
        try:
            body = json.dumps(body_of(event_type, event, row.created_at), separators=(",", ":"))
        except (NotFound, ObjectDoesNotExist):  # deleted since: nothing left to describe
            logger.info("not sending %s for event %s: its resource is gone", event_type, row.pk)
            continue
        for subscription in wanting:
            queued += _queue(subscription, row, event_type, body, replay=replay)
    return queued


def _queue(subscription: WebhookSubscription, row: Event, event_type: str, body: str, *,
           replay: bool) -> int:
    message, created = WebhookMessage.objects.get_or_create(
        subscription=subscription, event=row, event_type=event_type, defaults={"body": body})
    if not created:
        if not replay:
            return 0  # the fan-out ran again (at least once): it is queued already
        message.status = Status.PENDING
        message.save(update_fields=["status"])
    record(WebhookQueued(aggregate_id=message.public_id, subscription_id=subscription.public_id,
                         event_type=event_type, replay=replay))
    return 1


def send_again(*, message_public_id: str, by: Actor) -> WebhookMessage:
    """Staff send one message again (delivered, failed or skipped): same body, same id."""
    with transaction.atomic():
        message = (WebhookMessage.objects.select_for_update().select_related("subscription")
                   .filter(public_id=message_public_id).first())
        if message is None:
            raise NotFound(f"There is no webhook message {message_public_id}.")
        if not message.subscription.is_active:
            raise Conflict("The subscription is switched off: switch it on to send again.")
        message.status = Status.PENDING
        message.save(update_fields=["status"])
        record(WebhookQueued(aggregate_id=message.public_id,
                             subscription_id=message.subscription.public_id,
                             event_type=message.event_type, replay=True), by=by)
    return message


@dataclass
class Sent:
    """A 2xx answer: the attempt log keeps its status code and exchange."""

    status_code: int
    exchange: dict = field(default_factory=dict)


def signature_headers(message: WebhookMessage, *, at: datetime) -> dict[str, str]:
    """The Standard Webhooks headers: one v1 signature per secret in use (during a rotation's
    grace the previous secret signs too, space-separated, as the standard allows)."""
    signatures = " ".join(Webhook(secret).sign(message.public_id, at, message.body)
                          for secret in message.subscription.secrets_in_use(at))
    return {"webhook-id": message.public_id, "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": signatures}


def send_message(*, message_public_id: str) -> Sent | None:
    """One attempt at sending a message, outside any transaction (no lock is held while the
    receiver takes its time; the outbox's claim keeps other workers off it); raises
    OutsideCallFailed (retried by the outbox) on anything but a 2xx answer. None when there is
    nothing to send: delivered already (two queueings of one message), or its subscription is
    switched off (the message is skipped; a replay or "send again" sends it later)."""
    message = (WebhookMessage.objects.select_related("subscription")
               .filter(public_id=message_public_id).first())
    if message is None or message.status == Status.DELIVERED:
        return None  # deleted with its subscription, or sent by an earlier queueing
    subscription = message.subscription
    if not subscription.is_active:
        WebhookMessage.objects.filter(pk=message.pk).update(status=Status.SKIPPED)
        return None
    now = timezone.now()
    headers = {"content-type": "application/json", "user-agent": USER_AGENT,
               **signature_headers(message, at=now)}
    request = {"method": "POST", "url": subscription.url, "headers": headers}
    try:
        target = pinned(subscription.url, check_url(subscription.url))
        status_code, answer_headers, excerpt = _post(target, message.body, headers)
    except InvalidWebhookUrl as error:
        raise OutsideCallFailed(None, error.detail, exchange={"request": request}) from None
    except httpx.TimeoutException:
        raise OutsideCallFailed(None, f"no answer within {settings.MERCATO_WEBHOOK_TIMEOUT}",
                                exchange={"request": request}) from None
    except httpx.HTTPError as error:
        raise OutsideCallFailed(None, f"{type(error).__name__}: {error}",
                                exchange={"request": request}) from None
    exchange = {"request": request, "response": {
        "status_code": status_code, "headers": answer_headers, "body": excerpt}}
    if not 200 <= status_code < 300:
        raise OutsideCallFailed(status_code, excerpt[:200], exchange=exchange)
    WebhookMessage.objects.filter(pk=message.pk).update(
        status=Status.DELIVERED, delivered_at=now, last_status_code=status_code)
    return Sent(status_code, exchange)


def _post(target: Target, body: str, headers: dict[str, str]) -> tuple[int, dict, str]:
    """POST and read the answer's status, headers and at most EXCERPT bytes of its body, within
    about twice the timeout in all (httpx's timeout is per read: a receiver dripping a byte at a
    time would otherwise hold the call for ever)."""
    timeout = settings.MERCATO_WEBHOOK_TIMEOUT.total_seconds()
    deadline = time.monotonic() + 2 * timeout
    with httpx.Client(timeout=timeout, follow_redirects=False) as client:
        request = client.build_request("POST", target.url, content=body.encode(),
                                       headers={**headers, **target.headers},
                                       extensions=target.extensions)
        response = client.send(request, stream=True)
        try:
            received = bytearray()
            for chunk in response.iter_bytes():
                received += chunk
                if len(received) >= EXCERPT or time.monotonic() > deadline:
                    break
        finally:
            response.close()
        return (response.status_code, dict(response.headers),
                received[:EXCERPT].decode(errors="replace"))


def give_up(*, message_public_id: str, error: Exception) -> None:
    """After days of failed attempts: the message failed, and its subscription is switched off
    with the reason, so staff see why and the shop stops calling a dead receiver."""
    message = WebhookMessage.objects.select_for_update().filter(
        public_id=message_public_id).first()
    if message is None:
        return  # deleted with its subscription meanwhile
    message.status = Status.FAILED
    message.save(update_fields=["status"])
    disable_after_failure(
        subscription_id=message.subscription_id,
        reason=f"{timezone.now():%Y-%m-%d %H:%M} UTC: gave up on {message.event_type} "
               f"{message.public_id} after days of retries; last error: {error}")


def disable_after_failure(*, subscription_id: int, reason: str) -> None:
    """The shop switches a subscription off when a message could not be delivered in days of
    retries: its other messages are not sent until staff switch it on (and replay)."""
    subscription = WebhookSubscription.objects.select_for_update().filter(
        pk=subscription_id).first()
    if subscription is None or not subscription.is_active:
        return
    subscription.is_active = False
    subscription.disabled_reason = reason
    subscription.disabled_at = timezone.now()
    subscription.save(update_fields=["is_active", "disabled_reason", "disabled_at"])
    record(WebhookSubscriptionChanged(aggregate_id=subscription.public_id, change="disabled",
                                      detail=reason[:500]))
