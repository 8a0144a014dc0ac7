"""The figures /metrics reads from the database at each scrape: one table, as handlers.py is
for events.

Core owns the collector and the outbox's figures; orders and payments come from their own
selectors, wired here because core may not import the flow apps (the layers contract).
Each source is a few grouped queries whatever the number of rows' values (tests count them).
"""

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, Metric

from mercato.core.operations import names
from mercato.core.operations.figures import FigureSource, outbox_figures
from mercato.orders.selectors import orders_placed_count
from mercato.payments.selectors import transaction_counts_by_outcome


def order_figures() -> Iterator[Metric]:
    yield CounterMetricFamily(names.ORDERS_PLACED, "Orders placed.",
                              value=orders_placed_count())


def payment_figures() -> Iterator[Metric]:
    transactions = CounterMetricFamily(
        names.PAYMENT_TRANSACTIONS, "Payment ledger transactions by kind and outcome.",
        labels=["kind", "outcome"])
    for kind, succeeded, count in transaction_counts_by_outcome():
        transactions.add_metric([kind, "succeeded" if succeeded else "failed"], count)
    yield transactions


FIGURES: tuple[FigureSource, ...] = (outbox_figures, order_figures, payment_figures)
