"""Integration use cases.

- subscriptions: webhook subscriptions (create, rotate the secret, replay) and the URL guard.
- delivery: queue one message per matching subscription for an event, send a message signed.
- incoming: what a logistics system or an OMS reports, applied through the flow apps' services.
"""
