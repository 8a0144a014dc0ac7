"""What the integrations app does when the outbox delivers an event (see mercato/handlers.py)."""

from datetime import datetime

from mercato.core.events import Actor, DomainEvent
from mercato.core.models import Event
from mercato.core.outbox.calls import (
    RetryPolicy,
    only_while_wanted,
    outside_transaction,
    retried,
)
from mercato.integrations.events import WebhookQueued, WebhookReplayRequested
from mercato.integrations.rules import RETRY_WAITS
from mercato.integrations.selectors import subscribed_event_names
from mercato.integrations.services.delivery import Sent, give_up, queue_for, send_message
from mercato.integrations.services.subscriptions import replay


@only_while_wanted(subscribed_event_names)  # no delivery rows while no one subscribes
def queue_webhooks(event: DomainEvent, event_id: int) -> None:
    """A domain event a subscription may want: one message per subscription, each sent on its
    own (a receiver that is down delays no other)."""
    queue_for(Event.objects.get(pk=event_id))


def _gave_up(event: WebhookQueued, event_id: int, error: Exception) -> None:
    give_up(message_public_id=event.aggregate_id, error=error)


@outside_transaction  # a receiver may take the whole timeout: no write lock meanwhile
@retried(RetryPolicy(waits=RETRY_WAITS, on_dead=_gave_up))
def send_webhook(event: WebhookQueued, event_id: int) -> Sent | None:
    """POST one message, signed; any answer but 2xx (or none in time) is retried for days."""
    return send_message(message_public_id=event.aggregate_id)


@outside_transaction  # months of events: each chunk of messages commits on its own
def replay_requested(event: WebhookReplayRequested, event_id: int) -> None:
    """Queue what staff asked to replay; run again after a crash, it queues the messages again
    (under their webhook-ids: the receiver de-duplicates)."""
    replay(public_id=event.aggregate_id, since=datetime.fromisoformat(event.since),
           by=Actor("system", f"replay asked in event {event_id}"))

