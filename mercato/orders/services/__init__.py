"""Order use cases: one transaction each, every change recorded as an event.

- placement: the order number and `place_order` (a priced quote and checkout's shipment plans
  -> a numbered order with its stock allocated and its shipments).
- orders: moves of a whole order (hold, release of the hold, cancel, capture its payments).
- shipments: shipment processing (release, hold, pack, ship, confirm delivery, cancel).
- tracking: what the carrier reports of a shipped parcel on its way (for the tracking page).
- waiting: backordered shipments allocated when stock arrives; release on payment.
- money: settling the order's payments when the outbox delivers a move's event (void, refund,
  capture what is due).

Lock order, the same in every service: stock rows (by pk), then the order-number sequence row,
then (cancel) the order, its shipments and again stock rows by pk. Stock comes before the
number so an order that is out of stock fails without queueing for the shop-wide number lock.
Every shipment move locks the order row, then the shipment rows (by pk), then stock rows (by
pk). No move calls a gateway: the settlements in services.money run from the outbox.

Import from here (`from mercato.orders.services import place_order`); the modules are the
package's layout, not its interface.
"""

from mercato.orders.services.money import (
    SETTLEMENTS,
    PaymentAction,
    capture_shipped_order,
    collect_cash_on_delivery,
    refund_cancelled_parcel,
    settle_cancelled_order,
)
from mercato.orders.services.orders import (
    cancel_order,
    capture_order_payments,
    hold_order,
    release_hold,
)
from mercato.orders.services.placement import allocate_order_number, place_order
from mercato.orders.services.shipments import (
    cancel_shipment,
    confirm_delivery,
    hold_shipment,
    mark_shipment_shipped,
    pack_shipments,
    release_shipment,
    release_shipment_hold,
)
from mercato.orders.services.tracking import record_tracking_event
from mercato.orders.services.waiting import (
    MANUAL_RELEASE,
    OPEN_ORDER,
    PAID,
    RELEASE_ON_PAYMENT,
    allocate_awaiting_shipments,
    release_mode,
    release_paid_order,
)

__all__ = [
    "MANUAL_RELEASE",
    "OPEN_ORDER",
    "PAID",
    "RELEASE_ON_PAYMENT",
    "SETTLEMENTS",
    "PaymentAction",
    "allocate_awaiting_shipments",
    "allocate_order_number",
    "cancel_order",
    "cancel_shipment",
    "capture_order_payments",
    "capture_shipped_order",
    "collect_cash_on_delivery",
    "confirm_delivery",
    "hold_order",
    "hold_shipment",
    "mark_shipment_shipped",
    "pack_shipments",
    "place_order",
    "record_tracking_event",
    "refund_cancelled_parcel",
    "release_hold",
    "release_mode",
    "release_paid_order",
    "release_shipment",
    "release_shipment_hold",
    "settle_cancelled_order",
]
