"""The one table of which handler reacts to which event type.

Keys are event type names (the DomainEvent class name stored in Event.type); values are dotted
paths to `def handle(event: Event) -> None`. The outbox worker (mercato.core.outbox.services)
delivers each recorded event once to each handler listed here. Handlers must be idempotent on
`event.pk` (at-least-once: a crash after the effect but before commit runs it again).

Tests point the worker at their own table with `override_settings(MERCATO_HANDLERS={...})`;
when that setting is absent this table is used.
"""

HANDLERS: dict[str, list[str]] = {
    "OrderPlaced": ["mercato.notifications.handlers.order_placed"],
}
