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
    "OrderCancelled": ["mercato.notifications.handlers.order_cancelled"],
    # Backorders: stock that arrives (or comes back) goes to waiting shipments, oldest first.
    "StockReceived": ["mercato.orders.handlers.stock_arrived"],
    "StockLevelSet": ["mercato.orders.handlers.stock_arrived"],
    "StockReleased": ["mercato.orders.handlers.stock_arrived"],
    # MERCATO_RELEASE_MODE=on_payment: release shipments once the order's payments are in.
    "PaymentReferenceAssigned": ["mercato.orders.handlers.payment_changed"],
    "PaymentTransactionRecorded": ["mercato.orders.handlers.payment_changed"],
    # The customer is told a parcel left, with its tracking link; a return's replacement that
    # left has its price difference captured and may complete the return.
    "ShipmentShipped": ["mercato.notifications.handlers.shipment_shipped",
                        "mercato.returns.handlers.replacement_shipped"],
    # Every step of a return is emailed to the customer.
    **{name: ["mercato.notifications.handlers.return_changed"]
       for name in ("ReturnRequested", "ReturnApproved", "ReturnRejected", "ReturnReceived",
                    "ReturnRefunded", "ReturnCompleted", "ReturnCancelled",
                    "ReturnDifferencePaid", "ReturnDifferenceWaived")},
}
