"""The integrations API: webhook subscriptions (staff) and the endpoints other systems post to."""
