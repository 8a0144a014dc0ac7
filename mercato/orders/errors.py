"""Order errors, each shown as a problem+json type."""

from mercato.core.problems import InvalidInput, NotFound
from mercato.core.states import IllegalTransition


class OrderNotFound(NotFound):
    slug = "order-not-found"
    title = "Order not found"


class ShipmentNotFound(NotFound):
    slug = "shipment-not-found"
    title = "Shipment not found"


class OrderOnHold(IllegalTransition):
    slug = "order-on-hold"
    title = "The order is on hold"


class InvalidShipmentData(InvalidInput):
    slug = "invalid-shipment-data"
    title = "The shipment data is not valid"


class InvalidOrderAddress(InvalidInput):
    slug = "invalid-order-address"
    title = "The order address is not valid"


class EmptyOrder(InvalidInput):
    slug = "empty-order"
    title = "An order needs at least one line"


class OrderAlreadyShipped(IllegalTransition):
    slug = "order-already-shipped"
    title = "Part of this order has shipped"


class InvalidDateRange(InvalidInput):
    """The range ends before it starts."""

    slug = "invalid-date-range"
    title = "The date range ends before it starts"

