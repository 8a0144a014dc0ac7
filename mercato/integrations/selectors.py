"""Reads of the integrations app: subscriptions, their messages and each message's attempts."""

from collections import defaultdict

from django.db.models import QuerySet

from mercato.core.models import DeliveryAttempt
from mercato.integrations.errors import SubscriptionNotFound
from mercato.integrations.events import WebhookQueued
from mercato.integrations.models import WebhookMessage, WebhookSubscription
from mercato.integrations.rules import source_event_names


def subscriptions() -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.order_by("pk")


def subscribed_event_names() -> list[str]:
    """The domain event types (Event row types) some active subscription wants sent."""
    wanted = {name for types in WebhookSubscription.objects.filter(is_active=True)
              .values_list("event_types", flat=True) for name in types}
    return source_event_names(sorted(wanted)) if wanted else []


def subscription(public_id: str) -> WebhookSubscription:
    found = WebhookSubscription.objects.filter(public_id=public_id).first()
    if found is None:
        raise SubscriptionNotFound(f"There is no webhook subscription {public_id}.")
    return found


def messages(subscription: WebhookSubscription, *, limit: int) -> list[WebhookMessage]:
    """The newest messages first."""
    return list(WebhookMessage.objects.filter(subscription=subscription)
                .order_by("-pk")[:limit])


def attempts_of(message_ids: list[str]) -> dict[str, list[DeliveryAttempt]]:
    """Every attempt at sending each message (its WebhookQueued deliveries), oldest first."""
    rows = (DeliveryAttempt.objects
            .filter(delivery__event__aggregate_type=WebhookQueued.aggregate_type,
                    delivery__event__aggregate_id__in=message_ids,
                    delivery__event__type=WebhookQueued.__name__)
            .select_related("delivery__event").order_by("pk"))
    found: dict[str, list[DeliveryAttempt]] = defaultdict(list)
    for attempt in rows:
        found[attempt.delivery.event.aggregate_id].append(attempt)
    return found
