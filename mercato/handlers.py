"""The one table of which handler reacts to which event.

Keys are event classes, values the functions the outbox delivers each recorded event of that
class to, as `handler(event, event_id)`: the event's own dataclass and its row's id (see
mercato.core.outbox.table). A renamed event or handler breaks this import, not a delivery.
Handlers must be idempotent on the event id (at least once: a crash after the effect but before
the delivery commits runs it again), and a call to another system carries a key derived from it.

Tests point the worker at their own table with `override_settings(MERCATO_HANDLERS={...})`;
when that setting is absent this table is used.
"""

from mercato.checkout import handlers as checkout
from mercato.integrations import handlers as integrations
from mercato.integrations.events import WebhookQueued, WebhookReplayRequested
from mercato.integrations.rules import SOURCE_EVENTS
from mercato.inventory.events import StockLevelSet, StockReceived, StockReleased
from mercato.notifications import handlers as notifications
from mercato.orders import handlers as orders
from mercato.orders.events import (
    OrderCancelled,
    OrderPlaced,
    ShipmentCancelled,
    ShipmentDelivered,
    ShipmentShipped,
)
from mercato.payments.events import PaymentReferenceAssigned, PaymentTransactionRecorded
from mercato.returns import handlers as returns
from mercato.returns.events import (
    ReturnApproved,
    ReturnCancelled,
    ReturnCompleted,
    ReturnDifferencePaid,
    ReturnDifferenceWaived,
    ReturnPaidTwice,
    ReturnReceived,
    ReturnRefunded,
    ReturnRejected,
    ReturnRequested,
)

HANDLERS = {
    # The customer is emailed the confirmation; MERCATO_CAPTURE_MODE=order captures at once.
    OrderPlaced: [notifications.order_placed, checkout.capture_placed_order],
    # The payments of a cancelled order are voided or refunded, and the customer told.
    OrderCancelled: [orders.order_cancelled, notifications.order_cancelled],
    # Backorders: stock that arrives (or comes back) goes to waiting shipments, oldest first.
    StockReceived: [orders.stock_arrived],
    StockLevelSet: [orders.stock_arrived],
    StockReleased: [orders.stock_arrived],
    # MERCATO_RELEASE_MODE=on_payment: release shipments once the order's payments are in.
    PaymentReferenceAssigned: [orders.payment_changed],
    PaymentTransactionRecorded: [orders.payment_changed],
    # A parcel left: the order's payments are captured, the customer gets the tracking link;
    # a return's replacement has its price difference captured and may complete the return.
    ShipmentShipped: [orders.shipment_shipped, notifications.shipment_shipped,
                      returns.replacement_shipped],
    # Cash on delivery is collected; a parcel cancelled after capture is refunded.
    ShipmentDelivered: [orders.shipment_delivered],
    ShipmentCancelled: [orders.shipment_cancelled],
    # Every step of a return is emailed to the customer. The price difference of an exchange
    # is captured at once (capture mode order), and voided when the return is rejected or
    # cancelled, or when a second payment secured it again.
    ReturnRequested: [notifications.return_changed],
    ReturnApproved: [notifications.return_changed],
    ReturnRejected: [notifications.return_changed, returns.return_closed],
    ReturnReceived: [notifications.return_changed],
    ReturnRefunded: [notifications.return_changed],
    ReturnCompleted: [notifications.return_changed],
    ReturnCancelled: [notifications.return_changed, returns.return_closed],
    ReturnDifferencePaid: [notifications.return_changed, returns.difference_paid],
    ReturnDifferenceWaived: [notifications.return_changed],
    ReturnPaidTwice: [returns.paid_twice],
}

# Outgoing webhooks: every event a subscription may want is fanned out to one message per
# subscription (integrations.rules says which events are which webhook types); each message is
# then sent by its own delivery, retried for days.
for source in SOURCE_EVENTS:
    HANDLERS.setdefault(source, []).append(integrations.queue_webhooks)
HANDLERS[WebhookQueued] = [integrations.send_webhook]
HANDLERS[WebhookReplayRequested] = [integrations.replay_requested]
