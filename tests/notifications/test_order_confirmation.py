"""The order confirmation, sent by the outbox worker to a real SMTP server and read back."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mercato.core.events import from_row
from mercato.core.models import Event, EventDelivery
from mercato.core.outbox import backoff, deliver_due
from mercato.notifications.handlers import order_placed
from mercato.notifications.models import EmailKind, SentEmail
from mercato.orders.rules import ShipmentPlan
from mercato.orders.selectors import order_history
from mercato.orders.services import place_order
from tests.notifications.conftest import free_port, use_email_url
from tests.orders.builders import ADDRESS, SHOPPER, make_quote, place

pytestmark = pytest.mark.django_db


def parts(message):
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def test_the_worker_emails_the_order_confirmation_to_the_smtp_server(smtp_server, settings):
    settings.MERCATO_SHOP_NAME = "Ada's Corner"
    settings.DEFAULT_FROM_EMAIL = "Ada's Corner <shop@example.com>"
    order = place(make_quote(), email="ada@example.com")

    report = deliver_due()

    assert (report.done, report.failed, report.errors) == (2, 0, [])  # and capture_placed_order
    [(recipients, message)] = smtp_server.received
    assert recipients == ["ada@example.com"]
    assert message["To"] == "ada@example.com"
    assert message["From"] == "Ada's Corner <shop@example.com>"
    assert message["Subject"] == f"Your order {order.number} at Ada's Corner"
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain",
                                                                          "text/html"]


def test_both_parts_show_number_lines_totals_and_addresses(smtp_server):
    order = place(make_quote())

    deliver_due()

    text, html = parts(smtp_server.messages[0])
    for body in (text, html):
        assert order.number in body
        assert timezone.localtime(order.created_at).strftime("%B %-d, %Y") in body
        for title, sku in [("Shirt (Red / M)", order.lines.all()[0].sku),
                           ("Mug", order.lines.all()[1].sku)]:
            assert title in body
            assert sku in body
        assert "€19.90" in body and "€39.80" in body and "€8.50" in body  # unit and line totals
        assert "Subtotal" in body and "€48.30" in body
        assert "Ten off" in body and "-€4.83" in body
        assert "€4.90" in body  # delivery
        assert f"€{order.tax_total:.2f}" in body and f"€{order.total:.2f}" in body
        assert "Unter den Linden 1" in body
        assert "10117 BERLIN" in body and "POTSDAM" in body and "GERMANY" in body
    assert "2 x Shirt (Red / M)" in text and "1 x Mug" in text
    assert "<td style=\"text-align:right\">2</td>" in html


def test_html_part_escapes_what_the_customer_and_catalog_typed(smtp_server):
    quote = make_quote()
    order = place(quote)
    order.lines.filter(product_title="Mug").update(product_title="Mug <b>big</b>")

    deliver_due()

    text, html = parts(smtp_server.messages[0])
    assert "Mug &lt;b&gt;big&lt;/b&gt;" in html
    assert "Mug <b>big</b>" in text


def test_a_second_delivery_of_the_same_event_sends_nothing(smtp_server):
    order = place(make_quote())
    deliver_due()
    event = Event.objects.get(type="OrderPlaced", aggregate_id=order.public_id)

    order_placed(from_row(event), event.pk)  # as after a crash before "done" committed
    report = deliver_due(now=timezone.now() + timedelta(hours=1))

    assert report.attempted == 0
    assert len(smtp_server.received) == 1
    sent = SentEmail.objects.get()
    assert (sent.event_id, sent.kind, sent.to) == (event.pk, EmailKind.ORDER_CONFIRMATION,
                                                   "ada@example.com")
    assert sent.subject == f"Your order {order.number} at Mercato demo shop"


def test_the_order_history_shows_the_confirmation(smtp_server):
    order = place(make_quote())

    deliver_due()

    sent = [e for e in order_history(order=order) if e.type == "OrderConfirmationSent"]
    assert [(e.payload["number"], e.payload["to"]) for e in sent] == [(order.number,
                                                                       "ada@example.com")]


def test_an_unreachable_mail_server_records_nothing_and_is_retried(settings, smtp_server):
    live = settings.EMAIL_PORT
    use_email_url(settings, f"smtp://127.0.0.1:{free_port()}?timeout=5")
    order = place(make_quote())
    start = timezone.now()

    failed = deliver_due(now=start)

    assert (failed.done, failed.failed) == (1, 1)  # capture_placed_order is done
    assert "ConnectionRefusedError" in failed.errors[0]
    assert not SentEmail.objects.exists()
    assert not Event.objects.filter(type="OrderConfirmationSent").exists()
    settings.EMAIL_PORT = live
    retried = deliver_due(now=start + backoff(1, jitter=1))  # the longest wait it may draw
    assert retried.done == 1
    assert smtp_server.messages[0]["Subject"] == f"Your order {order.number} at Mercato demo shop"
    email = EventDelivery.objects.get(handler="mercato.notifications.handlers.order_placed")
    assert email.status == EventDelivery.Status.DONE


def test_with_the_console_backend_the_worker_prints_the_message(capsys, settings):
    use_email_url(settings, "console://")
    settings.MERCATO_SHOP_NAME = "Mercato"
    order = place(make_quote())

    deliver_due()

    out = capsys.readouterr().out
    assert f"Subject: Your order {order.number} at Mercato" in out
    assert "multipart/alternative" in out


def test_a_split_order_lists_each_shipment_with_its_address_and_lines(smtp_server):
    quote = make_quote()
    office = ADDRESS | {"first_name": "Charles", "last_name": "Babbage",
                        "street_address_1": "Jungfernstieg 7", "city": "Hamburg",
                        "postal_code": "20354"}
    order = place_order(
        quote=quote, customer_id=None, email="ada@example.com", billing_address=ADDRESS,
        shipments=[ShipmentPlan(ADDRESS, quote.delivery, ((0, 2),)),
                   ShipmentPlan(office, quote.delivery, ((1, 1),))],
        by=SHOPPER)

    deliver_due()

    text, html = parts(smtp_server.messages[0])
    shirt, mug = (line.sku for line in order.lines.all())
    assert "Your order ships in 2 parcels" in text and "Shipping address" not in text
    assert f"Shipment {order.number}-1 by " in text
    first, second = text.split(f"Shipment {order.number}-2")
    assert f"2 x Shirt (Red / M) (SKU {shirt})" in first.split(f"Shipment {order.number}-1")[1]
    assert "Charles Babbage" in second and "20354 HAMBURG" in second
    assert f"1 x Mug (SKU {mug})" in second
    assert f"<strong>Shipment {order.number}-2</strong>" in html
    assert "Jungfernstieg 7" in html


def test_an_order_in_one_parcel_lists_no_shipments(smtp_server):
    place(make_quote())

    deliver_due()

    text, html = parts(smtp_server.messages[0])
    assert "Shipment " not in text and "Shipments" not in html
    assert "Shipping address" in text and "Shipping address" in html
