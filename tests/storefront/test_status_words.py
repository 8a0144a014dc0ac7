"""Customer pages show an order's, parcel's and payment's status in the shopper's words, not
the back office's state names (a parcel in transit never reads "Completed")."""

import re

import pytest

from mercato.core.events import Actor
from mercato.fulfilment.services import create_picklist, ship_shipment
from mercato.inventory.models import Warehouse
from mercato.orders.models import Order
from mercato.orders.services import capture_order_payments, confirm_delivery, release_shipment
from tests.factories import UserFactory
from tests.orders.builders import make_quote, place
from tests.storefront.test_account_orders import pay

pytestmark = pytest.mark.django_db
STAFF = Actor("staff", "packer@example.com")
INTERNAL = ("InProgress", "In Progress", "InventoryAssigned", "Inventory Assigned",
            "Released for shipping", "Completed", "Captured")


@pytest.fixture
def customer(client):
    customer = UserFactory(email="ada@example.com")
    client.force_login(customer)
    return customer


def shipped(order: Order) -> None:
    """Release, pick and ship every parcel of the order, then take its payment."""
    shipments = list(order.shipments.all())
    for shipment in shipments:
        release_shipment(public_id=shipment.public_id, by=STAFF)
    create_picklist(warehouse_id=Warehouse.objects.get(code="main").pk,
                    shipment_ids=[s.public_id for s in shipments], by=STAFF)
    for shipment in shipments:
        ship_shipment(public_id=shipment.public_id, carrier="UPS",
                      tracking_number="1Z5R89390357567127", weight_grams=900, by=STAFF)
    capture_order_payments(public_id=order.public_id, by=STAFF)


def statuses(page: str, testid: str) -> list[str]:
    return re.findall(rf'data-testid="{testid}">([^<]*)<', page)


def test_a_new_order_reads_processing_and_its_parcel_preparing(client, customer):
    order = place(make_quote(), customer_id=customer.pk)
    release_shipment(public_id=order.shipments.get().public_id, by=STAFF)
    pay(order)

    page = client.get(f"/account/orders/{order.number}/").content.decode()

    assert statuses(page, "order-status") == ["Processing"]
    assert statuses(page, "shipment-status") == ["Preparing"]
    assert "Authorized, not charged yet" in page
    for word in INTERNAL:
        assert word not in page, word


def test_a_parcel_in_transit_reads_shipped_not_completed(client, customer):
    order = place(make_quote(), customer_id=customer.pk)
    pay(order)
    shipped(order)
    order.refresh_from_db()
    assert order.status == "Completed"

    page = client.get(f"/account/orders/{order.number}/").content.decode()
    listing = client.get("/account/orders/").content.decode()

    assert statuses(page, "order-status") == ["Shipped"]
    assert statuses(page, "shipment-status") == ["Shipped"]
    assert '<td class="status">Shipped</td>' in listing
    assert "Paid" in page and "Paid" in listing
    for word in INTERNAL:
        assert word not in page and word not in listing, word


def test_a_delivered_order_reads_delivered(client, customer):
    order = place(make_quote(), customer_id=customer.pk)
    pay(order)
    shipped(order)
    confirm_delivery(public_id=order.shipments.get().public_id, by=STAFF)

    page = client.get(f"/account/orders/{order.number}/").content.decode()
    listing = client.get("/account/orders/").content.decode()

    assert statuses(page, "order-status") == ["Delivered"]
    assert statuses(page, "shipment-status") == ["Delivered"]
    assert '<td class="status">Delivered</td>' in listing


def test_the_guest_lookup_shows_the_same_words(client):
    order = place(make_quote(), email="guest@example.com")
    pay(order)
    shipped(order)

    page = client.post("/orders/lookup/", {"number": order.number,
                                           "email": "guest@example.com"}).content.decode()

    assert statuses(page, "order-status") == ["Shipped"]
    assert "Completed" not in page and "Captured" not in page
