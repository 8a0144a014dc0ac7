"""Twin deliveries of one message racing (PostgreSQL: one connection per sender): the first
applies it, the others wait on the webhook-id's unique index and get its answer."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection as db_connection
from django.test import Client

from mercato.core.models import Event
from mercato.integrations.models import IncomingMessage
from mercato.orders.models import Shipment
from mercato.orders.states import ShipmentStatus
from tests.integrations.incoming import (
    PATHS,
    event,
    headers_for,
    logistics_connection,
    packed_order,
)

TWINS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twin_deliveries_of_one_message_apply_it_once_and_get_one_answer():
    connection = logistics_connection()
    _order, shipment = packed_order()
    body = json.dumps(event("logistics", "shipment.handed_to_carrier",
                            shipment_id=shipment.public_id))
    headers = headers_for(body, secret=connection.secret, msg_id="msg_twin")
    start = threading.Barrier(TWINS)

    def deliver(_: int) -> tuple[int, dict]:
        try:
            start.wait()
            response = Client().post(PATHS["logistics"], data=body,
                                     content_type="application/json", headers=headers)
            return response.status_code, response.json()
        finally:
            db_connection.close()

    with ThreadPoolExecutor(max_workers=TWINS) as pool:
        answers = list(pool.map(deliver, range(TWINS)))

    assert {status for status, _ in answers} == {200}, answers
    assert len({json.dumps(answer, sort_keys=True) for _, answer in answers}) == 1
    assert Event.objects.filter(type="ShipmentShipped").count() == 1
    assert IncomingMessage.objects.count() == 1
    assert Shipment.objects.get().status == ShipmentStatus.SHIPPED
