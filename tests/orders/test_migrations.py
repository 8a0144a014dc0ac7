"""Order lines placed before lines had a public id each get their own when the migrations
run (add the column, fill it per row, then make it unique)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("orders", "0005_orderline_public_id")]
AFTER = [("orders", "0007_orderline_public_id_unique")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_lines_placed_before_public_ids_each_get_a_unique_one():
    apps = migrate(BEFORE)
    Order = apps.get_model("orders", "Order")
    OrderLine = apps.get_model("orders", "OrderLine")
    money = dict(subtotal=0, discount_total=0, delivery_total=0, tax_total=0, total=0)
    order = Order.objects.create(public_id="old-order", number="MRC-1", email="a@example.com",
                                 currency="EUR", prices_include_tax=True, **money)
    for sku in ("A", "B", "C"):
        OrderLine.objects.create(order=order, sku=sku, product_title=sku, quantity=1,
                                 unit_price=1, discount_amount=0, amount=1, net=1, tax_rate=0,
                                 tax=0, gross=1)
    assert set(OrderLine.objects.values_list("public_id", flat=True)) == {None}

    apps = migrate(AFTER)

    ids = list(apps.get_model("orders", "OrderLine").objects.values_list("public_id",
                                                                         flat=True))
    assert len(ids) == 3 and len(set(ids)) == 3 and all(ids)
