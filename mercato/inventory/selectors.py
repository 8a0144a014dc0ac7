"""Reads of stock levels that other apps need (the cart, checkout)."""

from collections.abc import Iterable

from django.db.models import F, Sum
from django.db.models.functions import Greatest

from mercato.catalog.models import ProductVariant
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



def variant_of_stock(*, stock_id: int) -> int | None:
    """The variant of a stock row (None if the row is gone): stock events name the row."""
    return Stock.objects.filter(pk=stock_id).values_list("variant_id", flat=True).first()


# What a variant that allows backorders can be sold in: as many as asked (a cart line's own
# limits still apply); the units missing wait for stock in an AwaitingInventory shipment.
BACKORDER_QUANTITY = 1_000_000


def sellable_quantities(*, variant_ids: Iterable[int]) -> dict[int, int]:
    """Units each variant can be sold: what is available, or without limit for a variant that
    allows backorders (ProductVariant.allow_backorder). Two queries."""
    ids = set(variant_ids)
    quantities = available_quantities(variant_ids=ids)
    backorder = ProductVariant.objects.filter(pk__in=ids, allow_backorder=True)
    quantities.update(dict.fromkeys(backorder.values_list("pk", flat=True),
                                    BACKORDER_QUANTITY))
    return quantities


def sellable_quantity(*, variant_id: int) -> int:
    return sellable_quantities(variant_ids=[variant_id])[variant_id]
