"""What every storefront page shows: the shop's name and how many items the cart holds."""

from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from mercato.cart.models import CartLine
from mercato.cart.selectors import live_carts


def shop(request: HttpRequest) -> dict[str, object]:
    return {"shop_name": settings.MERCATO_SHOP_NAME, "cart_count": cart_count(request)}


def cart_count(request: HttpRequest) -> object:
    """Units in the shopper's cart: one query when a page shows it, none without a cart
    cookie or a login."""
    user = getattr(request, "user", None)
    customer_id = user.pk if user is not None and user.is_authenticated else None
    token = request.COOKIES.get(settings.MERCATO_CART_COOKIE)
    if customer_id is None and not token:
        return 0
    carts = (live_carts().filter(customer_id=customer_id) if customer_id is not None
             else live_carts().filter(token=token, customer__isnull=True))

    def count() -> int:
        total = CartLine.objects.filter(cart__in=carts).aggregate(units=Sum("quantity"))
        return total["units"] or 0

    return SimpleLazyObject(count)
