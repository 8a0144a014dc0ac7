"""Concurrent orders take distinct consecutive numbers (PostgreSQL: SQLite serialises writers)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from mercato.orders.models import Order
from mercato.pricing.rules import Quote
from tests.orders.builders import make_quote, place

BUYERS = 10


def _buy(quote: Quote) -> str:
    try:
        return place(quote).number
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_concurrent_orders_take_distinct_consecutive_numbers(on_postgres):
    if not on_postgres:
        pytest.skip("needs PostgreSQL row locks and concurrent connections")
    quote = make_quote()

    with ThreadPoolExecutor(max_workers=BUYERS) as pool:
        numbers = list(pool.map(_buy, [quote] * BUYERS))

    assert sorted(numbers) == [f"MRC-{100001 + i}" for i in range(BUYERS)]
    assert Order.objects.count() == BUYERS
