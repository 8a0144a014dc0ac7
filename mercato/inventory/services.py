"""Inventory use cases: each public function is one transaction that records its event.

A service that changes what is on hand or allocated refreshes the catalog's listing rows of the
products concerned in the same transaction (their in-stock flag), after locking the stock rows.

Lock order: stock rows first, always ordered by pk (so two orders wanting the same variants
queue instead of deadlocking, whatever order their lines are in), then the products that
refresh_listings locks, also by pk.
"""

from collections.abc import Iterable, Mapping, Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, IntegerField, QuerySet, Value, When

from mercato.catalog.models import ProductVariant
from mercato.catalog.services import refresh_listings
from mercato.core.events import Actor, record
from mercato.inventory.errors import (
    InvalidStockQuantity,
    OutOfStock,
    StockBelowAllocated,
    StockLocationNotFound,
)
from mercato.inventory.events import (
    StockAllocated,
    StockLevelSet,
    StockReceived,
    StockReleased,
    StockShipped,
)
from mercato.inventory.models import Stock, Warehouse
from mercato.inventory.rules import (
    SINGLE_WAREHOUSE,
    Allocation,
    AllocationPlan,
    Group,
    StockRow,
    plan_allocation,
)


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


def allocate_stock(*, groups: Sequence[Group], by: Actor, reference: str = "",
                   destinations: Mapping[int, str] | None = None,
                   backorders: bool = False) -> list[Allocation]:
    """Set aside the units each shipment group asks for, from the active warehouses serving the
    group's destination country (`destinations`: group index -> country), by the strategy of
    MERCATO_ALLOCATION_STRATEGY (inventory.rules), or raise OutOfStock naming the short SKUs
    and change nothing.

    With `backorders`, the missing units of variants that allow backorders are not short: they
    come back as allocations without a stock row (Allocation.is_backorder).
    `reference` (the order's public id) goes into each StockAllocated event. Call it inside the
    transaction that creates what the units are allocated to: its row locks are held until then.
    """
    groups = [(index, list(lines)) for index, lines in groups]
    variant_ids = sorted({variant_id for _, lines in groups for variant_id, _ in lines})
    if not variant_ids:
        return []
    backorder = set(ProductVariant.objects.filter(pk__in=variant_ids, allow_backorder=True)
                    .values_list("pk", flat=True)) if backorders else set()
    with transaction.atomic():
        rows = _locked_rows(Stock.objects.filter(variant_id__in=variant_ids,
                                                 warehouse__is_active=True))
        plan = plan_allocation(groups, [
            StockRow(row.pk, row.variant_id, row.warehouse_id, row.warehouse.priority,
                     row.available, frozenset(str(c) for c in row.warehouse.countries))
            for row in rows], destinations=destinations, strategy=allocation_strategy(),
            backorder=backorder)
        if not plan.is_complete:
            raise _out_of_stock(groups, rows, plan)
        _change_allocated(rows, plan.by_stock(), StockAllocated, by=by, reference=reference)
    return list(plan.allocations)


def allocation_strategy() -> str:
    return getattr(settings, "MERCATO_ALLOCATION_STRATEGY", SINGLE_WAREHOUSE)


def release_stock(*, allocations: Iterable[tuple[int, int]], by: Actor,
                  reference: str = "") -> None:
    """Give allocated units back: `allocations` are (stock id, quantity), e.g. the lines of a
    cancelled shipment. A stock row deleted since (its variant was deleted) is skipped."""
    taken = _totals(allocations)
    if not taken:
        return
    with transaction.atomic():
        rows = _locked_rows(Stock.objects.filter(pk__in=taken))
        short = [row for row in rows if row.allocated < taken[row.pk]]
        if short:  # releasing what was never allocated is a bug in the caller
            raise ValueError(f"Stock {short[0].pk} has only {short[0].allocated} allocated, "
                             f"{taken[short[0].pk]} cannot be released.")
        released = {row.pk: -taken[row.pk] for row in rows}
        _change_allocated(rows, released, StockReleased, by=by, reference=reference)


def ship_stock(*, allocations: Iterable[tuple[int, int]], by: Actor,
                reference: str = "") -> None:
    """Allocated units leave the building: `allocations` are (stock id, quantity), the lines
    of a shipped parcel; on hand and allocated both go down (available does not change)."""
    taken = _totals(allocations)
    if not taken:
        return
    with transaction.atomic():
        rows = _locked_rows(Stock.objects.filter(pk__in=taken))
        short = [row for row in rows if row.allocated < taken[row.pk]]
        if short:
            raise ValueError(f"Stock {short[0].pk} has only {short[0].allocated} allocated, "
                             f"{taken[short[0].pk]} cannot be shipped.")
        for row in rows:
            Stock.objects.filter(pk=row.pk).update(on_hand=F("on_hand") - taken[row.pk],
                                                   allocated=F("allocated") - taken[row.pk])
            record(StockShipped(
                aggregate_id=str(row.pk), sku=row.variant.sku, warehouse=row.warehouse.code,
                quantity=taken[row.pk], on_hand=row.on_hand - taken[row.pk],
                allocated=row.allocated - taken[row.pk], reference=reference), by=by)


def lock_stock(*, variant_ids: Iterable[int]) -> None:
    """Lock every stock row of the variants in pk order, for a caller that allocates several
    times in one transaction (orders' backorder allocation) and must not take them piecemeal."""
    list(Stock.objects.select_for_update().filter(variant_id__in=set(variant_ids))
         .order_by("pk").values_list("pk", flat=True))


def _totals(allocations: Iterable[tuple[int, int]]) -> dict[int, int]:
    taken: dict[int, int] = {}
    for stock_id, quantity in allocations:
        if quantity <= 0:
            raise ValueError(f"Cannot move {quantity} units of stock {stock_id}.")
        taken[stock_id] = taken.get(stock_id, 0) + quantity
    return taken


def _locked_rows(stock: QuerySet[Stock]) -> list[Stock]:
    """The rows locked for update in pk order (the fixed order that rules out deadlocks)."""
    return list(stock.select_for_update(of=("self",))
                .select_related("variant", "warehouse").order_by("pk"))


def _change_allocated(rows: list[Stock], changes: dict[int, int],
                      event: type[StockAllocated | StockReleased], *, by: Actor,
                      reference: str) -> None:
    """Add `changes` (stock id -> units, negative to release) to allocated in one UPDATE,
    refresh the listings of products whose availability may flip, one event per stock row."""
    changed = [row for row in rows if changes.get(row.pk)]
    by_row = Case(*[When(pk=row.pk, then=Value(changes[row.pk])) for row in changed],
                  output_field=IntegerField())
    Stock.objects.filter(pk__in=[row.pk for row in changed]).update(
        allocated=F("allocated") + by_row)
    # The listing only says in stock or not: a row that runs out or comes back may flip it.
    # Skipping the others keeps busy products out of each other's way (no product lock).
    flips = [row for row in changed if min(row.available, row.available - changes[row.pk]) <= 0]
    if flips:
        refresh_listings(product_ids={row.variant.product_id for row in flips})
    for row in changed:
        record(event(
            aggregate_id=str(row.pk), sku=row.variant.sku, warehouse=row.warehouse.code,
            quantity=abs(changes[row.pk]), allocated=row.allocated + changes[row.pk],
            reference=reference,
        ), by=by)


def _out_of_stock(groups: list[tuple[int, list[tuple[int, int]]]], rows: list[Stock],
                  plan: AllocationPlan) -> OutOfStock:
    wanted: dict[int, int] = {}
    for _, lines in groups:
        for variant_id, quantity in lines:
            wanted[variant_id] = wanted.get(variant_id, 0) + quantity
    available = dict.fromkeys(wanted, 0)
    skus = {}
    for row in rows:
        available[row.variant_id] += max(row.available, 0)
        skus[row.variant_id] = row.variant.sku
    unknown = [v for v in plan.shortages if v not in skus]
    skus |= dict(ProductVariant.objects.filter(pk__in=unknown).values_list("pk", "sku"))
    return OutOfStock.for_shortages([
        (skus.get(variant_id, str(variant_id)), wanted[variant_id], available[variant_id])
        for variant_id in wanted if variant_id in plan.shortages])
