"""The cancellation email: the worker tells the customer their order was cancelled, once."""

import pytest

from mercato.core.events import Actor, from_row
from mercato.core.models import Event
from mercato.core.outbox import deliver_due
from mercato.notifications.handlers import order_cancelled
from mercato.notifications.models import EmailKind, SentEmail
from mercato.orders.services import cancel_order
from tests.orders.builders import make_quote, place, variants_of

pytestmark = pytest.mark.django_db

STAFF = Actor("staff", "service@example.com")


def cancelled_messages(inbox) -> list:
    return [m for m in inbox.messages if "cancelled" in m["Subject"]]


def test_cancelling_an_order_emails_the_customer_what_was_cancelled(smtp_server):
    quote = make_quote()
    order = place(quote, email="ada@example.com")
    deliver_due()  # the order confirmation

    cancel_order(public_id=order.public_id, by=STAFF, reason="customer asked")
    deliver_due()

    [message] = cancelled_messages(smtp_server)
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == (
        f"Your order {order.number} from Mercato demo shop has been cancelled")
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    shirt, mug = variants_of(quote)
    for part in message.iter_parts():
        body = part.get_content()
        assert order.number in body and shirt.sku in body and mug.sku in body
        assert "released" in body and "refunded" in body
    assert SentEmail.objects.filter(kind=EmailKind.ORDER_CANCELLED).count() == 1


def test_a_cancellation_delivered_twice_is_emailed_once(smtp_server):
    order = place(make_quote())
    cancel_order(public_id=order.public_id, by=STAFF)
    event = Event.objects.get(type="OrderCancelled", aggregate_id=order.public_id)

    order_cancelled(from_row(event), event.pk)
    order_cancelled(from_row(event), event.pk)

    assert len(cancelled_messages(smtp_server)) == 1
