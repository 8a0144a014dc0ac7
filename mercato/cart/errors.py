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


class CouponNotInCart(NotFound):
    slug = "coupon-not-in-cart"
    title = "This coupon code is not in the cart"


class TooManyCoupons(InvalidInput):
    slug = "too-many-coupons"
    title = "Too many coupon codes"


class InvalidCountry(InvalidInput):
    slug = "invalid-country"
    title = "Unknown country"


class CountryNeeded(InvalidInput):
    """Delivery methods depend on where the parcel goes."""

    slug = "country-needed"
    title = "A country is needed"


class DeliveryMethodNotOffered(InvalidInput):
    slug = "delivery-method-not-offered"
    title = "This delivery method is not offered for this address and cart"
