import pytest

from mercato.core.events import Actor
from mercato.core.models import Event
from mercato.inventory.errors import (
    InvalidStockQuantity,
    StockBelowAllocated,
    StockLocationNotFound,
)
from mercato.inventory.models import Stock
from mercato.inventory.services import receive_stock, set_stock_level
from tests.factories import ProductVariantFactory, StockFactory, WarehouseFactory

CLERK = Actor("staff", "clerk@example.com")


@pytest.mark.django_db
def test_set_stock_level_changes_on_hand_and_records_old_and_new():
    stock = StockFactory(on_hand=10, allocated=3, bin_location="A-1")

    result = set_stock_level(variant_id=stock.variant_id, warehouse_id=stock.warehouse_id,
                             on_hand=7, by=CLERK)

    stock.refresh_from_db()
    assert result.pk == stock.pk
    assert (stock.on_hand, stock.allocated, stock.bin_location) == (7, 3, "A-1")
    event = Event.objects.get()
    assert event.type == "StockLevelSet"
    assert (event.aggregate_type, event.aggregate_id) == ("stock", str(stock.pk))
    assert event.payload["old_on_hand"] == 10
    assert event.payload["new_on_hand"] == 7
    assert event.payload["sku"] == stock.variant.sku
    assert event.payload["warehouse"] == stock.warehouse.code
    assert event.actor == "staff:clerk@example.com"


@pytest.mark.django_db
def test_set_stock_level_updates_bin_location_when_given():
    stock = StockFactory(bin_location="A-1")

    set_stock_level(variant_id=stock.variant_id, warehouse_id=stock.warehouse_id,
                    on_hand=stock.on_hand, bin_location="B-7", by=CLERK)

    stock.refresh_from_db()
    assert stock.bin_location == "B-7"
    assert Event.objects.get().payload["bin_location"] == "B-7"


@pytest.mark.django_db
def test_set_stock_level_may_equal_allocated():
    stock = StockFactory(on_hand=10, allocated=4)

    set_stock_level(variant_id=stock.variant_id, warehouse_id=stock.warehouse_id,
                    on_hand=4, by=CLERK)

    stock.refresh_from_db()
    assert stock.available == 0


@pytest.mark.django_db
def test_set_stock_level_below_allocated_is_refused_and_changes_nothing():
    stock = StockFactory(on_hand=10, allocated=5, bin_location="A-1")

    with pytest.raises(StockBelowAllocated) as raised:
        set_stock_level(variant_id=stock.variant_id, warehouse_id=stock.warehouse_id,
                        on_hand=4, bin_location="Z-9", by=CLERK)

    assert raised.value.status == 409
    assert "5 units are allocated" in raised.value.detail
    stock.refresh_from_db()
    assert (stock.on_hand, stock.allocated, stock.bin_location) == (10, 5, "A-1")
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_set_stock_level_refuses_negative_on_hand():
    stock = StockFactory(on_hand=10)

    with pytest.raises(InvalidStockQuantity):
        set_stock_level(variant_id=stock.variant_id, warehouse_id=stock.warehouse_id,
                        on_hand=-1, by=CLERK)

    stock.refresh_from_db()
    assert stock.on_hand == 10
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_set_stock_level_creates_the_row_for_a_new_warehouse():
    variant = ProductVariantFactory()
    warehouse = WarehouseFactory(code="north")

    stock = set_stock_level(variant_id=variant.pk, warehouse_id=warehouse.pk, on_hand=6, by=CLERK)

    assert Stock.objects.get(variant=variant, warehouse=warehouse).on_hand == 6
    assert Event.objects.get().payload["old_on_hand"] == 0
    assert stock.available == 6


@pytest.mark.django_db
def test_set_stock_level_for_unknown_warehouse_is_not_found_and_creates_nothing():
    variant = ProductVariantFactory()

    with pytest.raises(StockLocationNotFound):
        set_stock_level(variant_id=variant.pk, warehouse_id=999_999, on_hand=6, by=CLERK)

    assert not Stock.objects.exists()
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_receive_stock_adds_to_on_hand():
    stock = StockFactory(on_hand=10, allocated=2)

    result = receive_stock(variant_id=stock.variant_id, warehouse_id=stock.warehouse_id,
                           quantity=5, by=CLERK)

    assert result.on_hand == 15
    stock.refresh_from_db()
    assert (stock.on_hand, stock.allocated) == (15, 2)
    event = Event.objects.get()
    assert event.type == "StockReceived"
    assert (event.payload["quantity"], event.payload["on_hand"]) == (5, 15)


@pytest.mark.django_db
def test_receive_stock_creates_the_row_on_first_delivery():
    variant = ProductVariantFactory()
    warehouse = WarehouseFactory()

    receive_stock(variant_id=variant.pk, warehouse_id=warehouse.pk, quantity=3, by=CLERK)

    stock = Stock.objects.get(variant=variant, warehouse=warehouse)
    assert (stock.on_hand, stock.allocated) == (3, 0)


@pytest.mark.django_db
@pytest.mark.parametrize("quantity", [0, -2])
def test_receive_stock_refuses_a_quantity_that_is_not_positive(quantity):
    stock = StockFactory(on_hand=10)

    with pytest.raises(InvalidStockQuantity):
        receive_stock(variant_id=stock.variant_id, warehouse_id=stock.warehouse_id,
                      quantity=quantity, by=CLERK)

    stock.refresh_from_db()
    assert stock.on_hand == 10
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_receive_stock_for_unknown_variant_is_not_found_and_creates_nothing():
    warehouse = WarehouseFactory()

    with pytest.raises(StockLocationNotFound):
        receive_stock(variant_id=999_999, warehouse_id=warehouse.pk, quantity=3, by=CLERK)

    assert not Stock.objects.exists()
    assert not Event.objects.exists()
