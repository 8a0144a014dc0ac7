"""Webhook subscriptions for staff: `/api/v1/webhook-subscriptions` with a staff bearer token
(POST /api/v1/auth/tokens), each endpoint needing the back office's permission for the same
work (integrations.view/add/change/delete_webhooksubscription)."""

from django.http import HttpRequest
from ninja import Field as NinjaField
from ninja import Query, Router, Schema

from mercato.core.openapi import answers
from mercato.core.problems import Conflict
from mercato.fulfilment.api import allowed, staff_auth
from mercato.integrations import selectors
from mercato.integrations.errors import (
    InvalidReplayTime,
    InvalidWebhookUrl,
    SubscriptionNotFound,
    UnknownEventType,
)
from mercato.integrations.schemas import (
    MessageListOut,
    ReplayIn,
    ReplayOut,
    SubscriptionIn,
    SubscriptionListOut,
    SubscriptionOut,
    SubscriptionPatchIn,
    SubscriptionWithSecretOut,
    message_out,
    subscription_out,
    with_secret_out,
)
from mercato.integrations.services import subscriptions as services

VIEW = "integrations.view_webhooksubscription"
ADD = "integrations.add_webhooksubscription"
CHANGE = "integrations.change_webhooksubscription"
DELETE = "integrations.delete_webhooksubscription"

router = Router(tags=["webhooks"], auth=staff_auth)


class MessagesQuery(Schema):
    limit: int = NinjaField(50, ge=1, le=200)


@router.get("", response=SubscriptionListOut, summary="Webhook subscriptions")
def list_subscriptions(request: HttpRequest) -> SubscriptionListOut:
    allowed(request, VIEW)
    return SubscriptionListOut(items=[subscription_out(s) for s in selectors.subscriptions()])


@router.post("", response={201: SubscriptionWithSecretOut},
             summary="Subscribe a URL to webhook events")
@answers(InvalidWebhookUrl, UnknownEventType)
def create_subscription(request: HttpRequest,
                        payload: SubscriptionIn) -> tuple[int, SubscriptionWithSecretOut]:
    """Answers its `id` and signing `secret`, shown this once. Deliveries are signed as the
    Standard Webhooks specification says; the OpenAPI document's `webhooks` lists each event
    type's body."""
    by = allowed(request, ADD)
    made = services.create_subscription(url=str(payload.url), event_types=payload.events,
                                        description=payload.description,
                                        is_active=payload.active, by=by)
    return 201, with_secret_out(made.subscription, made.secret)


@router.get("/{public_id}", response=SubscriptionOut, summary="One webhook subscription")
@answers(SubscriptionNotFound)
def get_subscription(request: HttpRequest, public_id: str) -> SubscriptionOut:
    allowed(request, VIEW)
    return subscription_out(selectors.subscription(public_id))


@router.patch("/{public_id}", response=SubscriptionOut, summary="Change a subscription")
@answers(SubscriptionNotFound, InvalidWebhookUrl, UnknownEventType)
def update_subscription(request: HttpRequest, public_id: str,
                        payload: SubscriptionPatchIn) -> SubscriptionOut:
    by = allowed(request, CHANGE)
    subscription = services.update_subscription(
        public_id=public_id, by=by, url=str(payload.url) if payload.url else None,
        event_types=payload.events, description=payload.description, is_active=payload.active)
    return subscription_out(subscription)


@router.delete("/{public_id}", response={204: None}, summary="Delete a subscription")
@answers(SubscriptionNotFound)
def delete_subscription(request: HttpRequest, public_id: str) -> tuple[int, None]:
    """Its messages and their log go with it; nothing more is sent to it."""
    by = allowed(request, DELETE)
    services.delete_subscription(public_id=public_id, by=by)
    return 204, None


@router.post("/{public_id}/rotate-secret", response=SubscriptionWithSecretOut,
             summary="A new signing secret; the old one signs too for a grace period")
@answers(SubscriptionNotFound)
def rotate_secret(request: HttpRequest, public_id: str) -> SubscriptionWithSecretOut:
    """During the grace (MERCATO_WEBHOOK_ROTATION_GRACE, 24 hours unless set) each message
    carries two signatures, one per secret: switch the receiver to the new one."""
    by = allowed(request, CHANGE)
    made = services.rotate_secret(public_id=public_id, by=by)
    return with_secret_out(made.subscription, made.secret)


@router.post("/{public_id}/replay", response={202: ReplayOut},
             summary="Send every event since a time again (or for the first time)")
@answers(SubscriptionNotFound, Conflict, InvalidReplayTime)
def replay(request: HttpRequest, public_id: str, payload: ReplayIn) -> tuple[int, ReplayOut]:
    """Events the subscription missed (made before it existed, or while it was switched off)
    are sent as they are now; those it had are sent again under their webhook-id. The worker
    does it (202): the answer says how many events it looks at. 409 while it is switched
    off."""
    by = allowed(request, CHANGE)
    return 202, ReplayOut(events=services.request_replay(public_id=public_id,
                                                         since=payload.since, by=by))


@router.get("/{public_id}/messages", response=MessageListOut,
            summary="The newest messages to a subscription, with every attempt")
@answers(SubscriptionNotFound)
def list_messages(request: HttpRequest, public_id: str,
                  query: Query[MessagesQuery]) -> MessageListOut:
    """The delivery log: each attempt's time, duration, outcome, status code, and the request
    and response (headers, a body excerpt)."""
    allowed(request, VIEW)
    found = selectors.messages(selectors.subscription(public_id), limit=query.limit)
    attempts = selectors.attempts_of([message.public_id for message in found])
    return MessageListOut(items=[message_out(m, attempts.get(m.public_id, [])) for m in found])
