"""Picklists of released shipments and shipping with carrier and tracking number."""

import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from mercato.core.events import Actor
from mercato.core.models import Event
from mercato.core.states import IllegalTransition
from mercato.fulfilment.errors import (
    InvalidPicklistRequest,
    InvalidTrackingNumber,
    InvalidWeight,
    NothingToPick,
    PicklistNotFound,
    ShipmentNotPickable,
    WarehouseNotFound,
)
from mercato.fulfilment.models import Picklist, PicklistLine
from mercato.fulfilment.rules import MAX_PICKLIST_SHIPMENTS, PickItem, pick_groups
from mercato.fulfilment.selectors import (
    picklist_detail,
    picklists,
    released_shipments,
    shipped_shipments,
)
from mercato.fulfilment.services import create_picklist, ship_shipment
from mercato.inventory.models import Stock, Warehouse
from mercato.orders.errors import ShipmentNotFound
from mercato.orders.models import Order, Shipment
from mercato.orders.services import hold_order, release_shipment
from mercato.orders.states import ShipmentStatus
from mercato.pricing.rules import Quote
from tests.factories import WarehouseFactory
from tests.orders.builders import make_quote, place, variants_of

pytestmark = pytest.mark.django_db

STAFF = Actor("staff", "picker@example.com")
UPS = "1Z5R89390357567127"


def binned_quote() -> Quote:
    """Shirt (2 per order) in bin A-01 and mug (1 per order) in bin B-07 of the main warehouse."""
    quote = make_quote(on_hand=100)
    shirt, mug = variants_of(quote)
    Stock.objects.filter(variant=shirt).update(bin_location="A-01")
    Stock.objects.filter(variant=mug).update(bin_location="B-07")
    return quote


@pytest.fixture
def quote():
    return binned_quote()


def main() -> Warehouse:
    return Warehouse.objects.get(code="main")


def released(quote, count: int = 1) -> list[Shipment]:
    """`count` orders placed and their (single) shipments released, oldest first."""
    shipments = []
    for _ in range(count):
        [shipment] = place(quote).shipments.all()
        shipments.append(release_shipment(public_id=shipment.public_id, by=STAFF))
    return shipments


def statuses(*shipments: Shipment) -> list[str]:
    return [Shipment.objects.get(pk=s.pk).status for s in shipments]


def snapshot() -> tuple:
    return (list(Shipment.objects.order_by("pk").values_list("status", "carrier")),
            Picklist.objects.count(), PicklistLine.objects.count(), Event.objects.count(),
            list(Stock.objects.order_by("pk").values_list("on_hand", "allocated")))


def picked(quote, count: int = 1) -> list[Shipment]:
    shipments = released(quote, count)
    create_picklist(warehouse_id=main().pk, shipment_ids=[s.public_id for s in shipments],
                    by=STAFF)
    return shipments


# --- creating picklists -------------------------------------------------------------------------

def test_a_picklist_of_chosen_shipments_moves_them_to_packing(quote):
    first, second = released(quote, 2)

    picklist = create_picklist(warehouse_id=main().pk,
                               shipment_ids=[second.public_id, first.public_id], by=STAFF)

    assert picklist.number == f"PL-{picklist.pk:06d}"
    assert (picklist.warehouse, picklist.created_by) == (main(), "staff:picker@example.com")
    assert statuses(first, second) == [ShipmentStatus.PACKING, ShipmentStatus.PACKING]
    detail = picklist_detail(picklist.number)
    assert [entry.shipment.number for entry in detail.entries.all()] == [first.number,
                                                                         second.number]


def test_the_picklist_groups_quantities_by_sku_and_bin_and_says_which_shipment_gets_what(quote):
    first, second = released(quote, 2)
    shirt, mug = variants_of(quote)

    picklist = create_picklist(warehouse_id=main().pk, next_n=2, by=STAFF)

    lines = list(picklist_detail(picklist.number).lines.values_list(
        "shipment__number", "sku", "title", "bin_location", "quantity"))
    assert lines == [
        (first.number, shirt.sku, "Shirt (Red / M)", "A-01", 2),
        (first.number, mug.sku, "Mug", "B-07", 1),
        (second.number, shirt.sku, "Shirt (Red / M)", "A-01", 2),
        (second.number, mug.sku, "Mug", "B-07", 1),
    ]
    groups = pick_groups(PickItem(shipment_number=n, sku=s, title=t, bin_location=b, quantity=q)
                         for n, s, t, b, q in lines)
    assert [(g.bin_location, g.sku, g.quantity, g.shipments) for g in groups] == [
        ("A-01", shirt.sku, 4, ((first.number, 2), (second.number, 2))),
        ("B-07", mug.sku, 2, ((first.number, 1), (second.number, 1))),
    ]


def test_the_picklist_keeps_the_bins_it_was_printed_with(quote):
    released(quote)
    picklist = create_picklist(warehouse_id=main().pk, next_n=1, by=STAFF)

    Stock.objects.update(bin_location="MOVED")

    assert set(picklist_detail(picklist.number).lines.values_list("bin_location", flat=True)) \
        == {"A-01", "B-07"}


def test_next_n_takes_the_oldest_released_shipments_of_that_warehouse(quote):
    oldest, middle, newest = released(quote, 3)
    [not_released] = place(quote).shipments.all()
    [elsewhere] = released(quote)
    Shipment.objects.filter(pk=elsewhere.pk).update(
        warehouse=WarehouseFactory(code="east", name="East"))

    picklist = create_picklist(warehouse_id=main().pk, next_n=2, by=STAFF)

    assert set(picklist.shipments.all()) == {oldest, middle}
    assert statuses(oldest, middle, newest, not_released, elsewhere) == [
        ShipmentStatus.PACKING, ShipmentStatus.PACKING, ShipmentStatus.RELEASED,
        ShipmentStatus.INVENTORY_ASSIGNED, ShipmentStatus.RELEASED]


def test_next_n_skips_shipments_of_orders_on_hold_and_takes_what_there_is(quote):
    held, ready = released(quote, 2)
    hold_order(public_id=held.order.public_id, by=STAFF, reason="fraud check")

    picklist = create_picklist(warehouse_id=main().pk, next_n=10, by=STAFF)

    assert list(picklist.shipments.all()) == [ready]
    assert statuses(held) == [ShipmentStatus.RELEASED]


def test_creating_a_picklist_is_recorded_in_its_history_and_each_orders(quote):
    first, second = released(quote, 2)

    picklist = create_picklist(warehouse_id=main().pk, next_n=2, by=STAFF)

    event = Event.objects.get(type="PicklistCreated")
    assert (event.aggregate_type, event.aggregate_id, event.actor) == (
        "picklist", picklist.number, "staff:picker@example.com")
    assert event.payload | {} == {
        "aggregate_id": picklist.number, "warehouse": "main",
        "shipments": f"{first.number}, {second.number}", "shipment_count": 2, "units": 6,
        "schema_version": 1}
    packed = Event.objects.filter(type="ShipmentPacked").order_by("pk")
    assert [(e.aggregate_id, e.payload["reference"]) for e in packed] == [
        (first.order.public_id, picklist.number), (second.order.public_id, picklist.number)]


def test_no_released_shipment_is_nothing_to_pick_and_changes_nothing(quote):
    place(quote)
    before = snapshot()

    with pytest.raises(NothingToPick):
        create_picklist(warehouse_id=main().pk, next_n=5, by=STAFF)

    assert snapshot() == before


def test_a_chosen_shipment_that_is_not_released_refuses_the_whole_list(quote):
    [ready] = released(quote)
    [waiting] = place(quote).shipments.all()
    before = snapshot()

    with pytest.raises(ShipmentNotPickable) as refused:
        create_picklist(warehouse_id=main().pk,
                        shipment_ids=[ready.public_id, waiting.public_id], by=STAFF)

    assert waiting.number in refused.value.detail
    assert "not released for shipping" in refused.value.detail
    assert snapshot() == before


def test_a_chosen_shipment_already_on_a_picklist_is_refused(quote):
    [shipment] = picked(quote)
    before = snapshot()

    with pytest.raises(ShipmentNotPickable):
        create_picklist(warehouse_id=main().pk, shipment_ids=[shipment.public_id], by=STAFF)

    assert snapshot() == before


def test_a_chosen_shipment_of_another_warehouse_is_refused(quote):
    [shipment] = released(quote)
    east = WarehouseFactory(code="east", name="East")
    before = snapshot()

    with pytest.raises(ShipmentNotPickable) as refused:
        create_picklist(warehouse_id=east.pk, shipment_ids=[shipment.public_id], by=STAFF)

    assert f"{shipment.number} does not ship from East" in refused.value.detail
    assert snapshot() == before


def test_a_chosen_shipment_of_an_order_on_hold_is_refused(quote):
    [shipment] = released(quote)
    hold_order(public_id=shipment.order.public_id, by=STAFF)
    before = snapshot()

    with pytest.raises(ShipmentNotPickable):
        create_picklist(warehouse_id=main().pk, shipment_ids=[shipment.public_id], by=STAFF)

    assert snapshot() == before


def test_an_unknown_shipment_or_warehouse_is_not_found(quote):
    [shipment] = released(quote)
    before = snapshot()

    with pytest.raises(ShipmentNotFound):
        create_picklist(warehouse_id=main().pk, shipment_ids=[shipment.public_id, "nope"],
                        by=STAFF)
    with pytest.raises(WarehouseNotFound):
        create_picklist(warehouse_id=main().pk + 99, next_n=1, by=STAFF)

    assert snapshot() == before


@pytest.mark.parametrize("choice", [
    {}, {"shipment_ids": ["a"], "next_n": 1}, {"next_n": 0}, {"shipment_ids": []},
    {"next_n": MAX_PICKLIST_SHIPMENTS + 1}, {"next_n": True},
])
def test_choose_shipments_or_a_number_of_them(quote, choice):
    released(quote)
    before = snapshot()

    with pytest.raises(InvalidPicklistRequest):
        create_picklist(warehouse_id=main().pk, by=STAFF, **choice)

    assert snapshot() == before


# --- reading ------------------------------------------------------------------------------------

def test_picklist_detail_reads_a_picklist_in_four_queries_whatever_its_size(quote):
    released(quote, 5)
    picklist = create_picklist(warehouse_id=main().pk, next_n=5, by=STAFF)

    with CaptureQueriesContext(connection) as queries:
        detail = picklist_detail(f" {picklist.number} ")
        shipped_to = [(e.shipment.order.number, [line.order_line.sku
                                                 for line in e.shipment.lines.all()])
                      for e in detail.entries.all()]
        lines = list(detail.lines.all())

    assert len(queries) == 4
    assert len(shipped_to) == 5 and len(lines) == 10
    with pytest.raises(PicklistNotFound):
        picklist_detail("PL-999999")


def test_picklists_count_their_shipments_and_units(quote):
    released(quote, 3)
    create_picklist(warehouse_id=main().pk, next_n=2, by=STAFF)
    create_picklist(warehouse_id=main().pk, next_n=1, by=STAFF)

    assert [(p.shipment_count, p.units) for p in picklists(main().pk)] == [(1, 3), (2, 6)]


def test_released_and_shipped_lists(quote):
    first, second = released(quote, 2)
    create_picklist(warehouse_id=main().pk, shipment_ids=[first.public_id], by=STAFF)
    ship_shipment(public_id=first.public_id, carrier="UPS", tracking_number=UPS,
                  weight_grams=None, by=STAFF)

    assert list(released_shipments()) == [second]
    assert list(released_shipments(main().pk + 99)) == []
    assert list(shipped_shipments()) == [first]
    assert list(shipped_shipments(main().pk)) == [first]


# --- shipping -----------------------------------------------------------------------------------

def test_shipping_records_carrier_tracking_link_and_weight(quote):
    [shipment] = picked(quote)

    shipped = ship_shipment(public_id=shipment.public_id, carrier="ups",
                            tracking_number="1z5r 8939 0357 5671 27", weight_grams=1250,
                            by=STAFF)

    shipment.refresh_from_db()
    assert shipped.pk == shipment.pk
    assert shipment.status == ShipmentStatus.SHIPPED
    assert (shipment.carrier, shipment.tracking_number, shipment.tracking_url,
            shipment.weight_grams) == ("UPS", UPS, f"https://www.ups.com/track?tracknum={UPS}",
                                       1250)
    assert shipment.shipped_at is not None
    event = Event.objects.get(type="ShipmentShipped")
    assert (event.payload["carrier"], event.payload["tracking_number"],
            event.payload["tracking_url"], event.payload["email"]) == (
        "UPS", UPS, shipment.tracking_url, "ada@example.com")
    assert Order.objects.get(pk=shipment.order_id).status == "Completed"


def test_the_units_leave_the_building_when_the_parcel_ships(quote):
    [shipment] = picked(quote)
    before = list(Stock.objects.order_by("pk").values_list("on_hand", "allocated"))

    ship_shipment(public_id=shipment.public_id, carrier="DHL", tracking_number="3318810025",
                  weight_grams=None, by=STAFF)

    after = list(Stock.objects.order_by("pk").values_list("on_hand", "allocated"))
    assert [(b[0] - a[0], b[1] - a[1]) for a, b in zip(after, before, strict=True)] == [
        (2, 2), (1, 1)]


def test_another_carrier_is_free_text_without_a_link(quote):
    [shipment] = picked(quote)

    ship_shipment(public_id=shipment.public_id, carrier="Royal Mail",
                  tracking_number="AB123456789GB", weight_grams=None, by=STAFF)

    shipment.refresh_from_db()
    assert (shipment.status, shipment.carrier, shipment.tracking_number,
            shipment.tracking_url) == (ShipmentStatus.SHIPPED, "Royal Mail", "AB123456789GB", "")


@pytest.mark.parametrize(("carrier", "number", "weight", "error"), [
    ("UPS", "1Z5R89390357567128", None, InvalidTrackingNumber),
    ("USPS", "03071790000523483742", None, InvalidTrackingNumber),  # FedEx SmartPost-alike
    ("FedEx", "", None, InvalidTrackingNumber),
    ("", UPS, None, InvalidTrackingNumber),
    ("UPS", UPS, 0, InvalidWeight),
])
def test_a_wrong_tracking_number_or_weight_ships_nothing(quote, carrier, number, weight, error):
    [shipment] = picked(quote)
    before = snapshot()

    with pytest.raises(error):
        ship_shipment(public_id=shipment.public_id, carrier=carrier, tracking_number=number,
                      weight_grams=weight, by=STAFF)

    assert snapshot() == before


def test_a_shipment_that_is_not_packed_cannot_ship(quote):
    [shipment] = released(quote)
    before = snapshot()

    with pytest.raises(IllegalTransition):
        ship_shipment(public_id=shipment.public_id, carrier="UPS", tracking_number=UPS,
                      weight_grams=None, by=STAFF)

    assert snapshot() == before


# --- concurrency (PostgreSQL) -------------------------------------------------------------------

@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_two_pickers_asking_for_the_next_shipment_at_once_get_different_ones():
    quote = make_quote(on_hand=100)
    shipments = released(quote, 2)
    warehouse_id = main().pk
    barrier = threading.Barrier(2)
    results, failures = [], []

    def pick():
        try:
            barrier.wait()
            results.append(create_picklist(warehouse_id=warehouse_id, next_n=1, by=STAFF))
        except Exception as error:  # reported below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    picked_ids = sorted(s.pk for p in results for s in p.shipments.all())
    assert picked_ids == sorted(s.pk for s in shipments)
