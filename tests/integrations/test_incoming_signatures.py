"""Only a message signed with an active connection's secret, within five minutes, is taken;
any other is a 401 problem and changes nothing (not even the message log)."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from mercato.core.models import Event
from mercato.integrations.models import IncomingConnection, IncomingMessage
from mercato.integrations.rules import new_secret as new_incoming_secret
from mercato.integrations.services.incoming import rotate_incoming_secret
from mercato.orders.models import Shipment
from mercato.orders.states import ShipmentStatus
from tests.integrations.incoming import (
    PATHS,
    event,
    headers_for,
    logistics_connection,
    oms_connection,
    packed_order,
    send,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def connection():
    return logistics_connection()


@pytest.fixture
def message():
    _order, shipment = packed_order()
    return event("logistics", "shipment.handed_to_carrier", shipment_id=shipment.public_id)


def assert_refused_unsigned(response) -> None:
    assert response.status_code == 401, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/invalid-webhook-signature")
    assert Shipment.objects.get().status == ShipmentStatus.PACKING
    assert not Event.objects.filter(type="ShipmentShipped").exists()
    assert not IncomingMessage.objects.exists()


def assert_applied(response) -> None:
    assert response.status_code == 200, response.content
    assert Shipment.objects.get().status == ShipmentStatus.SHIPPED


def test_secrets_are_standard_webhooks_secrets_of_32_random_bytes(connection):
    import base64

    assert connection.secret.startswith("whsec_")
    assert len(base64.b64decode(connection.secret.removeprefix("whsec_"))) == 32
    assert new_incoming_secret() != new_incoming_secret()


def test_a_body_changed_after_signing_is_401(client, connection, message):
    body = json.dumps(message)
    headers = headers_for(body, secret=connection.secret)
    tampered = body.replace('"UPS"', '"DHL"')

    response = client.post(PATHS["logistics"], data=tampered, content_type="application/json",
                           headers=headers)

    assert_refused_unsigned(response)


def test_another_secret_is_401(client, connection, message):
    assert_refused_unsigned(send(client, connection, message, secret=new_incoming_secret()))


def test_a_timestamp_older_than_five_minutes_is_401(client, connection, message):
    old = datetime.now(tz=UTC) - timedelta(minutes=6)
    assert_refused_unsigned(send(client, connection, message, at=old))


def test_a_timestamp_in_the_future_is_401(client, connection, message):
    ahead = datetime.now(tz=UTC) + timedelta(minutes=6)
    assert_refused_unsigned(send(client, connection, message, at=ahead))


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_header_is_401(client, connection, message, missing):
    body = json.dumps(message)
    headers = headers_for(body, secret=connection.secret)
    del headers[missing]

    response = client.post(PATHS["logistics"], data=body, content_type="application/json",
                           headers=headers)

    assert_refused_unsigned(response)


@pytest.mark.parametrize("signature", ["garbage", "v1,not-base64!", "v2,abc", ""])
def test_a_malformed_signature_is_401(client, connection, message, signature):
    body = json.dumps(message)
    headers = headers_for(body, secret=connection.secret) | {"webhook-signature": signature}

    response = client.post(PATHS["logistics"], data=body, content_type="application/json",
                           headers=headers)

    assert_refused_unsigned(response)


def test_an_inactive_connection_is_401(client, connection, message):
    IncomingConnection.objects.filter(pk=connection.pk).update(is_active=False)
    assert_refused_unsigned(send(client, connection, message))


def test_an_oms_secret_does_not_sign_for_the_logistics_endpoint(client, message):
    oms = oms_connection()
    assert_refused_unsigned(send(client, oms, message, path=PATHS["logistics"]))


def test_each_active_connection_of_the_kind_is_tried(client, message):
    logistics_connection()
    second = logistics_connection()

    assert_applied(send(client, second, message))
    assert IncomingMessage.objects.get().connection == second


def test_the_previous_secret_is_taken_during_the_grace_period_only(client, connection):
    old_secret = connection.secret
    rotated = rotate_incoming_secret(public_id=connection.public_id)
    _order, shipment = packed_order()

    during = send(client, rotated, event("logistics", "shipment.handed_to_carrier",
                                         shipment_id=shipment.public_id), secret=old_secret)
    assert_applied(during)
    assert rotated.previous_secret == old_secret and rotated.secret != old_secret
    assert rotated.previous_secret_expires_at > timezone.now() + timedelta(hours=23)

    IncomingConnection.objects.filter(pk=connection.pk).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1))
    delivered = event("logistics", "shipment.delivered", shipment_id=shipment.public_id)
    after = send(client, rotated, delivered, secret=old_secret)
    assert after.status_code == 401
    assert Shipment.objects.get().delivered_at is None
    assert send(client, rotated, delivered).status_code == 200
