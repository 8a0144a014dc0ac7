"""Webhook subscriptions: create, change, rotate the secret, switch off and on, replay.

A secret is shown once, when it is made (create, rotate): only the shop keeps it afterwards.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from mercato.core.events import Actor, record
from mercato.core.models import Event
from mercato.core.problems import Conflict
from mercato.integrations.errors import (
    InvalidReplayTime,
    SubscriptionNotFound,
    UnknownEventType,
)
from mercato.integrations.events import WebhookReplayRequested, WebhookSubscriptionChanged
from mercato.integrations.models import WebhookSubscription
from mercato.integrations.rules import (
    EVENT_TYPES,
    new_secret,
    source_event_names,
    unknown_event_types,
)
from mercato.integrations.services.delivery import queue_for
from mercato.integrations.services.urls import check_url

REPLAY_CHUNK = 500


@dataclass(frozen=True)
class WithSecret:
    """A subscription and its new secret, the one time it is shown."""

    subscription: WebhookSubscription
    secret: str


def _checked_types(event_types: list[str]) -> list[str]:
    unknown = unknown_event_types(event_types)
    if unknown or not event_types:
        raise UnknownEventType(
            f"Unknown event types: {', '.join(unknown)}." if unknown else "Name at least one "
            "event type.", errors={"events": [f"Choose from {', '.join(EVENT_TYPES)}."]})
    return sorted(set(event_types), key=EVENT_TYPES.index)


def create_subscription(*, url: str, event_types: list[str], description: str = "",
                        is_active: bool = True, by: Actor) -> WithSecret:
    check_url(url)
    types = _checked_types(event_types)
    secret = new_secret()
    with transaction.atomic():
        subscription = WebhookSubscription.objects.create(
            url=url, event_types=types, description=description, is_active=is_active,
            secret=secret)
        record(WebhookSubscriptionChanged(aggregate_id=subscription.public_id, change="created",
                                          detail=f"{url} {', '.join(types)}"), by=by)
    return WithSecret(subscription, secret)


def _locked(public_id: str) -> WebhookSubscription:
    subscription = WebhookSubscription.objects.select_for_update().filter(
        public_id=public_id).first()
    if subscription is None:
        raise SubscriptionNotFound(f"There is no webhook subscription {public_id}.")
    return subscription


def update_subscription(*, public_id: str, by: Actor, url: str | None = None,
                        event_types: list[str] | None = None, description: str | None = None,
                        is_active: bool | None = None) -> WebhookSubscription:
    """Change what is given; switching it back on clears why the shop switched it off."""
    if url is not None:
        check_url(url)
    types = _checked_types(event_types) if event_types is not None else None
    with transaction.atomic():
        subscription = _locked(public_id)
        changed = {name: value for name, value in (
            ("url", url), ("event_types", types), ("description", description),
            ("is_active", is_active)) if value is not None and getattr(subscription, name) != value}
        if not changed:
            return subscription
        for name, value in changed.items():
            setattr(subscription, name, value)
        if changed.get("is_active"):
            subscription.disabled_reason, subscription.disabled_at = "", None
        elif "is_active" in changed:
            subscription.disabled_at = timezone.now()
        subscription.save()
        change = ("enabled" if changed.get("is_active") else
                  "disabled" if "is_active" in changed else "changed")
        record(WebhookSubscriptionChanged(aggregate_id=public_id, change=change,
                                          detail=", ".join(sorted(changed))), by=by)
    return subscription


def delete_subscription(*, public_id: str, by: Actor) -> None:
    with transaction.atomic():
        subscription = _locked(public_id)
        record(WebhookSubscriptionChanged(aggregate_id=public_id, change="deleted",
                                          detail=subscription.url), by=by)
        subscription.delete()


def rotate_secret(*, public_id: str, by: Actor) -> WithSecret:
    """A new secret; the current one keeps signing beside it (both signatures are sent) for
    MERCATO_WEBHOOK_ROTATION_GRACE, so the receiver can switch without losing a message."""
    secret = new_secret()
    with transaction.atomic():
        subscription = _locked(public_id)
        subscription.rotate(new_secret=secret, grace=settings.MERCATO_WEBHOOK_ROTATION_GRACE,
                            now=timezone.now())
        subscription.save(update_fields=["secret", "previous_secret",
                                         "previous_secret_expires_at"])
        until = f"{subscription.previous_secret_expires_at:%Y-%m-%d %H:%M} UTC"
        record(WebhookSubscriptionChanged(aggregate_id=public_id, change="secret rotated",
                                          detail=f"the previous secret signs until {until}"),
               by=by)
    return WithSecret(subscription, secret)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _replay_start(since: datetime) -> datetime:
    """`since` as an aware time (TIME_ZONE when it has no offset, as the back office's form
    reads it); a time before 1970 means everything. A time to come is refused."""
    if timezone.is_naive(since):
        since = timezone.make_aware(since) if since.year > 1970 else EPOCH
    try:
        since = max(since.astimezone(UTC), EPOCH)
    except OverflowError:  # year 1 with a positive offset: before everything
        since = EPOCH
    if since > timezone.now():
        raise InvalidReplayTime("Replay from a time in the past.",
                                errors={"since": ["Must not be in the future."]})
    return since


def _replayed_events(subscription: WebhookSubscription, since: datetime) -> QuerySet[Event]:
    return Event.objects.filter(type__in=source_event_names(subscription.event_types),
                                created_at__gte=since)


def _replayable(public_id: str, since: datetime) -> tuple[WebhookSubscription, datetime]:
    subscription = WebhookSubscription.objects.filter(public_id=public_id).first()
    if subscription is None:
        raise SubscriptionNotFound(f"There is no webhook subscription {public_id}.")
    since = _replay_start(since)
    if not subscription.is_active:
        raise Conflict("The subscription is switched off: switch it on, then replay.")
    return subscription, since


def request_replay(*, public_id: str, since: datetime, by: Actor) -> int:
    """Ask the worker to replay (see `replay`): the number of events it will look at. Refused
    while the subscription is switched off, or for a time to come."""
    subscription, since = _replayable(public_id, since)
    events = _replayed_events(subscription, since).count()
    with transaction.atomic():
        record(WebhookReplayRequested(aggregate_id=public_id, since=since.isoformat(),
                                      events=events), by=by)
    return events


def replay(*, public_id: str, since: datetime, by: Actor) -> int:
    """Send the subscription every event of its types recorded since `since` again: messages it
    missed are made (a new OMS gets every order placed since then, as it is now), those it had
    are sent again under the same webhook-id (the receiver de-duplicates on it). The number of
    messages queued."""
    subscription, since = _replayable(public_id, since)
    event_ids = list(_replayed_events(subscription, since).order_by("pk")
                     .values_list("pk", flat=True))
    queued = 0
    for start in range(0, len(event_ids), REPLAY_CHUNK):
        with transaction.atomic():
            for event in Event.objects.filter(pk__in=event_ids[start:start + REPLAY_CHUNK]):
                queued += queue_for(event, subscriptions=[subscription], replay=True)
    with transaction.atomic():
        record(WebhookSubscriptionChanged(aggregate_id=public_id, change="replayed",
                                          detail=f"since {since.isoformat()}: {queued} messages"),
               by=by)
    return queued
