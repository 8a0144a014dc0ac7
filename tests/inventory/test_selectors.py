"""Availability reads: on hand minus allocated, over active warehouses, in one query."""

import pytest

from mercato.inventory.selectors import available_quantities, available_quantity
from tests.factories import ProductVariantFactory, StockFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def test_available_quantities_sum_every_warehouse_in_one_query(django_assert_num_queries):
    shirt, socks, hat = ProductVariantFactory.create_batch(3)
    north = WarehouseFactory(code="north")
    StockFactory(variant=shirt, on_hand=5, allocated=2)
    StockFactory(variant=shirt, warehouse=north, on_hand=4, allocated=0)
    StockFactory(variant=socks, on_hand=3, allocated=3)

    with django_assert_num_queries(1):
        quantities = available_quantities(variant_ids=[shirt.pk, socks.pk, hat.pk])

    assert quantities == {shirt.pk: 7, socks.pk: 0, hat.pk: 0}


def test_inactive_warehouses_do_not_count():
    variant = ProductVariantFactory()
    StockFactory(variant=variant, on_hand=5)
    StockFactory(variant=variant, warehouse=WarehouseFactory(code="closed", is_active=False),
                 on_hand=9)

    assert available_quantity(variant_id=variant.pk) == 5


def test_no_variants_need_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert available_quantities(variant_ids=[]) == {}
