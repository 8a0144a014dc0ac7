"""Integration errors, each shown as a problem+json type."""

from mercato.core.problems import InvalidInput, NotFound


class SubscriptionNotFound(NotFound):
    slug = "webhook-subscription-not-found"
    title = "Webhook subscription not found"


class InvalidWebhookUrl(InvalidInput):
    """The target URL is not an http(s) URL on a public address."""

    slug = "invalid-webhook-url"
    title = "Webhook URL not allowed"


class UnknownEventType(InvalidInput):
    slug = "unknown-webhook-event-type"
    title = "Unknown webhook event type"


class InvalidReplayTime(InvalidInput):
    """A replay starts at a time that has not come yet."""

    slug = "invalid-replay-time"
    title = "Replay from a time in the past"

