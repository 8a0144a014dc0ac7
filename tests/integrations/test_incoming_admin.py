"""Incoming connections in the back office: created with a secret shown once, rotated with a
grace period; what they sent is a read-only log."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from mercato.integrations.models import IncomingConnection, IncomingMessage
from tests.integrations.incoming import event, logistics_connection, packed_order, send

pytestmark = pytest.mark.django_db
SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]+")


@pytest.fixture
def staff_client(client, django_user_model):
    boss = django_user_model.objects.create_superuser(email="boss@example.com", password="x")
    client.force_login(boss)
    return client


def shown_secrets(response) -> list[str]:
    return [found for message in get_messages(response.wsgi_request)
            for found in SECRET.findall(str(message))]


def test_a_new_connection_shows_its_secret_once(staff_client):
    response = staff_client.post(reverse("admin:integrations_incomingconnection_add"),
                                 {"name": "Parcel partner", "kind": "logistics"})

    connection = IncomingConnection.objects.get()
    assert response.status_code == 302
    assert shown_secrets(response) == [connection.secret]
    assert connection.secret.startswith("whsec_") and connection.is_active
    page = reverse("admin:integrations_incomingconnection_change", args=[connection.pk])
    shown, again = (staff_client.get(page).content.decode() for _ in range(2))
    assert shown.count(connection.secret) == 1  # the message, on the page it leads to
    assert connection.secret not in again


def test_rotating_shows_the_new_secret_and_keeps_the_old_one_for_a_day(staff_client):
    connection = logistics_connection()
    old = connection.secret

    response = staff_client.post(reverse("admin:integrations_incomingconnection_changelist"),
                                 {"action": "rotate_secret", "_selected_action": [connection.pk]})

    connection.refresh_from_db()
    assert shown_secrets(response) == [connection.secret] and connection.secret != old
    assert connection.previous_secret == old
    hours = (connection.previous_secret_expires_at - timezone.now()).total_seconds() / 3600
    assert 23.9 < hours <= 24


def test_editing_a_connection_keeps_its_secret(staff_client):
    connection = logistics_connection()

    staff_client.post(reverse("admin:integrations_incomingconnection_change",
                              args=[connection.pk]), {"name": "Renamed", "is_active": ""})

    changed = IncomingConnection.objects.get()
    assert (changed.name, changed.is_active, changed.secret) == ("Renamed", False,
                                                                 connection.secret)


def test_the_message_log_is_listed_shown_and_never_edited(client, staff_client):
    connection = logistics_connection()
    _order, shipment = packed_order()
    send(client, connection, event("logistics", "shipment.delivered",
                                   shipment_id=shipment.public_id), msg_id="msg_logged")
    message = IncomingMessage.objects.get()

    listing = staff_client.get(reverse("admin:integrations_incomingmessage_changelist"))
    detail = staff_client.get(reverse("admin:integrations_incomingmessage_change",
                                      args=[message.pk]))
    add = staff_client.get(reverse("admin:integrations_incomingmessage_add"))

    assert listing.status_code == 200 and "msg_logged" in listing.content.decode()
    assert detail.status_code == 200 and "illegal-transition" in detail.content.decode()
    assert add.status_code == 403
