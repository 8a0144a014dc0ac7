"""Pure allocation rules: which warehouse sends which units of an order. No ORM here.

Warehouses are tried in priority order (lower number first, then id); a group (one shipment
plan: the lines going to one address) only draws on the warehouses that serve its destination
country (a warehouse with no countries serves every country). The strategy, group by group:

``single_warehouse`` (the default, MERCATO_ALLOCATION_STRATEGY):
1. One parcel if possible: the first warehouse that can send every line of the group whole
   sends it all.
2. Otherwise the group is split by inventory, line by line: each line goes whole to the first
   warehouse that can send it; a line no single warehouse can send is itself split over the
   warehouses in that order, taking what each has left.
3. Whatever is still missing is a backorder when the variant allows backorders (the units wait
   for stock, see orders' AwaitingInventory shipments), else a shortage of that variant.

``split``: step 1 is skipped (each line from the first warehouse that has it, as in step 2):
fewer units leave the preferred warehouses' stock idle, at the cost of more parcels.

Groups are served in the order given and draw on one shared stock: two groups asking for the
same variant never count the same unit twice. Since every serving warehouse is searched for
every line, a variant is short exactly when the groups together ask for more than all the
warehouses serving them hold.
"""

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

# (group index, [(variant id, quantity), ...]) as the caller plans its shipments.
Group = tuple[int, Sequence[tuple[int, int]]]

SINGLE_WAREHOUSE = "single_warehouse"
SPLIT = "split"
STRATEGIES = (SINGLE_WAREHOUSE, SPLIT)


@dataclass(frozen=True)
class StockRow:
    stock_id: int
    variant_id: int
    warehouse_id: int
    warehouse_priority: int
    available: int  # on hand - allocated; a negative value counts as 0
    countries: frozenset[str] = frozenset()  # the warehouse serves these; empty: every country


@dataclass(frozen=True)
class Allocation:
    """Units of a variant one group gets from one stock row; stock_id and warehouse_id are
    None for a backorder (units that wait for stock to arrive)."""

    group_index: int
    variant_id: int
    stock_id: int | None
    warehouse_id: int | None
    quantity: int

    @property
    def is_backorder(self) -> bool:
        return self.stock_id is None


@dataclass(frozen=True)
class AllocationPlan:
    allocations: tuple[Allocation, ...]
    shortages: Mapping[int, int] = field(default_factory=dict)  # variant id -> units missing

    @property
    def is_complete(self) -> bool:
        return not self.shortages

    def by_stock(self) -> dict[int, int]:
        """Units taken from each stock row, all groups together (backorders take none)."""
        taken: dict[int, int] = {}
        for a in self.allocations:
            if a.stock_id is not None:
                taken[a.stock_id] = taken.get(a.stock_id, 0) + a.quantity
        return taken


class _Shelves:
    """What is left per (warehouse, variant) while groups are planned one after the other."""

    def __init__(self, stock: Iterable[StockRow]) -> None:
        rows = sorted(stock, key=lambda row: (row.warehouse_priority, row.warehouse_id))
        self.warehouses: list[int] = list(dict.fromkeys(row.warehouse_id for row in rows))
        self.countries: dict[int, frozenset[str]] = {row.warehouse_id: row.countries
                                                     for row in rows}
        self.rows: dict[tuple[int, int], StockRow] = {
            (row.warehouse_id, row.variant_id): row for row in rows}
        self.left: dict[tuple[int, int], int] = {
            key: max(row.available, 0) for key, row in self.rows.items()}

    def serving(self, country: str | None) -> list[int]:
        """The warehouses, in priority order, that ship to `country` (None: any)."""
        if not country:
            return self.warehouses
        return [w for w in self.warehouses
                if not self.countries[w] or country.upper() in self.countries[w]]

    def has(self, warehouse_id: int, variant_id: int, quantity: int) -> bool:
        return self.left.get((warehouse_id, variant_id), 0) >= quantity

    def take(self, group_index: int, warehouse_id: int, variant_id: int,
             quantity: int) -> Allocation:
        key = (warehouse_id, variant_id)
        self.left[key] -= quantity
        return Allocation(group_index, variant_id, self.rows[key].stock_id, warehouse_id,
                          quantity)


def plan_allocation(groups: Iterable[Group], stock: Iterable[StockRow], *,
                    destinations: Mapping[int, str] | None = None,
                    strategy: str = SINGLE_WAREHOUSE,
                    backorder: Collection[int] = ()) -> AllocationPlan:
    """Allocate every group's lines from `stock` (see the module docstring for the strategy).

    `destinations`: group index -> the country it ships to (a group not in it may use every
    warehouse); `backorder`: variant ids whose missing units become backorders, not shortages.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"Unknown allocation strategy {strategy!r}; one of {STRATEGIES}.")
    shelves = _Shelves(stock)
    destinations = destinations or {}
    allocations: list[Allocation] = []
    shortages: dict[int, int] = {}
    for group_index, lines in groups:
        needs = _needs(lines)
        warehouses = shelves.serving(destinations.get(group_index))
        whole = None if strategy == SPLIT else next(
            (w for w in warehouses if all(shelves.has(w, v, q) for v, q in needs.items())), None)
        if whole is not None:
            allocations += [shelves.take(group_index, whole, v, q) for v, q in needs.items()]
            continue
        for variant_id, quantity in needs.items():
            taken, missing = _split_line(shelves, warehouses, group_index, variant_id, quantity)
            allocations += taken
            if missing and variant_id in backorder:
                allocations.append(Allocation(group_index, variant_id, None, None, missing))
            elif missing:
                shortages[variant_id] = shortages.get(variant_id, 0) + missing
    return AllocationPlan(tuple(allocations), shortages)


def _needs(lines: Sequence[tuple[int, int]]) -> dict[int, int]:
    """Units per variant in line order; a variant on two lines of a group is asked for once."""
    needs: dict[int, int] = {}
    for variant_id, quantity in lines:
        if quantity <= 0:
            raise ValueError(f"Cannot allocate {quantity} units of variant {variant_id}.")
        needs[variant_id] = needs.get(variant_id, 0) + quantity
    return needs


def _split_line(shelves: _Shelves, warehouses: list[int], group_index: int, variant_id: int,
                quantity: int) -> tuple[list[Allocation], int]:
    """The line whole from the first warehouse that has it all, else piece by piece."""
    whole = next((w for w in warehouses if shelves.has(w, variant_id, quantity)), None)
    if whole is not None:
        return [shelves.take(group_index, whole, variant_id, quantity)], 0
    taken = []
    for warehouse_id in warehouses:
        part = min(quantity, shelves.left.get((warehouse_id, variant_id), 0))
        if part > 0:
            taken.append(shelves.take(group_index, warehouse_id, variant_id, part))
            quantity -= part
    return taken, quantity
