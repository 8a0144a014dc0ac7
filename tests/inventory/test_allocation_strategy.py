"""Allocation strategy: warehouses serve countries, one warehouse preferred or split by
inventory (MERCATO_ALLOCATION_STRATEGY), backorders; shipping stock; what can be sold."""

import pytest
from django.test import override_settings

from mercato.cart.selectors import lines_review
from mercato.core.events import Actor
from mercato.core.models import Event
from mercato.inventory.errors import OutOfStock
from mercato.inventory.models import Stock
from mercato.inventory.rules import SPLIT, Allocation, StockRow, plan_allocation
from mercato.inventory.selectors import (
    BACKORDER_QUANTITY,
    available_quantity,
    sellable_quantity,
)
from mercato.inventory.services import allocate_stock, ship_stock
from tests.factories import (
    CartLineFactory,
    ProductVariantFactory,
    StockFactory,
    VariantPriceFactory,
    WarehouseFactory,
)

SHOP = Actor("staff", "stock@example.com")
SHIRT, MUG = 1, 2
BERLIN, PARIS = 10, 20  # warehouse ids; Berlin first by priority


def rows(*, berlin_serves=frozenset(), paris_serves=frozenset(), shirts=(5, 5), mugs=(1, 5)):
    return [
        StockRow(101, SHIRT, BERLIN, 1, shirts[0], berlin_serves),
        StockRow(102, MUG, BERLIN, 1, mugs[0], berlin_serves),
        StockRow(201, SHIRT, PARIS, 2, shirts[1], paris_serves),
        StockRow(202, MUG, PARIS, 2, mugs[1], paris_serves),
    ]


def warehouses_of(plan) -> list[tuple[int, int | None, int]]:
    return [(a.variant_id, a.warehouse_id, a.quantity) for a in plan.allocations]


def test_one_warehouse_that_has_everything_is_preferred():
    plan = plan_allocation([(0, [(SHIRT, 2), (MUG, 2)])], rows())
    assert warehouses_of(plan) == [(SHIRT, PARIS, 2), (MUG, PARIS, 2)]


def test_the_split_strategy_takes_each_line_from_the_first_warehouse_that_has_it():
    plan = plan_allocation([(0, [(SHIRT, 2), (MUG, 2)])], rows(), strategy=SPLIT)
    assert warehouses_of(plan) == [(SHIRT, BERLIN, 2), (MUG, PARIS, 2)]


def test_an_unknown_strategy_is_a_programming_error():
    with pytest.raises(ValueError, match="strategy"):
        plan_allocation([(0, [(SHIRT, 1)])], rows(), strategy="cheapest")


def test_a_group_only_draws_on_warehouses_serving_its_country():
    stock = rows(berlin_serves=frozenset({"DE", "AT"}), paris_serves=frozenset({"FR"}))
    to_france = plan_allocation([(0, [(SHIRT, 1)])], stock, destinations={0: "fr"})
    assert warehouses_of(to_france) == [(SHIRT, PARIS, 1)]
    to_austria = plan_allocation([(0, [(SHIRT, 6)])], stock, destinations={0: "AT"})
    assert to_austria.shortages == {SHIRT: 1}  # Paris has shirts but does not ship there
    to_spain = plan_allocation([(0, [(SHIRT, 1)])], stock, destinations={0: "ES"})
    assert to_spain.shortages == {SHIRT: 1}


def test_a_warehouse_without_countries_serves_every_country():
    plan = plan_allocation([(0, [(SHIRT, 1)])], rows(paris_serves=frozenset({"FR"})),
                           destinations={0: "JP"})
    assert warehouses_of(plan) == [(SHIRT, BERLIN, 1)]


def test_missing_units_of_a_backorder_variant_are_a_backorder_not_a_shortage():
    plan = plan_allocation([(0, [(SHIRT, 12), (MUG, 1)])], rows(), backorder={SHIRT})
    assert plan.is_complete
    assert Allocation(0, SHIRT, None, None, 2) in plan.allocations
    assert [a.is_backorder for a in plan.allocations] == [False, False, True, False]
    assert plan.by_stock() == {101: 5, 201: 5, 102: 1}


@pytest.mark.django_db
def test_allocate_stock_follows_the_countries_and_the_setting():
    berlin = WarehouseFactory(code="berlin", priority=1, countries=["DE"])
    paris = WarehouseFactory(code="paris", priority=2, countries=["FR"])
    shirt = ProductVariantFactory()
    StockFactory(variant=shirt, warehouse=berlin, on_hand=3)
    StockFactory(variant=shirt, warehouse=paris, on_hand=3)
    [allocation] = allocate_stock(groups=[(0, [(shirt.pk, 2)])], by=SHOP,
                                  destinations={0: "FR"})
    assert allocation.warehouse_id == paris.pk
    with pytest.raises(OutOfStock):
        allocate_stock(groups=[(0, [(shirt.pk, 4)])], by=SHOP, destinations={0: "DE"})
    with override_settings(MERCATO_ALLOCATION_STRATEGY="nonsense"), \
            pytest.raises(ValueError, match="strategy"):
        allocate_stock(groups=[(0, [(shirt.pk, 1)])], by=SHOP)


@pytest.mark.django_db
def test_backorders_only_when_asked_and_only_for_variants_that_allow_them():
    shirt = ProductVariantFactory(allow_backorder=True)
    StockFactory(variant=shirt, on_hand=1)
    with pytest.raises(OutOfStock):
        allocate_stock(groups=[(0, [(shirt.pk, 3)])], by=SHOP)
    taken, waiting = allocate_stock(groups=[(0, [(shirt.pk, 3)])], by=SHOP, backorders=True)
    assert (taken.quantity, waiting.quantity, waiting.stock_id) == (1, 2, None)
    assert Stock.objects.get(variant=shirt).allocated == 1


@pytest.mark.django_db
def test_shipped_units_leave_on_hand_and_allocated():
    stock = StockFactory(on_hand=5)
    allocate_stock(groups=[(0, [(stock.variant_id, 3)])], by=SHOP)
    ship_stock(allocations=[(stock.pk, 2)], by=SHOP, reference="order-1")
    stock.refresh_from_db()
    assert (stock.on_hand, stock.allocated) == (3, 1)
    event = Event.objects.get(type="StockShipped")
    assert {k: event.payload[k] for k in ("quantity", "on_hand", "allocated", "reference")} == {
        "quantity": 2, "on_hand": 3, "allocated": 1, "reference": "order-1"}
    with pytest.raises(ValueError, match="cannot be shipped"):
        ship_stock(allocations=[(stock.pk, 2)], by=SHOP)


@pytest.mark.django_db
def test_a_backorder_variant_can_always_be_sold_and_a_cart_never_finds_it_short():
    shirt = ProductVariantFactory(allow_backorder=True)
    VariantPriceFactory(variant=shirt, currency="EUR")
    StockFactory(variant=shirt, on_hand=0)
    assert available_quantity(variant_id=shirt.pk) == 0
    assert sellable_quantity(variant_id=shirt.pk) == BACKORDER_QUANTITY
    line = CartLineFactory(variant=shirt, quantity=4)
    [reviewed] = lines_review(cart=line.cart).lines
    assert reviewed.quantity == 4 and not reviewed.issues
