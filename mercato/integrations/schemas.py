"""django-ninja schemas of the webhook subscription API."""

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import AnyHttpUrl

from mercato.core.models import DeliveryAttempt
from mercato.integrations.models import WebhookMessage, WebhookSubscription
from mercato.integrations.rules import EVENT_TYPES

EVENTS_DESCRIPTION = "Event types to send: " + ", ".join(EVENT_TYPES) + "."


class SubscriptionIn(Schema):
    url: AnyHttpUrl = Field(description="Where to POST: an http(s) URL on a public address.",
                            examples=["https://oms.example.com/hooks/mercato"])
    events: list[str] = Field(min_length=1, description=EVENTS_DESCRIPTION,
                              examples=[["order.created", "order.cancelled"]])
    description: str = Field("", max_length=200)
    active: bool = True


class SubscriptionPatchIn(Schema):
    url: AnyHttpUrl | None = None
    events: list[str] | None = Field(None, min_length=1, description=EVENTS_DESCRIPTION)
    description: str | None = Field(None, max_length=200)
    active: bool | None = Field(None, description="Switching it on clears `disabled_reason`; "
                                                  "replay what it missed after.")


class ReplayIn(Schema):
    since: datetime = Field(description="Every event of the subscription's types recorded "
                                        "since then is sent (again).")


class ReplayOut(Schema):
    events: int = Field(description="Events of the subscription's types since then: the worker "
                                    "sends them (in the delivery log as they go).")


class SubscriptionOut(Schema):
    id: str
    url: str
    events: list[str]
    description: str
    active: bool
    disabled_reason: str = Field(description="Why the shop switched it off (a message failed "
                                             "for days); empty otherwise.")
    disabled_at: datetime | None
    previous_secret_expires_at: datetime | None = Field(
        description="After a rotation, until when the previous secret signs too.")
    created_at: datetime


class SubscriptionWithSecretOut(SubscriptionOut):
    secret: str = Field(description="The signing secret (whsec_...): shown this once.")


class SubscriptionListOut(Schema):
    items: list[SubscriptionOut]


class AttemptOut(Schema):
    started_at: datetime
    duration_ms: int
    outcome: str = Field(description="done, failed (retried later) or dead (given up).")
    status_code: int | None
    error: str
    exchange: dict[str, Any] = Field(description="The request's and the response's headers, "
                                                 "status and a body excerpt.")


class MessageOut(Schema):
    id: str = Field(description="The webhook-id header.")
    event_type: str
    status: str = Field(description="pending, delivered, failed (gave up) or skipped.")
    created_at: datetime
    delivered_at: datetime | None
    attempts: list[AttemptOut]


class MessageListOut(Schema):
    items: list[MessageOut]


def subscription_out(subscription: WebhookSubscription) -> SubscriptionOut:
    return SubscriptionOut(
        id=subscription.public_id, url=subscription.url, events=subscription.event_types,
        description=subscription.description, active=subscription.is_active,
        disabled_reason=subscription.disabled_reason, disabled_at=subscription.disabled_at,
        previous_secret_expires_at=subscription.previous_secret_expires_at,
        created_at=subscription.created_at)


def with_secret_out(subscription: WebhookSubscription, secret: str) -> SubscriptionWithSecretOut:
    return SubscriptionWithSecretOut(**subscription_out(subscription).model_dump(),
                                     secret=secret)


def attempt_out(attempt: DeliveryAttempt) -> AttemptOut:
    return AttemptOut(started_at=attempt.started_at, duration_ms=attempt.duration_ms,
                      outcome=attempt.outcome, status_code=attempt.status_code,
                      error=attempt.error, exchange=attempt.exchange)


def message_out(message: WebhookMessage, attempts: list[DeliveryAttempt]) -> MessageOut:
    return MessageOut(id=message.public_id, event_type=message.event_type,
                      status=message.status, created_at=message.created_at,
                      delivered_at=message.delivered_at,
                      attempts=[attempt_out(attempt) for attempt in attempts])
