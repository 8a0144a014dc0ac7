"""What every storefront page shows: the shop's name and how many items the cart holds."""

from django.conf import settings
from django.http import HttpRequest


def shop(request: HttpRequest) -> dict[str, object]:
    return {"shop_name": settings.MERCATO_SHOP_NAME}
