"""Back office, Integrations: a subscription made with its secret shown once, refused URLs,
rotation, replay, and a message's delivery log with "send again"."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from mercato.integrations.models import WebhookMessage, WebhookSubscription
from tests.factories import UserFactory
from tests.integrations.receiver import Receiver
from tests.orders.builders import make_quote, place
from tests.outbox import deliver_all

pytestmark = pytest.mark.django_db

ADD = "admin:integrations_webhooksubscription_add"


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(email="boss@example.com", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def receiver(settings):
    settings.MERCATO_WEBHOOKS_ALLOW_PRIVATE_URLS = True
    started = Receiver().start()
    yield started
    started.stop()


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def add(staff_client, url: str, events=("order.created",)):
    return staff_client.post(reverse(ADD), {
        "url": url, "event_types": list(events), "description": "OMS", "is_active": "on",
        "messages-TOTAL_FORMS": "0", "messages-INITIAL_FORMS": "0"}, follow=True)


def test_adding_a_subscription_shows_its_secret_once(staff_client, receiver):
    response = add(staff_client, receiver.url)
    subscription = WebhookSubscription.objects.get()
    [shown] = [re.search(r"whsec_[A-Za-z0-9+/=]+", text) for text in texts(response)
               if "whsec_" in text]
    assert shown.group(0) == subscription.secret
    assert subscription.event_types == ["order.created"]
    page = staff_client.get(reverse("admin:integrations_webhooksubscription_change",
                                    args=[subscription.pk])).content.decode()
    assert subscription.secret not in page


def test_a_url_on_the_shops_network_is_refused_on_the_form(staff_client):
    response = add(staff_client, "http://169.254.169.254/latest/meta-data")
    assert response.status_code == 200
    assert "public addresses only" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_rotating_and_replaying_from_the_subscription_page(staff_client, receiver):
    add(staff_client, receiver.url)
    subscription = WebhookSubscription.objects.get()
    old = subscription.secret
    response = staff_client.post(reverse("admin:integrations_webhooksubscription_rotate",
                                         args=[subscription.pk]), follow=True)
    subscription.refresh_from_db()
    assert subscription.previous_secret == old
    assert any(subscription.secret in text for text in texts(response))

    place(make_quote())
    deliver_all()
    since = (timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    response = staff_client.post(reverse("admin:integrations_webhooksubscription_replay",
                                         args=[subscription.pk]), {"since": since}, follow=True)
    assert "Replay asked: the worker sends 1 event(s); watch the messages below." in texts(
        response)
    deliver_all()
    assert len(receiver.received) == 2


def test_a_message_page_shows_the_delivery_log_and_sends_again(staff_client, receiver):
    add(staff_client, receiver.url)
    receiver.answers = [500]
    place(make_quote())
    deliver_all()
    message = WebhookMessage.objects.get()
    page = staff_client.get(reverse("admin:integrations_webhookmessage_change",
                                    args=[message.pk])).content.decode()
    assert "Failed, retried later" in page and "webhook-signature" in page
    staff_client.post(reverse("admin:integrations_webhookmessage_send_again",
                              args=[message.pk]))
    deliver_all()
    message.refresh_from_db()
    assert message.status == "delivered"
    assert [entry.webhook_id for entry in receiver.received] == [message.public_id] * 2
