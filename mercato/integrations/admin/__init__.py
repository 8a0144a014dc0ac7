"""Back office, Integrations: webhook subscriptions with their delivery log, incoming connections
with what they sent."""

from mercato.integrations.admin import incoming, webhooks  # noqa: F401 - they register
