"""Outgoing webhooks against a real HTTP receiver on loopback that verifies signatures with the
standardwebhooks library: each event type, retries after a 500 and a timeout, a subscription
switched off after days of failures, replay, secret rotation; and the JSON Schemas."""

import json
from datetime import timedelta

import jsonschema
import pytest
from django.utils import timezone

from mercato.catalog.models import Product
from mercato.catalog.services import product_saved
from mercato.core.events import Actor
from mercato.core.models import DeliveryAttempt, EventDelivery
from mercato.integrations.management.commands.webhook_schemas import SCHEMA_DIRECTORY, schema_files
from mercato.integrations.models import WebhookMessage, WebhookSubscription
from mercato.integrations.rules import EVENT_TYPES, RETRY_WAITS
from mercato.integrations.services.subscriptions import (
    create_subscription,
    replay,
    rotate_secret,
    update_subscription,
)
from mercato.inventory.models import Stock
from mercato.inventory.services import set_stock_level
from mercato.orders.services import cancel_order, confirm_delivery
from mercato.returns.services import ReceivedLine, receive_return, refund_return, request_return
from tests.integrations.receiver import Receiver
from tests.orders.builders import make_quote, place
from tests.outbox import deliver_all
from tests.returns.builders import card, lines, refund_line, ship_all

pytestmark = pytest.mark.django_db

STAFF = Actor("staff", "ops@example.com")


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    settings.MERCATO_WEBHOOKS_ALLOW_PRIVATE_URLS = True


@pytest.fixture
def receiver():
    started = Receiver().start()
    yield started
    started.stop()


@pytest.fixture
def quote():
    return make_quote()


def subscribe(receiver: Receiver, events=EVENT_TYPES) -> WebhookSubscription:
    made = create_subscription(url=receiver.url, event_types=list(events), by=STAFF)
    receiver.secrets.append(made.secret)
    return made.subscription


def deliver_retries() -> None:
    """The backoff waits are over: deliver what is due then."""
    EventDelivery.objects.filter(status="pending").update(next_attempt_at=timezone.now())
    deliver_all()


def schema_of(event_type: str) -> dict:
    return json.loads((SCHEMA_DIRECTORY / f"{event_type}.json").read_text())


def test_every_event_type_is_delivered_signed_and_fits_its_published_schema(receiver, quote):
    subscribe(receiver)
    order = place(quote)
    card(order, order.total)
    ship_all(order)  # released, packed, shipped: the card is captured
    confirm_delivery(public_id=order.shipments.get().public_id, by=STAFF)
    shirt, _ = lines(order)
    ret = request_return(order_number=order.number, lines=[refund_line(shirt, 1)], by=STAFF)
    receive_return(rma=ret.rma, warehouse_id=ret.warehouse_id, by=STAFF,
                   lines=[ReceivedLine(ret.lines.get().public_id, 1, "resellable")])
    refund_return(rma=ret.rma, by=STAFF)
    other = place(quote)
    card(other, other.total)
    cancel_order(public_id=other.public_id, by=STAFF)
    product_saved(product=Product.objects.first(), created=False, by=STAFF)
    deliver_all()

    assert set(receiver.types()) == set(EVENT_TYPES)
    for entry in receiver.received:
        assert entry.verified_by == receiver.secrets, entry.type
        assert entry.webhook_id.startswith("msg_")
        jsonschema.validate(entry.body, schema_of(entry.type))
    created = next(e for e in receiver.received if e.type == "order.created")
    assert created.body["data"]["number"] == order.number
    released = next(e for e in receiver.received if e.type == "shipment.released")
    data = released.body["data"]
    assert data["ship_to"]["country"] and data["warehouse"] and data["method"]["code"]
    assert {line["sku"] for line in data["lines"]} and all(
        "weight_grams" in line and line["quantity"] > 0 for line in data["lines"])
    shipped = next(e for e in receiver.received if e.type == "shipment.shipped")
    assert shipped.body["data"]["carrier"] == "DHL"
    assert shipped.body["data"]["tracking_number"] == "00340434161094042557"
    assert "tracking_url" in shipped.body["data"]
    [refund] = [e.body["data"] for e in receiver.received if e.type == "refund.created"]
    assert (refund["source"], refund["reference"]) == ("return", ret.rma)
    assert refund["return_request"]["rma"] == ret.rma
    assert WebhookMessage.objects.exclude(status="delivered").count() == 0


def test_a_subscription_gets_only_its_event_types(receiver, quote):
    subscribe(receiver, events=["order.created"])
    order = place(quote)
    ship_all(order)
    deliver_all()
    assert receiver.types() == ["order.created"]


def test_an_answer_of_500_is_retried_with_the_same_id_and_body_then_delivered(receiver, quote):
    subscribe(receiver, events=["order.created"])
    receiver.answers = [500, 500]
    receiver.response_body = b"database down"
    place(quote)
    deliver_all()
    deliver_retries()
    deliver_retries()

    first, second, third = receiver.received
    assert first.webhook_id == second.webhook_id == third.webhook_id
    assert first.raw == second.raw == third.raw
    assert all(entry.verified_by for entry in receiver.received)
    message = WebhookMessage.objects.get()
    assert (message.status, message.last_status_code) == ("delivered", 204)
    log = list(DeliveryAttempt.objects.filter(delivery__handler__endswith="send_webhook")
               .order_by("pk"))
    assert [(a.outcome, a.status_code) for a in log] == [
        ("failed", 500), ("failed", 500), ("done", 204)]
    failed = log[0].exchange
    assert failed["request"]["headers"]["webhook-id"] == message.public_id
    assert failed["response"]["status_code"] == 500
    assert failed["response"]["body"] == "database down"
    assert failed["response"]["headers"]["x-receiver"] == "test"


def test_a_receiver_that_does_not_answer_in_time_is_retried(receiver, quote, settings):
    settings.MERCATO_WEBHOOK_TIMEOUT = timedelta(seconds=0.3)
    subscribe(receiver, events=["order.created"])
    receiver.answers = [("pause", 1.0)]
    place(quote)
    deliver_all()
    delivery = EventDelivery.objects.get(handler__endswith="send_webhook")
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "no answer within" in delivery.last_error
    deliver_retries()
    assert WebhookMessage.objects.get().status == "delivered"


def test_days_of_failures_switch_the_subscription_off_and_staff_see_why(receiver, quote):
    subscription = subscribe(receiver, events=["order.created"])
    receiver.answers = [503] * (len(RETRY_WAITS) + 1)
    place(quote)
    deliver_all()
    for _ in RETRY_WAITS:
        deliver_retries()

    assert len(receiver.received) == len(RETRY_WAITS) + 1
    subscription.refresh_from_db()
    assert not subscription.is_active
    assert "HTTP 503" in subscription.disabled_reason
    assert WebhookMessage.objects.get().status == "failed"
    assert EventDelivery.objects.get(handler__endswith="send_webhook").status == "dead"
    place(quote)  # nothing is queued for a subscription switched off
    deliver_all()
    assert len(receiver.received) == len(RETRY_WAITS) + 1

    update_subscription(public_id=subscription.public_id, is_active=True, by=STAFF)
    subscription.refresh_from_db()
    assert (subscription.is_active, subscription.disabled_reason) == (True, "")
    replay(public_id=subscription.public_id, since=timezone.now() - timedelta(hours=1),
           by=STAFF)
    deliver_all()
    assert receiver.types()[-2:] == ["order.created", "order.created"]
    assert WebhookMessage.objects.filter(status="delivered").count() == 2


def test_a_message_queued_before_its_subscription_was_switched_off_is_skipped(receiver, quote):
    subscription = subscribe(receiver, events=["order.created"])
    place(quote)
    deliver_all(passes=1)  # the fan-out ran; the message is queued, not sent yet
    update_subscription(public_id=subscription.public_id, is_active=False, by=STAFF)
    deliver_all()
    assert receiver.received == []
    assert WebhookMessage.objects.get().status == "skipped"


def test_replay_sends_a_new_subscriber_every_order_it_missed_and_again_under_the_same_id(
        receiver, quote):
    before = [place(quote) for _ in range(2)]
    deliver_all()
    subscription = subscribe(receiver, events=["order.created"])
    queued = replay(public_id=subscription.public_id,
                    since=timezone.now() - timedelta(days=1), by=STAFF)
    deliver_all()
    assert queued == 2
    assert sorted(e.body["data"]["number"] for e in receiver.received) == sorted(
        order.number for order in before)

    first_ids = sorted(e.webhook_id for e in receiver.received)
    replay(public_id=subscription.public_id, since=timezone.now() - timedelta(days=1), by=STAFF)
    deliver_all()
    assert sorted(e.webhook_id for e in receiver.received[2:]) == first_ids


def test_after_a_rotation_both_secrets_sign_until_the_grace_ends(receiver, quote, settings):
    subscription = subscribe(receiver, events=["order.created"])
    old_secret = receiver.secrets[0]
    new_secret = rotate_secret(public_id=subscription.public_id, by=STAFF).secret
    receiver.secrets = [old_secret, new_secret]
    place(quote)
    deliver_all()
    assert receiver.received[-1].verified_by == [old_secret, new_secret]
    assert len(receiver.received[-1].headers["webhook-signature"].split(" ")) == 2

    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1))
    place(quote)
    deliver_all()
    assert receiver.received[-1].verified_by == [new_secret]


def test_the_published_json_schemas_are_the_payloads_schemas():
    """After changing a payload, run `manage.py webhook_schemas` and commit the files."""
    for path, text in schema_files().items():
        assert path.exists() and path.read_text() == text, (
            f"{path.name} is stale: run manage.py webhook_schemas")


def test_an_event_whose_resource_is_gone_is_not_sent_and_fails_nothing(receiver, quote):
    subscribe(receiver, events=["stock.changed"])
    stock = Stock.objects.first()
    set_stock_level(variant_id=stock.variant_id, warehouse_id=stock.warehouse_id, on_hand=7,
                    by=STAFF)
    Stock.objects.filter(pk=stock.pk).delete()  # its variant deleted in the back office
    report = deliver_all()
    assert (report.failed, report.dead) == (0, 0)
    assert receiver.received == [] and not WebhookMessage.objects.exists()
