"""Facts the integrations app records: a webhook message queued for sending (its delivery is
the outbox's: attempts, retries, dead letter), and changes to subscriptions."""

from dataclasses import dataclass
from typing import ClassVar

from mercato.core.events import DomainEvent


@dataclass(frozen=True)
class WebhookQueued(DomainEvent):
    """A message (aggregate id: its webhook-id) is due to be sent, first or again (a retry or a
    replay): each one is its own delivery, with its own attempts."""

    aggregate_type: ClassVar[str] = "webhook-message"
    subscription_id: str
    event_type: str
    replay: bool = False


@dataclass(frozen=True)
class WebhookSubscriptionChanged(DomainEvent):
    """Created, edited, rotated, disabled (by staff, or by the shop after sustained failure),
    enabled or replayed; `change` says which, `detail` the rest."""

    aggregate_type: ClassVar[str] = "webhook-subscription"
    change: str
    detail: str = ""


@dataclass(frozen=True)
class WebhookReplayRequested(DomainEvent):
    """Staff asked for every event since `since` (ISO 8601) to be sent to the subscription
    again: the worker queues the messages (a replay may cover months of events)."""

    aggregate_type: ClassVar[str] = "webhook-subscription"
    since: str
    events: int = 0

