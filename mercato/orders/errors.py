"""Order errors, each shown as a problem+json type."""

from mercato.core.problems import InvalidInput, NotFound


class OrderNotFound(NotFound):
    slug = "order-not-found"
    title = "Order not found"


class InvalidOrderAddress(InvalidInput):
    slug = "invalid-order-address"
    title = "The order address is not valid"


class EmptyOrder(InvalidInput):
    slug = "empty-order"
    title = "An order needs at least one line"
