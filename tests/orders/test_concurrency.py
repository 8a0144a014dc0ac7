"""Concurrent buyers on PostgreSQL, each thread with its own connection: numbers stay
consecutive, stock is never oversold, and opposite line orders do not deadlock."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from mercato.core.models import Event
from mercato.core.money import Money
from mercato.inventory.errors import OutOfStock
from mercato.inventory.models import Stock
from mercato.orders.models import Order, Shipment
from mercato.pricing.rules import Quote
from mercato.pricing.selectors import pricing_lines_for, quote_for_lines
from tests.factories import StockFactory, WarehouseFactory, make_sellable_variant
from tests.orders.builders import make_quote, place

OUT = "out-of-stock"


def race(buyers: int, quote_of: Callable[[int], Quote]) -> list[str]:
    """`buyers` threads released together, each placing quote_of(its index): the numbers
    placed, or OUT."""
    start = threading.Barrier(buyers)

    def buy(index: int) -> str:
        try:
            start.wait(timeout=60)
            return place(quote_of(index)).number
        except OutOfStock:
            return OUT
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=buyers) as pool:
        return list(pool.map(buy, range(buyers)))


def quote_for(*variants_and_quantities: tuple[object, int]) -> Quote:
    lines = pricing_lines_for(items=[(variant.pk, quantity, Money("19.90", "EUR"))
                                     for variant, quantity in variants_and_quantities])
    return quote_for_lines(currency="EUR", lines=lines)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_orders_take_distinct_consecutive_numbers():
    quote = make_quote()

    numbers = race(10, lambda _: quote)

    assert sorted(numbers) == [f"MRC-{100001 + i}" for i in range(10)]
    assert Order.objects.count() == 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_buyers_for_ten_units_make_exactly_ten_orders():
    variant = make_sellable_variant(on_hand=10)
    quote = quote_for((variant, 1))

    results = race(50, lambda _: quote)

    assert results.count(OUT) == 40
    assert sorted(r for r in results if r != OUT) == [f"MRC-{100001 + i}" for i in range(10)]
    stock = Stock.objects.get(variant=variant)
    assert (stock.on_hand, stock.allocated) == (10, 10)
    assert (Order.objects.count(), Shipment.objects.count()) == (10, 10)
    assert Event.objects.filter(type="StockAllocated").count() == 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_orders_listing_two_variants_in_opposite_orders_do_not_deadlock():
    shirt, mug = make_sellable_variant(on_hand=5), make_sellable_variant(on_hand=5)
    north = WarehouseFactory(code="north", name="North", priority=20)
    for variant in (shirt, mug):
        StockFactory(variant=variant, warehouse=north, on_hand=5)
    shirt_first, mug_first = quote_for((shirt, 1), (mug, 1)), quote_for((mug, 1), (shirt, 1))

    results = race(30, lambda index: shirt_first if index % 2 else mug_first)

    assert results.count(OUT) == 20
    totals = {variant.pk: sum(Stock.objects.filter(variant=variant)
                              .values_list("allocated", flat=True)) for variant in (shirt, mug)}
    assert totals == {shirt.pk: 10, mug.pk: 10}
    assert Order.objects.count() == 10
    assert all(order.total == Decimal("39.80") for order in Order.objects.all())
