import pytest

from mercato.catalog.models import ProductListing
from mercato.core.events import Actor
from mercato.inventory.errors import StockBelowAllocated
from mercato.inventory.services import receive_stock, set_stock_level
from tests.factories import StockFactory, WarehouseFactory, make_sellable_variant

CLERK = Actor("staff", "clerk@example.com")


def listed_in_stock(variant) -> bool:
    return ProductListing.objects.get(product_id=variant.product_id, currency="EUR").in_stock


@pytest.mark.django_db
def test_counting_the_last_units_away_marks_the_listing_sold_out_and_back():
    variant = make_sellable_variant(on_hand=4)
    stock = variant.stock_levels.get()

    set_stock_level(variant_id=variant.pk, warehouse_id=stock.warehouse_id, on_hand=0, by=CLERK)
    sold_out = listed_in_stock(variant)
    set_stock_level(variant_id=variant.pk, warehouse_id=stock.warehouse_id, on_hand=2, by=CLERK)

    assert (sold_out, listed_in_stock(variant)) == (False, True)


@pytest.mark.django_db
def test_receiving_stock_marks_a_sold_out_listing_in_stock():
    variant = make_sellable_variant(on_hand=0)
    north = WarehouseFactory(code="north", name="North")
    assert listed_in_stock(variant) is False

    receive_stock(variant_id=variant.pk, warehouse_id=north.pk, quantity=3, by=CLERK)

    assert listed_in_stock(variant) is True


@pytest.mark.django_db
def test_units_that_are_all_allocated_leave_the_listing_sold_out():
    stock = StockFactory(variant=make_sellable_variant(on_hand=0), on_hand=5, allocated=5,
                         warehouse=WarehouseFactory(code="north", name="North"))

    set_stock_level(variant_id=stock.variant_id, warehouse_id=stock.warehouse_id, on_hand=5,
                    by=CLERK)

    assert listed_in_stock(stock.variant) is False


@pytest.mark.django_db
def test_a_refused_stock_change_leaves_the_listing_as_it_was():
    stock = StockFactory(variant=make_sellable_variant(on_hand=0), on_hand=5, allocated=5,
                         warehouse=WarehouseFactory(code="north", name="North"))
    before = list(ProductListing.objects.values())

    with pytest.raises(StockBelowAllocated):
        set_stock_level(variant_id=stock.variant_id, warehouse_id=stock.warehouse_id,
                        on_hand=4, by=CLERK)

    assert list(ProductListing.objects.values()) == before
