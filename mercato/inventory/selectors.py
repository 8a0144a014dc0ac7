"""Reads of stock levels that other apps need (the cart, checkout)."""

from collections.abc import Iterable

from django.db.models import F, Sum
from django.db.models.functions import Greatest

from mercato.inventory.models import Stock


def available_quantities(*, variant_ids: Iterable[int]) -> dict[int, int]:
    """Units each variant can still be sold: on hand - allocated over active warehouses.

    One query. A warehouse never contributes a negative amount; no stock row means 0.
    """
    ids = set(variant_ids)
    if not ids:
        return {}
    rows = (
        Stock.objects.filter(variant_id__in=ids, warehouse__is_active=True)
        .values("variant_id")
        .annotate(available=Sum(Greatest(F("on_hand") - F("allocated"), 0)))
        .order_by()
    )
    quantities = dict.fromkeys(ids, 0)
    quantities.update({row["variant_id"]: row["available"] or 0 for row in rows})
    return quantities


def available_quantity(*, variant_id: int) -> int:
    return available_quantities(variant_ids=[variant_id])[variant_id]

