"""The Celery transport's dispatch pass and tasks, in-process: the table decides what is sent,
and a message for a delivery that is done, not due or sent twice changes nothing."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from mercato.celery import app, beat_queue
from mercato.core import tasks
from mercato.core.events import DomainEvent, record
from mercato.core.models import Event, EventDelivery
from mercato.core.outbox.dispatch import dispatch_due
from mercato.core.scheduling import Job

calls: list[int] = []
HERE = __name__


@dataclass(frozen=True)
class CrateLoaded(DomainEvent):
    aggregate_type = "crate"


def load(event: CrateLoaded, event_id: int) -> None:
    calls.append(event_id)


def jammed(event: CrateLoaded, event_id: int) -> None:
    raise RuntimeError("conveyor jammed")


@pytest.fixture(autouse=True)
def clear_calls():
    calls.clear()


def loaded(count: int = 1) -> list[Event]:
    with transaction.atomic():
        return [record(CrateLoaded(aggregate_id=f"C-{number}")) for number in range(count)]


class Outbox:
    """What dispatch passes sent, as the broker would have received it."""

    def __init__(self) -> None:
        self.sent: list[int] = []

    def send(self, delivery_ids: list[int]) -> None:
        self.sent.extend(delivery_ids)


LEASE = timedelta(minutes=2)
pytestmark = pytest.mark.django_db


@override_settings(MERCATO_HANDLERS={"CrateLoaded": [f"{HERE}.load"]}, MERCATO_OUTBOX_LEASE=LEASE)
def test_a_pass_creates_deliveries_and_sends_each_due_one_once():
    loaded(3)
    broker, now = Outbox(), timezone.now()

    report = dispatch_due(send=broker.send, now=now)
    dispatch_due(send=broker.send, now=now + timedelta(seconds=5))

    assert (report.created, report.sent) == (3, 3)
    assert sorted(broker.sent) == sorted(EventDelivery.objects.values_list("pk", flat=True))
    assert calls == []  # sending is not delivering


@override_settings(MERCATO_HANDLERS={"CrateLoaded": [f"{HERE}.load"]}, MERCATO_OUTBOX_LEASE=LEASE)
def test_a_message_lost_by_the_broker_is_sent_again_when_its_lease_runs_out():
    [event] = loaded()
    lost, now = Outbox(), timezone.now()
    dispatch_due(send=lost.send, now=now)

    again = Outbox()
    dispatch_due(send=again.send, now=now + LEASE)
    for delivery_id in again.sent:
        tasks.deliver(delivery_id)

    assert again.sent == lost.sent
    assert calls == [event.pk]
    assert EventDelivery.objects.get().status == "done"


@override_settings(MERCATO_HANDLERS={"CrateLoaded": [f"{HERE}.load"]}, MERCATO_OUTBOX_IN_FLIGHT=2)
def test_no_more_than_the_in_flight_limit_is_sent_until_some_are_done():
    loaded(5)
    broker, now = Outbox(), timezone.now()

    dispatch_due(send=broker.send, now=now)
    dispatch_due(send=broker.send, now=now)
    assert len(broker.sent) == 2
    tasks.deliver(broker.sent[0])
    dispatch_due(send=broker.send, now=timezone.now())

    assert len(broker.sent) == 3


@override_settings(MERCATO_HANDLERS={"CrateLoaded": [f"{HERE}.load"]})
def test_a_delivery_message_sent_twice_runs_its_handler_once():
    [event] = loaded()
    broker = Outbox()
    dispatch_due(send=broker.send)

    tasks.deliver(broker.sent[0])
    tasks.deliver(broker.sent[0])

    assert calls == [event.pk]


@override_settings(MERCATO_HANDLERS={"CrateLoaded": [f"{HERE}.jammed"]})
def test_a_failed_attempt_is_sent_again_once_its_backoff_is_over_not_before():
    loaded()
    broker, now = Outbox(), timezone.now()
    dispatch_due(send=broker.send, now=now)
    tasks.deliver(broker.sent[0])
    delivery = EventDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.lease_until) == ("pending", 1, None)

    early, due = Outbox(), Outbox()
    dispatch_due(send=early.send, now=delivery.next_attempt_at - timedelta(seconds=1))
    dispatch_due(send=due.send, now=delivery.next_attempt_at)

    assert (early.sent, due.sent) == ([], [delivery.pk])


def test_beat_sends_the_dispatch_pass_and_every_scheduled_job_to_the_beat_queue():
    schedule = app.conf.beat_schedule

    assert schedule["outbox-dispatch"]["task"] == "mercato.outbox.dispatch"
    assert {name for name, entry in schedule.items()
            if entry["task"] == "mercato.schedule.run_job"} == {"expire-carts",
                                                                 "abandon-checkouts"}
    assert schedule["expire-carts"]["schedule"] == timedelta(hours=1)
    routes = app.conf.task_routes
    assert routes["mercato.outbox.dispatch"]["queue"] == beat_queue()
    assert routes["mercato.schedule.run_job"]["queue"] == beat_queue()


ran: list[str] = []


def count_crates(*, warehouse: str) -> int:
    ran.append(warehouse)
    return 1


@override_settings(MERCATO_SCHEDULE=[
    Job("count-crates", f"{HERE}.count_crates", every=timedelta(hours=1),
        kwargs={"warehouse": "north"})])
def test_the_scheduled_job_task_runs_the_job_named_in_the_table():
    ran.clear()

    tasks.run_scheduled_job("count-crates")

    assert ran == ["north"]
