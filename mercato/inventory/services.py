"""Inventory use cases: each public function is one transaction that records its event.

A service that changes what is on hand or allocated refreshes the catalog's listing rows of the
products concerned in the same transaction (their in-stock flag), after locking the stock rows.
"""

from django.db import transaction
from django.db.models import F

from mercato.catalog.models import ProductVariant
from mercato.catalog.services import refresh_listings
from mercato.core.events import Actor, record
from mercato.inventory.errors import (
    InvalidStockQuantity,
    StockBelowAllocated,
    StockLocationNotFound,
)
from mercato.inventory.events import StockLevelSet, StockReceived
from mercato.inventory.models import Stock, Warehouse


def set_stock_level(*, variant_id: int, warehouse_id: int, on_hand: int, by: Actor,
                    bin_location: str | None = None) -> Stock:
    """Set the units on hand of a variant in a warehouse (after a count), never below allocated."""
    if on_hand < 0:
        raise InvalidStockQuantity(f"On hand must be zero or more, not {on_hand}.",
                                   errors={"on_hand": ["Must be zero or more."]})
    with transaction.atomic():
        stock = _locked_stock(variant_id=variant_id, warehouse_id=warehouse_id)
        if on_hand < stock.allocated:
            raise StockBelowAllocated.for_levels(on_hand=on_hand, allocated=stock.allocated)
        old_on_hand = stock.on_hand
        stock.on_hand = on_hand
        if bin_location is not None:
            stock.bin_location = bin_location
        stock.save(update_fields=["on_hand", "bin_location"])
        refresh_listings(product_ids=[stock.variant.product_id])
        record(StockLevelSet(
            aggregate_id=str(stock.pk), sku=stock.variant.sku, warehouse=stock.warehouse.code,
            old_on_hand=old_on_hand, new_on_hand=on_hand, bin_location=stock.bin_location,
        ), by=by)
        return stock


def receive_stock(*, variant_id: int, warehouse_id: int, quantity: int, by: Actor) -> Stock:
    """Add received units to what is on hand, creating the stock row on the first delivery."""
    if quantity <= 0:
        raise InvalidStockQuantity(f"A received quantity must be positive, not {quantity}.",
                                   errors={"quantity": ["Must be positive."]})
    with transaction.atomic():
        stock = _locked_stock(variant_id=variant_id, warehouse_id=warehouse_id)
        Stock.objects.filter(pk=stock.pk).update(on_hand=F("on_hand") + quantity)
        stock.refresh_from_db(fields=["on_hand"])
        refresh_listings(product_ids=[stock.variant.product_id])
        record(StockReceived(
            aggregate_id=str(stock.pk), sku=stock.variant.sku, warehouse=stock.warehouse.code,
            quantity=quantity, on_hand=stock.on_hand,
        ), by=by)
        return stock


def _locked_stock(*, variant_id: int, warehouse_id: int) -> Stock:
    """The stock row locked for update; an empty row is created the first time it is needed."""
    rows = (
        Stock.objects.select_for_update(of=("self",))
        .select_related("variant", "warehouse")
        .filter(variant_id=variant_id, warehouse_id=warehouse_id)
    )
    stock = rows.first()
    if stock is not None:
        return stock
    if not ProductVariant.objects.filter(pk=variant_id).exists():
        raise StockLocationNotFound(f"There is no variant {variant_id}.")
    if not Warehouse.objects.filter(pk=warehouse_id).exists():
        raise StockLocationNotFound(f"There is no warehouse {warehouse_id}.")
    # get_or_create: a concurrent first delivery may insert the same row; then we lock theirs.
    Stock.objects.get_or_create(variant_id=variant_id, warehouse_id=warehouse_id)
    return rows.get()
