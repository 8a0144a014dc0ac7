"""A handler marked @only_while_wanted gets deliveries only for the event types it wants when
the worker looks (a webhook fan-out while some subscription is active); others are untouched."""

from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import override_settings

from mercato.core.events import DomainEvent, record
from mercato.core.models import EventDelivery
from mercato.core.outbox import deliver_due
from mercato.core.outbox.calls import only_while_wanted

HERE = __name__
wanted_now: list[str] = []
ran: list[str] = []


@dataclass(frozen=True)
class CrateCounted(DomainEvent):
    aggregate_type = "crate"


@only_while_wanted(lambda: wanted_now)
def fan_out(event: CrateCounted, event_id: int) -> None:
    ran.append("fan_out")


def always(event: CrateCounted, event_id: int) -> None:
    ran.append("always")


pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def table():
    wanted_now.clear()
    ran.clear()
    with override_settings(MERCATO_HANDLERS={"CrateCounted": [f"{HERE}.fan_out",
                                                              f"{HERE}.always"]}):
        yield


def counted(crate: str) -> None:
    with transaction.atomic():
        record(CrateCounted(aggregate_id=crate))


def test_an_unwanted_handler_gets_no_delivery_and_the_others_do():
    counted("C-1")
    deliver_due()
    assert ran == ["always"]
    assert list(EventDelivery.objects.values_list("handler", flat=True)) == [f"{HERE}.always"]


def test_once_wanted_new_events_are_delivered_to_it():
    counted("C-1")
    deliver_due()
    wanted_now.append("CrateCounted")
    counted("C-2")
    deliver_due()
    assert sorted(ran) == ["always", "always", "fan_out"]
