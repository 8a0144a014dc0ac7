"""place_order allocates stock and creates the order's shipments: per plan, per warehouse."""

from decimal import Decimal

import pytest
from django.db import transaction

from mercato.core.models import Event
from mercato.inventory.errors import OutOfStock
from mercato.inventory.models import Stock
from mercato.orders.errors import InvalidOrderAddress
from mercato.orders.models import Order, OrderNumberSequence, Shipment, ShipmentLine
from mercato.orders.rules import ShipmentPlan
from mercato.orders.services import place_order
from mercato.orders.states import ShipmentStatus
from tests.factories import StockFactory, WarehouseFactory
from tests.orders.builders import ADDRESS, SHOPPER, express, make_quote, place, variants_of

OFFICE = {"first_name": "Ada", "last_name": "Lovelace", "street_address_1": "Marktplatz 3",
          "city": "Leipzig", "postal_code": "04109", "country": "DE"}


def place_plans(quote, plans) -> Order:
    return place_order(quote=quote, customer_id=None, email="ada@example.com",
                       billing_address=ADDRESS, shipments=plans, by=SHOPPER)


def parcels(order: Order) -> list[tuple[str, str, list[tuple[str, int, str]]]]:
    """(number, warehouse code, [(sku, quantity, stock warehouse code)]) of each shipment."""
    return [
        (s.number, s.warehouse.code if s.warehouse else "",
         [(ln.order_line.sku, ln.quantity, ln.stock.warehouse.code if ln.stock else "")
          for ln in s.lines.select_related("order_line", "stock__warehouse")])
        for s in order.shipments.select_related("warehouse")
    ]


def allocated() -> dict[tuple[str, str], int]:
    return {(s.variant.sku, s.warehouse.code): s.allocated
            for s in Stock.objects.select_related("variant", "warehouse")}


@pytest.mark.django_db
def test_an_order_to_one_address_is_one_shipment_with_its_stock_allocated():
    quote = make_quote()
    shirt, mug = variants_of(quote)

    order = place(quote)

    shipment = order.shipments.get()
    assert (shipment.number, shipment.status) == ("MRC-100001-1",
                                                  ShipmentStatus.INVENTORY_ASSIGNED)
    assert (shipment.first_name, shipment.street_address_1, shipment.country) == (
        "Ada", "Unter den Linden 1", "DE")
    assert (shipment.delivery_method_code, shipment.delivery_method_name) == (
        quote.delivery.code, quote.delivery.name)
    assert shipment.delivery_amount == quote.delivery.amount.amount
    assert parcels(order) == [("MRC-100001-1", "main", [(shirt.sku, 2, "main"),
                                                        (mug.sku, 1, "main")])]
    assert allocated() == {(shirt.sku, "main"): 2, (mug.sku, "main"): 1}
    assert [e.type for e in Event.objects.order_by("id")] == [
        "StockAllocated", "StockAllocated", "OrderPlaced", "ShipmentCreated"]
    created = Event.objects.get(type="ShipmentCreated")
    assert (created.aggregate_id, created.payload["number"], created.payload["warehouse"],
            created.payload["lines"]) == (order.public_id, "MRC-100001-1", "main",
                                          f"2 x {shirt.sku}, 1 x {mug.sku}")
    assert Event.objects.filter(type="StockAllocated")[0].payload["reference"] == order.public_id


@pytest.mark.django_db
def test_split_shipments_go_to_their_addresses_with_their_own_delivery():
    quote = make_quote()
    shirt, mug = variants_of(quote)
    fast = express(quote, "9.90")

    order = place_plans(quote, [
        ShipmentPlan(ADDRESS, quote.delivery, ((0, 1), (1, 1))),
        ShipmentPlan(OFFICE, fast, ((0, 1),)),
    ])

    home, office = order.shipments.all()
    assert parcels(order) == [
        ("MRC-100001-1", "main", [(shirt.sku, 1, "main"), (mug.sku, 1, "main")]),
        ("MRC-100001-2", "main", [(shirt.sku, 1, "main")]),
    ]
    assert (home.city, office.city) == ("BERLIN", "Leipzig")
    assert (home.delivery_method_code, office.delivery_method_code) == (quote.delivery.code,
                                                                        "express")
    assert (home.delivery_amount, office.delivery_amount) == (quote.delivery.amount.amount,
                                                              Decimal("9.90"))
    assert order.delivery_total == quote.delivery.amount.amount + Decimal("9.90")
    assert (order.delivery_method_code, order.delivery_method_name) == ("mixed",
                                                                        "Several methods")
    assert order.addresses.get(kind="shipping").city == "BERLIN"
    assert allocated() == {(shirt.sku, "main"): 2, (mug.sku, "main"): 1}


@pytest.mark.django_db
def test_plans_with_the_same_delivery_keep_its_name_and_pay_it_twice():
    quote = make_quote()

    order = place_plans(quote, [ShipmentPlan(OFFICE, quote.delivery, ((1, 1),)),
                                ShipmentPlan(ADDRESS, quote.delivery, ((0, 2),))])

    assert order.delivery_method_code == quote.delivery.code
    assert order.delivery_total == 2 * quote.delivery.amount.amount
    assert order.addresses.get(kind="shipping").city == "Leipzig"


@pytest.mark.django_db
def test_a_group_no_warehouse_can_send_whole_is_split_into_parcels():
    quote = make_quote(on_hand=0)
    shirt, mug = variants_of(quote)
    north = WarehouseFactory(code="north", name="North", priority=20)
    south = WarehouseFactory(code="south", name="South", priority=30)
    StockFactory(variant=shirt, warehouse=north, on_hand=1)
    StockFactory(variant=shirt, warehouse=south, on_hand=1)
    StockFactory(variant=mug, warehouse=south, on_hand=3)

    order = place(quote)

    assert parcels(order) == [
        ("MRC-100001-1", "north", [(shirt.sku, 1, "north")]),
        ("MRC-100001-2", "south", [(shirt.sku, 1, "south"), (mug.sku, 1, "south")]),
    ]
    assert [s.delivery_amount for s in order.shipments.all()] == [
        quote.delivery.amount.amount, Decimal(0)]
    assert order.delivery_total == quote.delivery.amount.amount
    shirt_line = order.lines.get(sku=shirt.sku)
    assert sorted(shirt_line.shipment_lines.values_list("quantity", flat=True)) == [1, 1]


@pytest.mark.django_db
def test_a_single_warehouse_with_everything_is_preferred_over_the_first_one():
    quote = make_quote(on_hand=1)  # main: 1 shirt (2 wanted), 1 mug
    shirt, mug = variants_of(quote)
    north = WarehouseFactory(code="north", name="North", priority=20)
    for variant in (shirt, mug):
        StockFactory(variant=variant, warehouse=north, on_hand=5)

    order = place(quote)

    assert parcels(order) == [("MRC-100001-1", "north", [(shirt.sku, 2, "north"),
                                                         (mug.sku, 1, "north")])]


@pytest.mark.django_db
def test_out_of_stock_places_nothing_and_allocates_nothing():
    quote = make_quote(on_hand=1)
    shirt, _ = variants_of(quote)

    with pytest.raises(OutOfStock) as raised:
        place(quote)

    assert raised.value.errors == {"lines": [
        f"Only 1 of {shirt.sku} are available (2 asked for)."]}
    assert not Order.objects.exists()
    assert not Shipment.objects.exists()
    assert set(allocated().values()) == {0}
    assert not Event.objects.exists()
    assert not OrderNumberSequence.objects.exists()


@pytest.mark.django_db
def test_an_order_rolled_back_by_the_caller_gives_its_stock_back():
    quote = make_quote(on_hand=2)

    with pytest.raises(RuntimeError), transaction.atomic():
        place(quote)
        raise RuntimeError("payment declined")

    assert set(allocated().values()) == {0}
    assert place(quote).number == "MRC-100001"


@pytest.mark.django_db
def test_a_split_plan_with_a_bad_address_names_the_shipment():
    quote = make_quote()

    with pytest.raises(InvalidOrderAddress) as raised:
        place_plans(quote, [ShipmentPlan(ADDRESS, quote.delivery, ((0, 2),)),
                            ShipmentPlan(OFFICE | {"street_address_1": ""}, None, ((1, 1),))])

    assert set(raised.value.errors) == {"shipments.1.address.street_address_1"}
    assert not Order.objects.exists()
    assert set(allocated().values()) == {0}


@pytest.mark.django_db
@pytest.mark.parametrize("quantities", [
    [((0, 2),)],  # the mug is not shipped
    [((0, 2), (1, 1)), ((1, 1),)],  # the mug twice
    [((0, 2), (1, 1), (2, 1))],  # no line 2
    [((0, 2), (1, 0), (1, 1))],  # a zero part
    [((0, 2), (1, 1)), ()],  # an empty plan
])
def test_plans_that_do_not_ship_each_line_exactly_are_a_programming_error(quantities):
    quote = make_quote()

    with pytest.raises(ValueError, match="plan"):
        place_plans(quote, [ShipmentPlan(ADDRESS, quote.delivery, q) for q in quantities])

    assert not Order.objects.exists()


@pytest.mark.django_db
def test_shipping_address_and_plans_together_or_neither_are_refused():
    quote = make_quote()
    plan = ShipmentPlan(ADDRESS, quote.delivery, ((0, 2), (1, 1)))

    with pytest.raises(ValueError, match="not both"):
        place_order(quote=quote, customer_id=None, email="a@example.com",
                    billing_address=ADDRESS, shipping_address=ADDRESS, shipments=[plan],
                    by=SHOPPER)
    with pytest.raises(ValueError, match="shipping_address"):
        place_order(quote=quote, customer_id=None, email="a@example.com",
                    billing_address=ADDRESS, by=SHOPPER)


@pytest.mark.django_db
def test_shipment_lines_point_at_the_order_lines_they_ship():
    order = place(make_quote())

    lines = ShipmentLine.objects.filter(shipment__order=order).select_related("order_line")

    assert [(ln.order_line.order_id, ln.quantity) for ln in lines] == [(order.pk, 2),
                                                                       (order.pk, 1)]
