"""The shipped email: the worker sends the customer the parcel's carrier and tracking link."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mercato.core.events import Actor, from_row
from mercato.core.models import Event
from mercato.core.outbox import deliver_due
from mercato.fulfilment.services import create_picklist, ship_shipment
from mercato.inventory.models import Warehouse
from mercato.notifications.handlers import shipment_shipped
from mercato.notifications.models import EmailKind, SentEmail
from mercato.notifications.rules import shipment_shipped_subject, tracking_link
from mercato.orders.models import Order
from mercato.orders.rules import ShipmentPlan
from mercato.orders.selectors import order_history
from mercato.orders.services import place_order, release_shipment
from tests.orders.builders import ADDRESS, SHOPPER, express, make_quote, place, variants_of

pytestmark = pytest.mark.django_db

STAFF = Actor("staff", "packer@example.com")
UPS = "1Z5R89390357567127"
UPS_URL = f"https://www.ups.com/track?tracknum={UPS}"


def packed(order: Order) -> list:
    shipments = list(order.shipments.all())
    for shipment in shipments:
        release_shipment(public_id=shipment.public_id, by=STAFF)
    create_picklist(warehouse_id=Warehouse.objects.get(code="main").pk,
                    shipment_ids=[s.public_id for s in shipments], by=STAFF)
    return shipments


def ship(shipment, *, carrier: str = "UPS", number: str = UPS) -> None:
    ship_shipment(public_id=shipment.public_id, carrier=carrier, tracking_number=number,
                  weight_grams=900, by=STAFF)


def shipped_messages(inbox) -> list:
    return [m for m in inbox.messages if "shipped" in m["Subject"]]


def parts(message) -> tuple[str, str]:
    return (message.get_body(("plain",)).get_content(),
            message.get_body(("html",)).get_content())


def test_the_customer_gets_the_carrier_and_tracking_link_when_the_parcel_ships(smtp_server):
    quote = make_quote()
    order = place(quote, email="ada@example.com")
    [shipment] = packed(order)
    deliver_due()  # the order confirmation

    ship(shipment)
    report = deliver_due()

    assert (report.done, report.failed, report.errors) == (3, 0, [])  # capture, email, returns
    [message] = shipped_messages(smtp_server)
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == f"Your order {order.number} from Mercato demo shop has shipped"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    text, html = parts(message)
    shirt, mug = variants_of(quote)
    for body in (text, html):
        assert order.number in body and shipment.number in body
        assert "UPS" in body and UPS in body
        assert "Shirt (Red / M)" in body and shirt.sku in body
        assert "Mug" in body and mug.sku in body
        assert "Unter den Linden 1" in body and "10117 BERLIN" in body
        assert "more parcel" not in body
    assert f"Track your parcel: {UPS_URL}" in text
    assert f'<a href="{UPS_URL}"' in html
    assert "2 x Shirt (Red / M)" in text and "1 x Mug" in text


def test_another_carrier_has_its_number_and_no_link(smtp_server):
    order = place(make_quote())
    [shipment] = packed(order)

    ship(shipment, carrier="Royal Mail", number="AB123456789GB")
    deliver_due()

    text, html = parts(shipped_messages(smtp_server)[0])
    assert "Royal Mail" in text and "AB123456789GB" in text
    assert "Track your parcel" not in text and "<a " not in html


def test_the_first_of_two_parcels_says_the_rest_follows(smtp_server):
    quote = make_quote()
    office = ADDRESS | {"first_name": "Charles", "last_name": "Babbage",
                        "street_address_1": "Friedrichstrasse 50"}
    plans = [ShipmentPlan(address=ADDRESS, delivery=quote.delivery, quantities=((0, 2),)),
             ShipmentPlan(address=office, delivery=express(quote), quantities=((1, 1),))]
    order = place_order(quote=quote, customer_id=None, email="ada@example.com",
                        billing_address=ADDRESS, shipments=plans, by=SHOPPER)
    first, second = packed(order)
    shirt, mug = variants_of(quote)

    ship(first)
    deliver_due()

    [message] = shipped_messages(smtp_server)
    assert message["Subject"] == (f"Part of your order {order.number} from Mercato demo shop "
                                  "has shipped")
    text, _ = parts(message)
    assert "follows in 1 more parcel; we will email you when it ships" in text
    assert shirt.sku in text and mug.sku not in text
    assert "Friedrichstrasse" not in text

    ship(second, carrier="FedEx", number="986578788855")
    deliver_due()

    last = shipped_messages(smtp_server)[1]
    assert last["Subject"] == f"Your order {order.number} from Mercato demo shop has shipped"
    text, _ = parts(last)
    assert "Charles Babbage" in text and "FedEx" in text and mug.sku in text


def test_a_second_delivery_of_the_same_event_sends_nothing(smtp_server):
    order = place(make_quote())
    [shipment] = packed(order)
    ship(shipment)
    deliver_due()
    event = Event.objects.get(type="ShipmentShipped")

    shipment_shipped(from_row(event), event.pk)  # as after a crash before "done" committed
    report = deliver_due(now=timezone.now() + timedelta(hours=1))

    assert report.attempted == 0
    assert len(shipped_messages(smtp_server)) == 1
    sent = SentEmail.objects.get(kind=EmailKind.SHIPMENT_SHIPPED)
    assert (sent.event_id, sent.to) == (event.pk, "ada@example.com")


def test_the_order_history_shows_the_shipped_email(smtp_server):
    order = place(make_quote())
    [shipment] = packed(order)
    ship(shipment)

    deliver_due()

    sent = [e for e in order_history(order=order) if e.type == "ShipmentShippedEmailSent"]
    assert [(e.payload["shipment_number"], e.payload["to"]) for e in sent] == [
        (shipment.number, "ada@example.com")]


def test_subjects_and_links():
    assert shipment_shipped_subject(shop_name="Shop", number="MRC-1", is_last_parcel=True) == (
        "Your order MRC-1 from Shop has shipped")
    assert shipment_shipped_subject(shop_name="Shop", number="MRC-1", is_last_parcel=False) \
        == "Part of your order MRC-1 from Shop has shipped"
    assert tracking_link(UPS_URL) == UPS_URL
    assert tracking_link("javascript:alert(1)") == ""
    assert tracking_link("") == ""
