"""Backorders: lines of variants that allow them are sold without stock, wait in an
AwaitingInventory shipment and are allocated when stock arrives, oldest order first."""

import pytest
from django.test import override_settings

from mercato.core.events import SYSTEM, Actor
from mercato.core.models import Event
from mercato.core.outbox import deliver_due
from mercato.core.states import IllegalTransition
from mercato.inventory.errors import OutOfStock
from mercato.inventory.models import Stock
from mercato.inventory.services import receive_stock, set_stock_level
from mercato.orders.models import Order, Shipment
from mercato.orders.services import (
    allocate_awaiting_shipments,
    cancel_order,
    release_shipment,
)
from mercato.orders.states import OrderStatus, ShipmentStatus
from tests.factories import StockFactory, WarehouseFactory
from tests.orders.builders import make_quote, place, variants_of
from tests.orders.test_cancel_and_capture import card_payment

pytestmark = pytest.mark.django_db
STAFF = Actor("staff", "warehouse@example.com")
SS = ShipmentStatus


def backorder_quote(*, shirts_on_hand: int = 0):
    """Shirts (2 per order) allow backorders and have `shirts_on_hand`; mugs are in stock."""
    quote = make_quote()
    shirt, mug = variants_of(quote)
    shirt.allow_backorder = True
    shirt.save(update_fields=["allow_backorder"])
    Stock.objects.filter(variant=shirt).update(on_hand=shirts_on_hand)
    return quote, shirt, mug


def parcels(order: Order) -> list[tuple[str, str | None, list[tuple[str, int]]]]:
    return [(s.status, s.warehouse.code if s.warehouse else None,
             [(line.order_line.sku, line.quantity) for line in s.lines.order_by("pk")])
            for s in order.shipments.order_by("pk")]


def test_a_backordered_line_waits_in_its_own_shipment_and_the_rest_ships():
    quote, shirt, mug = backorder_quote()
    order = place(quote)
    assert parcels(order) == [
        (SS.INVENTORY_ASSIGNED, "main", [(mug.sku, 1)]),
        (SS.AWAITING_INVENTORY, None, [(shirt.sku, 2)]),
    ]
    waiting = order.shipments.get(status=SS.AWAITING_INVENTORY)
    assert waiting.lines.get().stock is None
    assert waiting.delivery_amount == 0  # the fee is on the first parcel
    assert Stock.objects.get(variant=shirt).allocated == 0


def test_a_partly_available_backorder_line_takes_what_there_is():
    quote, shirt, mug = backorder_quote(shirts_on_hand=1)
    order = place(quote)
    assert parcels(order) == [
        (SS.INVENTORY_ASSIGNED, "main", [(shirt.sku, 1), (mug.sku, 1)]),
        (SS.AWAITING_INVENTORY, None, [(shirt.sku, 1)]),
    ]


def test_a_variant_without_backorders_is_still_refused():
    quote, _shirt, mug = backorder_quote()
    Stock.objects.filter(variant=mug).update(on_hand=0)
    with pytest.raises(OutOfStock, match=mug.sku):
        place(quote)
    assert not Order.objects.exists()


def test_an_awaiting_shipment_cannot_be_released():
    quote, _shirt, _mug = backorder_quote()
    waiting = place(quote).shipments.get(status=SS.AWAITING_INVENTORY)
    with pytest.raises(IllegalTransition, match="AwaitingInventory"):
        release_shipment(public_id=waiting.public_id, by=STAFF)


def test_received_stock_is_allocated_to_the_oldest_order_first_by_the_worker():
    quote, shirt, _mug = backorder_quote()
    first, second = place(quote), place(quote)
    main = Stock.objects.get(variant=shirt).warehouse
    receive_stock(variant_id=shirt.pk, warehouse_id=main.pk, quantity=3, by=STAFF)
    deliver_due()
    assert parcels(first)[1] == (SS.INVENTORY_ASSIGNED, "main", [(shirt.sku, 2)])
    assert parcels(second)[1] == (SS.AWAITING_INVENTORY, None, [(shirt.sku, 2)])
    assert Stock.objects.get(variant=shirt).allocated == 2
    event = Event.objects.get(type="ShipmentInventoryAssigned")
    assert event.aggregate_id == first.public_id
    assert event.payload["lines"] == f"2 x {shirt.sku}" and event.payload["warehouse"] == "main"
    # a stock count that brings more serves the next order; running it again changes nothing
    set_stock_level(variant_id=shirt.pk, warehouse_id=main.pk, on_hand=4, by=STAFF)
    deliver_due()
    assert parcels(second)[1][0] == SS.INVENTORY_ASSIGNED
    assert allocate_awaiting_shipments(by=SYSTEM) == []
    assert Stock.objects.get(variant=shirt).allocated == 4


def test_a_later_order_does_not_jump_the_queue():
    """The first order needs 2; 1 arrives: the second order (needing 2 as well) waits too."""
    quote, shirt, _mug = backorder_quote()
    _first, _second = place(quote), place(quote)
    main = Stock.objects.get(variant=shirt).warehouse
    receive_stock(variant_id=shirt.pk, warehouse_id=main.pk, quantity=1, by=STAFF)
    assert allocate_awaiting_shipments(variant_ids=[shirt.pk], by=SYSTEM) == []
    assert Stock.objects.get(variant=shirt).allocated == 0


def test_stock_from_two_warehouses_splits_the_waiting_shipment():
    quote, shirt, mug = backorder_quote()
    order = place(quote)
    second = WarehouseFactory(code="second", priority=20)
    StockFactory(variant=shirt, warehouse=second, on_hand=1)
    main = Stock.objects.get(variant=shirt, warehouse__code="main").warehouse
    set_stock_level(variant_id=shirt.pk, warehouse_id=main.pk, on_hand=1, by=STAFF)
    assigned = allocate_awaiting_shipments(variant_ids=[shirt.pk], by=SYSTEM)
    assert len(assigned) == 2
    assert parcels(order) == [
        (SS.INVENTORY_ASSIGNED, "main", [(mug.sku, 1)]),
        (SS.INVENTORY_ASSIGNED, "main", [(shirt.sku, 1)]),
        (SS.INVENTORY_ASSIGNED, "second", [(shirt.sku, 1)]),
    ]
    numbers = list(order.shipments.order_by("pk").values_list("number", flat=True))
    assert numbers == [f"{order.number}-1", f"{order.number}-2", f"{order.number}-3"]


def test_a_cancelled_order_gives_its_place_in_the_queue_up():
    quote, shirt, _mug = backorder_quote()
    first, second = place(quote), place(quote)
    cancel_order(public_id=first.public_id, by=STAFF)
    assert first.shipments.filter(status=SS.CANCELLED).count() == 2
    main = Stock.objects.get(variant=shirt).warehouse
    receive_stock(variant_id=shirt.pk, warehouse_id=main.pk, quantity=2, by=STAFF)
    deliver_due()
    assert parcels(second)[1][0] == SS.INVENTORY_ASSIGNED


@override_settings(MERCATO_RELEASE_MODE="on_payment")
def test_on_payment_a_paid_backorder_is_released_when_its_stock_arrives():
    quote, shirt, _mug = backorder_quote()
    order = place(quote)
    card_payment(order, amount=str(order.total))
    deliver_due()
    assert [p[0] for p in parcels(order)] == [SS.RELEASED, SS.AWAITING_INVENTORY]
    main = Stock.objects.get(variant=shirt).warehouse
    receive_stock(variant_id=shirt.pk, warehouse_id=main.pk, quantity=5, by=STAFF)
    deliver_due()
    assert [p[0] for p in parcels(order)] == [SS.RELEASED, SS.RELEASED]
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_PROGRESS
    assert Shipment.objects.filter(status=SS.AWAITING_INVENTORY).count() == 0
