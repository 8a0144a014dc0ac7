"""Cart errors, each shown as a problem+json type."""

from mercato.core.problems import Conflict, InvalidInput, NotFound


class CartNotFound(NotFound):
    slug = "cart-not-found"
    title = "Cart not found"


class CartLineNotFound(NotFound):
    slug = "cart-line-not-found"
    title = "This SKU is not in the cart"


class UnknownSku(InvalidInput):
    slug = "unknown-sku"
    title = "Unknown SKU"


class NotSellable(InvalidInput):
    """The product is unpublished or has no price in the cart's currency."""

    slug = "not-sellable"
    title = "This product cannot be bought"


class InsufficientStock(Conflict):
    slug = "insufficient-stock"
    title = "Not enough stock"
