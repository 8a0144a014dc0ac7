"""Back office, Integrations: webhook subscriptions with their delivery log, incoming connections
with what they sent."""
