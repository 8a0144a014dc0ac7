import pytest

from mercato.catalog.models import ProductListing
from mercato.core.events import Actor
from mercato.core.models import Event
from mercato.inventory.errors import OutOfStock
from mercato.inventory.models import Stock
from mercato.inventory.services import allocate_stock, release_stock
from tests.factories import StockFactory, WarehouseFactory, make_sellable_variant

SHOP = Actor("customer", "ada@example.com")


@pytest.fixture
def warehouses():
    return (WarehouseFactory(code="main", priority=10),
            WarehouseFactory(code="north", name="North", priority=20))


def levels(*stocks: Stock) -> list[tuple[int, int]]:
    for stock in stocks:
        stock.refresh_from_db()
    return [(stock.on_hand, stock.allocated) for stock in stocks]


@pytest.mark.django_db
def test_allocate_stock_adds_to_allocated_and_records_an_event_per_stock_row(warehouses):
    main, north = warehouses
    shirt = StockFactory(warehouse=main, on_hand=5)
    mug = StockFactory(warehouse=north, on_hand=3)

    allocations = allocate_stock(groups=[(0, [(shirt.variant_id, 2)]),
                                         (1, [(mug.variant_id, 3)])], by=SHOP, reference="ord-1")

    assert [(a.group_index, a.stock_id, a.quantity) for a in allocations] == [
        (0, shirt.pk, 2), (1, mug.pk, 3)]
    assert levels(shirt, mug) == [(5, 2), (3, 3)]
    events = list(Event.objects.order_by("id"))
    assert [(e.type, e.aggregate_id) for e in events] == [
        ("StockAllocated", str(shirt.pk)), ("StockAllocated", str(mug.pk))]
    assert {k: events[0].payload[k] for k in ("sku", "warehouse", "quantity", "allocated",
                                              "reference")} == {
        "sku": shirt.variant.sku, "warehouse": "main", "quantity": 2, "allocated": 2,
        "reference": "ord-1"}
    assert events[0].actor == "customer:ada@example.com"


@pytest.mark.django_db
def test_allocate_stock_skips_inactive_warehouses(warehouses):
    main, north = warehouses
    closed = StockFactory(warehouse=main, on_hand=9)
    main.is_active = False
    main.save()
    open_ = StockFactory(variant=closed.variant, warehouse=north, on_hand=2)

    allocate_stock(groups=[(0, [(closed.variant_id, 2)])], by=SHOP)

    assert levels(closed, open_) == [(9, 0), (2, 2)]


@pytest.mark.django_db
def test_out_of_stock_names_the_skus_and_changes_nothing(warehouses):
    main, north = warehouses
    shirt = StockFactory(warehouse=main, on_hand=2, allocated=1)
    StockFactory(variant=shirt.variant, warehouse=north, on_hand=1)
    mug = StockFactory(warehouse=main, on_hand=5)
    bare = make_sellable_variant(on_hand=0)

    with pytest.raises(OutOfStock) as raised:
        allocate_stock(groups=[(0, [(mug.variant_id, 1), (shirt.variant_id, 3)]),
                               (1, [(bare.pk, 1)])], by=SHOP)

    problem = raised.value
    assert (problem.status, problem.slug) == (409, "out-of-stock")
    assert shirt.variant.sku in problem.detail and bare.sku in problem.detail
    assert problem.errors == {"lines": [
        f"Only 2 of {shirt.variant.sku} are available (3 asked for).",
        f"{bare.sku} is out of stock."]}
    assert problem.as_dict()["shortages"][0] == {
        "sku": shirt.variant.sku, "requested": 3, "available": 2}
    assert levels(shirt, mug) == [(2, 1), (5, 0)]
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_allocating_the_last_units_marks_the_listing_sold_out_and_releasing_them_back():
    variant = make_sellable_variant(on_hand=2)
    stock = variant.stock_levels.get()

    allocate_stock(groups=[(0, [(variant.pk, 2)])], by=SHOP)
    sold_out = ProductListing.objects.get(product_id=variant.product_id).in_stock
    release_stock(allocations=[(stock.pk, 1)], by=SHOP)

    assert (sold_out, ProductListing.objects.get(product_id=variant.product_id).in_stock) == (
        False, True)


@pytest.mark.django_db
def test_release_stock_gives_units_back_and_records_an_event(warehouses):
    stock = StockFactory(warehouse=warehouses[0], on_hand=5, allocated=4)

    release_stock(allocations=[(stock.pk, 1), (stock.pk, 2)], by=SHOP, reference="ord-1")

    assert levels(stock) == [(5, 1)]
    event = Event.objects.get()
    assert (event.type, event.payload["quantity"], event.payload["allocated"]) == (
        "StockReleased", 3, 1)


@pytest.mark.django_db
def test_releasing_more_than_is_allocated_is_a_bug_and_changes_nothing(warehouses):
    stock = StockFactory(warehouse=warehouses[0], on_hand=5, allocated=1)

    with pytest.raises(ValueError, match="only 1 allocated"):
        release_stock(allocations=[(stock.pk, 2)], by=SHOP)

    assert levels(stock) == [(5, 1)]
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_releasing_a_deleted_stock_row_is_skipped(warehouses):
    stock = StockFactory(warehouse=warehouses[0], on_hand=5, allocated=1)

    release_stock(allocations=[(stock.pk + 1000, 2), (stock.pk, 1)], by=SHOP)

    assert levels(stock) == [(5, 0)]


@pytest.mark.django_db
def test_nothing_to_allocate_runs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert allocate_stock(groups=[(0, [])], by=SHOP) == []
