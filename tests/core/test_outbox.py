import logging
import os
import signal
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from mercato.core.events import Actor, DomainEvent, record
from mercato.core.models import DeliveryAttempt, Event, EventDelivery
from mercato.core.operations.log_context import RequestIdFilter
from mercato.core.outbox import (
    OutsideCallFailed,
    RetryPolicy,
    backoff,
    deliver_due,
    idempotency_key,
    retried,
    retry_delivery,
    status_code_of,
)
from mercato.core.problems import Conflict
from tests.factories import UserFactory

handled: list[tuple[str, int]] = []
HERE = __name__


@dataclass(frozen=True)
class ParcelShipped(DomainEvent):
    aggregate_type = "parcel"


@dataclass(frozen=True)
class ParcelWeighed(DomainEvent):
    aggregate_type = "parcel"


def notify(event: ParcelShipped, event_id: int) -> None:
    handled.append(("notify", event_id))


def sync(event: ParcelShipped, event_id: int) -> None:
    handled.append(("sync", event_id))


def broken(event: ParcelShipped, event_id: int) -> None:
    raise RuntimeError("carrier is down")


def stop_worker(event: ParcelShipped, event_id: int) -> None:
    handled.append(("stop", event_id))
    os.kill(os.getpid(), signal.SIGTERM)


carrier_down: list[bool] = []


def flaky(event: ParcelShipped, event_id: int) -> None:
    if carrier_down:
        raise RuntimeError("carrier is down")
    handled.append(("flaky", event_id))


def weigh_then_flaky(event: ParcelShipped, event_id: int) -> None:
    with transaction.atomic():  # a write of the handler's own, kept only if it succeeds
        record(ParcelWeighed(aggregate_id=str(event_id)))
    flaky(event, event_id)


def chatty(event: ParcelShipped, event_id: int) -> None:
    logging.getLogger("mercato.tests.carrier").warning("label printed")


def refused(event: ParcelShipped, event_id: int) -> None:
    raise OutsideCallFailed(503, "carrier busy")


@dataclass
class Accepted:
    status_code: int = 202
    exchange: dict | None = None


given_up: list[tuple[str, int, str]] = []


def give_up(event: ParcelShipped, event_id: int, error: Exception) -> None:
    given_up.append((event.aggregate_id, event_id, str(error)))
    record(ParcelWeighed(aggregate_id="gave-up"))  # kept: the dead letter's transaction


@retried(RetryPolicy(waits=(timedelta(minutes=5), timedelta(hours=10)), on_dead=give_up))
def patient(event: ParcelShipped, event_id: int) -> None:
    raise OutsideCallFailed(500, "busy", exchange={"response": {"status": 500}})


def posted(event: ParcelShipped, event_id: int) -> Accepted:
    return Accepted(exchange={"request": {"url": "https://oms.example.com/"}})


TABLE = {"ParcelShipped": [f"{HERE}.notify", f"{HERE}.sync"]}
FLAKY_THEN_WRITE = {"ParcelShipped": [f"{HERE}.weigh_then_flaky"]}
FAILING = {"ParcelShipped": [f"{HERE}.broken"]}
FLAKY = {"ParcelShipped": [f"{HERE}.flaky"]}
CHATTY_THEN_BROKEN = {"ParcelShipped": [f"{HERE}.chatty", f"{HERE}.broken"]}


@pytest.fixture(autouse=True)
def clear_calls():
    handled.clear()
    carrier_down.clear()
    given_up.clear()


def shipped(parcel: str = "P-1", event_type: type[DomainEvent] = ParcelShipped) -> Event:
    with transaction.atomic():
        return record(event_type(aggregate_id=parcel), by=Actor("staff", "ann@example.com"))


@pytest.mark.django_db
@override_settings(MERCATO_HANDLERS=TABLE)
def test_each_handler_runs_once_per_event():
    first, second = shipped("P-1"), shipped("P-2")

    report = deliver_due()

    assert sorted(handled) == sorted(
        [("notify", first.pk), ("sync", first.pk), ("notify", second.pk), ("sync", second.pk)]
    )
    assert (report.created, report.done) == (4, 4)
    assert set(EventDelivery.objects.values_list("status", flat=True)) == {"done"}


@pytest.mark.django_db
@override_settings(MERCATO_HANDLERS=CHATTY_THEN_BROKEN)
def test_the_log_lines_of_a_delivery_carry_its_id(caplog):
    shipped()

    caplog.handler.addFilter(RequestIdFilter())  # as the console handler has it
    with caplog.at_level(logging.WARNING):
        deliver_due()

    deliveries = dict(EventDelivery.objects.values_list("handler", "pk"))
    by_logger = {record.name: record for record in caplog.records}
    chatty_id = deliveries[f"{HERE}.chatty"]
    broken_id = deliveries[f"{HERE}.broken"]
    assert by_logger["mercato.tests.carrier"].request_id == f"delivery-{chatty_id}"
    failure = by_logger["mercato.core.outbox.services"]
    assert (failure.request_id, failure.levelname) == (f"delivery-{broken_id}", "WARNING")


@pytest.mark.django_db
@override_settings(MERCATO_HANDLERS=TABLE)
def test_done_deliveries_are_not_run_again():
    shipped()
    deliver_due()
    handled.clear()

    report = deliver_due(now=timezone.now() + timedelta(hours=1))

    assert handled == []
    assert (report.created, report.attempted) == (0, 0)
    assert EventDelivery.objects.count() == 2


@pytest.mark.django_db
@override_settings(MERCATO_HANDLERS=TABLE)
def test_events_without_handlers_create_no_delivery():
    shipped(event_type=ParcelWeighed)

    report = deliver_due()

    assert (report.created, report.attempted) == (0, 0)
    assert not EventDelivery.objects.exists()


@pytest.mark.django_db
@override_settings(MERCATO_HANDLERS=FAILING, MERCATO_OUTBOX_MAX_ATTEMPTS=3)
def test_a_failing_handler_is_retried_with_backoff_then_dead_lettered():
    shipped()
    now = timezone.now()

    deliver_due(now=now)
    delivery = EventDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert now + timedelta(seconds=1) <= delivery.next_attempt_at <= now + timedelta(seconds=2)
    assert delivery.last_error == "RuntimeError: carrier is down"

    assert deliver_due(now=delivery.next_attempt_at - timedelta(seconds=0.1)).attempted == 0
    deliver_due(now=delivery.next_attempt_at)
    deliver_due(now=now + timedelta(hours=2))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("dead", 3)
    assert deliver_due(now=now + timedelta(days=1)).attempted == 0


def test_backoff_doubles_with_each_failure_jittered_between_half_and_all_and_capped():
    assert [backoff(attempts, jitter=1).total_seconds() for attempts in (1, 2, 3)] == [2, 4, 8]
    assert [backoff(attempts, jitter=0).total_seconds() for attempts in (1, 2, 3)] == [1, 2, 4]
    assert backoff(30, jitter=1) == timedelta(hours=1)
    assert timedelta(seconds=8) <= backoff(4) <= timedelta(seconds=16)


@pytest.mark.django_db
@override_settings(MERCATO_HANDLERS=FLAKY_THEN_WRITE, MERCATO_OUTBOX_MAX_ATTEMPTS=2)
def test_every_attempt_is_logged_and_a_failed_one_keeps_no_handler_writes():
    event = shipped()
    carrier_down.append(True)
    now = timezone.now()
    deliver_due(now=now)
    carrier_down.clear()
    deliver_due(now=now + timedelta(seconds=2))

    delivery = EventDelivery.objects.get()
    failed, done = delivery.attempt_log.all()
    assert (failed.outcome, failed.error, failed.status_code) == (
        "failed", "RuntimeError: carrier is down", None)
    assert (done.outcome, done.error) == ("done", "")
    assert failed.started_at <= done.started_at and failed.duration_ms >= 0
    assert done.worker.endswith(f" pid {os.getpid()}")
    assert list(Event.objects.filter(type="ParcelWeighed").values_list("aggregate_id", flat=True)
                ) == [str(event.pk)]  # the failed attempt's write rolled back
    assert (delivery.status, delivery.attempts) == ("done", 2)


@pytest.mark.django_db
@override_settings(MERCATO_HANDLERS={"ParcelShipped": [f"{HERE}.refused"]},
                   MERCATO_OUTBOX_MAX_ATTEMPTS=1)
def test_an_outside_call_refused_is_logged_with_its_status_code_and_dead_lettered():
    shipped()

    deliver_due()

    attempt = DeliveryAttempt.objects.get()
    assert (attempt.outcome, attempt.status_code) == ("dead", 503)
    assert attempt.error == "OutsideCallFailed: HTTP 503: carrier busy"
    assert EventDelivery.objects.get().status == "dead"


@pytest.mark.django_db
@override_settings(MERCATO_HANDLERS={"ParcelShipped": [f"{HERE}.posted"]})
def test_the_status_code_of_a_response_a_handler_returns_is_logged():
    shipped()

    deliver_due()

    attempt = DeliveryAttempt.objects.get()
    assert attempt.status_code == 202
    assert attempt.exchange == {"request": {"url": "https://oms.example.com/"}}


@pytest.mark.django_db
@override_settings(MERCATO_HANDLERS={"ParcelShipped": [f"{HERE}.patient"]},
                   MERCATO_OUTBOX_MAX_ATTEMPTS=1)
def test_a_handler_with_its_own_retry_policy_waits_as_it_says_then_gives_up_once():
    event = shipped("P-9")
    now = timezone.now()

    deliver_due(now=now)
    delivery = EventDelivery.objects.get()
    assert delivery.status == "pending"  # not dead after 1, as the setting says for others
    assert now + timedelta(minutes=2.5) <= delivery.next_attempt_at <= now + timedelta(minutes=5)
    deliver_due(now=now + timedelta(minutes=5))
    delivery.refresh_from_db()
    second_failure = now + timedelta(minutes=5)
    assert (second_failure + timedelta(hours=5) <= delivery.next_attempt_at
            <= second_failure + timedelta(hours=10))
    assert given_up == []
    deliver_due(now=now + timedelta(hours=11))

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("dead", 3)
    assert given_up == [("P-9", event.pk, "HTTP 500: busy")]
    assert Event.objects.filter(type="ParcelWeighed", aggregate_id="gave-up").count() == 1
    assert [attempt.exchange for attempt in delivery.attempt_log.all()] == [
        {"response": {"status": 500}}] * 3
    deliver_due(now=now + timedelta(days=3))
    assert len(given_up) == 1


def test_a_status_code_is_read_from_an_error_response_as_http_libraries_raise_them():
    class Response:
        status_code = 429

    class HTTPError(Exception):
        response = Response()

    assert status_code_of(HTTPError()) == 429
    assert status_code_of(RuntimeError("no status")) is None
    assert status_code_of(None) is None


@override_settings(MERCATO_IDEMPOTENCY_PREFIX="shop-eu")
def test_an_idempotency_key_is_the_same_for_one_event_and_purpose_and_differs_otherwise():
    key = idempotency_key(42, "oms.order")

    assert key == idempotency_key(42, "oms.order") == "shop-eu-event-42-oms.order"
    assert len({key, idempotency_key(43, "oms.order"), idempotency_key(42, "mail.confirmation")}
               ) == 3
    with pytest.raises(ValueError):
        idempotency_key(42, "")


@pytest.mark.django_db
@override_settings(MERCATO_HANDLERS=FLAKY, MERCATO_OUTBOX_MAX_ATTEMPTS=1)
def test_retry_makes_a_dead_delivery_due_and_the_next_pass_delivers_it():
    event = shipped()
    carrier_down.append(True)
    deliver_due()
    delivery = EventDelivery.objects.get(status="dead")
    carrier_down.clear()

    retry_delivery(delivery_id=delivery.pk, by=Actor("staff", "ann@example.com"))
    deliver_due()

    delivery.refresh_from_db()
    assert delivery.status == "done"
    assert handled == [("flaky", event.pk)]
    assert Event.objects.filter(type="DeliveryRetried", aggregate_id=str(delivery.pk)).exists()


@pytest.mark.django_db
@override_settings(MERCATO_HANDLERS=TABLE)
def test_retrying_a_done_delivery_is_refused_and_changes_nothing():
    shipped()
    deliver_due()
    delivery = EventDelivery.objects.first()
    events_before = Event.objects.count()

    with pytest.raises(Conflict):
        retry_delivery(delivery_id=delivery.pk, by=Actor("staff", "ann@example.com"))

    delivery.refresh_from_db()
    assert delivery.status == "done"
    assert Event.objects.count() == events_before


@pytest.mark.django_db
@override_settings(MERCATO_HANDLERS=TABLE)
def test_run_worker_once_delivers_what_is_due(capsys):
    event = shipped()

    call_command("run_worker", "--once")

    assert sorted(handled) == [("notify", event.pk), ("sync", event.pk)]
    assert "done 2" in capsys.readouterr().out


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
@override_settings(MERCATO_HANDLERS=FAILING)
def test_admin_lists_deliveries_and_retries_them(staff_client):
    shipped()
    deliver_due()
    delivery = EventDelivery.objects.get()
    url = reverse("admin:core_eventdelivery_changelist")

    assert "carrier is down" in staff_client.get(url).content.decode()
    page = staff_client.get(reverse("admin:core_eventdelivery_change", args=[delivery.pk]))
    assert page.status_code == 200
    assert "Delivery attempts" in page.content.decode()  # the attempt log, inline
    assert "Failed, retried later" in page.content.decode()
    response = staff_client.post(
        url, {"action": "retry_now", "_selected_action": [delivery.pk]}, follow=True
    )

    assert "1 delivery(ies) due now." in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.next_attempt_at <= timezone.now()


@pytest.mark.django_db
@override_settings(MERCATO_HANDLERS={"ParcelShipped": [f"{HERE}.stop_worker"]},
                   MERCATO_WORKER_POLL_SECONDS=60)
def test_run_worker_loops_until_sigterm_and_stops_cleanly(capsys):
    event = shipped()
    before = signal.getsignal(signal.SIGTERM)

    call_command("run_worker")

    assert handled == [("stop", event.pk)]
    assert capsys.readouterr().out.endswith("Outbox worker stopped.\n")
    assert signal.getsignal(signal.SIGTERM) is before


@pytest.mark.django_db
@override_settings(MERCATO_HANDLERS=TABLE)
def test_an_event_committed_late_behind_the_cursor_is_still_delivered():
    early = shipped("P-1")
    later = shipped("P-2")
    EventDelivery.objects.create(event=later, handler=f"{HERE}.notify",
                                 next_attempt_at=timezone.now(), status="done")

    deliver_due()

    assert sorted(handled) == [("notify", early.pk), ("sync", early.pk)]
