"""Allocation choice without a database: one parcel if a warehouse can, else split by line."""

from hypothesis import given
from hypothesis import strategies as st

from mercato.inventory.rules import Allocation, StockRow, plan_allocation

# Warehouses 1 (priority 10), 2 (priority 20), 3 (priority 20: the lower id wins the tie).
PRIORITY = {1: 10, 2: 20, 3: 20}
SHIRT, MUG = 101, 102


def stock(*rows: tuple[int, int, int]) -> list[StockRow]:
    """(variant, warehouse, available) -> rows with stock id = warehouse * 1000 + variant."""
    return [StockRow(warehouse * 1000 + variant, variant, warehouse, PRIORITY[warehouse],
                     available) for variant, warehouse, available in rows]


def taken(plan) -> set[tuple[int, int, int, int]]:
    return {(a.group_index, a.variant_id, a.warehouse_id, a.quantity) for a in plan.allocations}


def test_the_first_warehouse_by_priority_that_has_everything_sends_the_whole_group():
    rows = stock((SHIRT, 1, 5), (MUG, 1, 0), (SHIRT, 2, 5), (MUG, 2, 5), (SHIRT, 3, 9),
                 (MUG, 3, 9))

    plan = plan_allocation([(0, [(SHIRT, 2), (MUG, 1)])], rows)

    assert plan.is_complete
    assert plan.allocations == (Allocation(0, SHIRT, 2101, 2, 2), Allocation(0, MUG, 2102, 2, 1))


def test_a_single_warehouse_wins_over_a_higher_priority_one_that_would_split_the_parcel():
    rows = stock((SHIRT, 1, 10), (SHIRT, 3, 2), (MUG, 3, 1))

    plan = plan_allocation([(0, [(SHIRT, 2), (MUG, 1)])], rows)

    assert taken(plan) == {(0, SHIRT, 3, 2), (0, MUG, 3, 1)}


def test_without_a_single_warehouse_each_line_goes_whole_where_it_can():
    rows = stock((SHIRT, 1, 1), (SHIRT, 2, 3), (MUG, 1, 4))

    plan = plan_allocation([(0, [(SHIRT, 3), (MUG, 2)])], rows)

    assert plan.is_complete
    assert taken(plan) == {(0, SHIRT, 2, 3), (0, MUG, 1, 2)}


def test_a_line_no_warehouse_can_send_whole_is_split_in_priority_order():
    rows = stock((SHIRT, 3, 2), (SHIRT, 2, 2), (SHIRT, 1, 1))

    plan = plan_allocation([(0, [(SHIRT, 4)])], rows)

    assert [(a.warehouse_id, a.quantity) for a in plan.allocations] == [(1, 1), (2, 2), (3, 1)]


def test_a_shortage_says_how_many_units_are_missing():
    rows = stock((SHIRT, 1, 2), (SHIRT, 2, 1))

    plan = plan_allocation([(0, [(SHIRT, 5), (MUG, 1)])], rows)

    assert not plan.is_complete
    assert plan.shortages == {SHIRT: 2, MUG: 1}


def test_two_groups_draw_on_the_same_stock():
    rows = stock((SHIRT, 1, 3), (SHIRT, 2, 3))

    plan = plan_allocation([(0, [(SHIRT, 2)]), (1, [(SHIRT, 2)]), (2, [(SHIRT, 3)])], rows)

    assert plan.shortages == {SHIRT: 1}
    assert plan.by_stock() == {1101: 3, 2101: 3}


def test_a_variant_on_two_lines_of_a_group_is_asked_for_once():
    plan = plan_allocation([(0, [(SHIRT, 1), (SHIRT, 2)])], stock((SHIRT, 2, 3)))

    assert plan.allocations == (Allocation(0, SHIRT, 2101, 2, 3),)


def test_negative_availability_counts_as_nothing():
    plan = plan_allocation([(0, [(SHIRT, 1)])], stock((SHIRT, 1, -4), (SHIRT, 2, 1)))

    assert taken(plan) == {(0, SHIRT, 2, 1)}


# --- properties ---------------------------------------------------------------------------------

VARIANTS = st.sampled_from([SHIRT, MUG, 103])
stock_rows = st.lists(st.tuples(VARIANTS, st.sampled_from([1, 2, 3]), st.integers(-2, 8)),
                      max_size=9, unique_by=lambda row: row[:2])
group_lines = st.lists(st.tuples(VARIANTS, st.integers(1, 6)), min_size=1, max_size=4)
groups = st.lists(group_lines, min_size=1, max_size=3).map(lambda gs: list(enumerate(gs)))


@given(stock_rows, groups)
def test_never_allocates_more_than_a_row_has(rows, wanted):
    shelves = stock(*rows)

    plan = plan_allocation(wanted, shelves)

    available = {row.stock_id: max(row.available, 0) for row in shelves}
    assert all(quantity <= available[stock_id] for stock_id, quantity in plan.by_stock().items())
    assert all(a.quantity > 0 for a in plan.allocations)


@given(stock_rows, groups)
def test_shortages_are_exactly_what_all_warehouses_together_lack(rows, wanted):
    shelves = stock(*rows)

    plan = plan_allocation(wanted, shelves)

    demand: dict[int, int] = {}
    for _, lines in wanted:
        for variant, quantity in lines:
            demand[variant] = demand.get(variant, 0) + quantity
    supply = {v: sum(max(r.available, 0) for r in shelves if r.variant_id == v) for v in demand}
    assert plan.shortages == {v: demand[v] - supply[v] for v in demand if demand[v] > supply[v]}


@given(stock_rows, groups)
def test_without_shortage_every_group_gets_exactly_what_it_asked_for(rows, wanted):
    plan = plan_allocation(wanted, stock(*rows))

    if plan.is_complete:
        for index, lines in wanted:
            asked: dict[int, int] = {}
            for variant, quantity in lines:
                asked[variant] = asked.get(variant, 0) + quantity
            got: dict[int, int] = {}
            for a in plan.allocations:
                if a.group_index == index:
                    got[a.variant_id] = got.get(a.variant_id, 0) + a.quantity
            assert got == asked
