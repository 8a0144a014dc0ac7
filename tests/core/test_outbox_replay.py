"""Retry and replay, from the services, `manage.py outbox` and the back office: a replay runs
done deliveries again on purpose, reaches handlers added later, and is recorded."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from mercato.core.events import Actor, DomainEvent, record
from mercato.core.models import Event, EventDelivery
from mercato.core.outbox import deliver_due
from mercato.core.outbox.services import replay_event, replay_events
from mercato.core.problems import Conflict, InvalidInput, NotFound
from tests.factories import UserFactory

HERE = __name__
STAFF = Actor("staff", "ann@example.com")
seen: list[tuple[str, int]] = []


@dataclass(frozen=True)
class BinEmptied(DomainEvent):
    aggregate_type = "bin"


@dataclass(frozen=True)
class BinLabelled(DomainEvent):
    aggregate_type = "bin"


def tally(event: BinEmptied, event_id: int) -> None:
    seen.append(("tally", event_id))


def audit(event: BinEmptied, event_id: int) -> None:
    seen.append(("audit", event_id))


def failing(event: BinEmptied, event_id: int) -> None:
    raise RuntimeError("scale offline")


TALLY = {"BinEmptied": [f"{HERE}.tally"]}
TALLY_AND_AUDIT = {"BinEmptied": [f"{HERE}.tally", f"{HERE}.audit"]}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clear_seen():
    seen.clear()


def emptied(bin_code: str = "B-1") -> Event:
    with transaction.atomic():
        return record(BinEmptied(aggregate_id=bin_code))


def delivered(*events: Event) -> None:
    deliver_due()
    assert EventDelivery.objects.filter(event__in=events).exclude(status="done").count() == 0
    seen.clear()


@override_settings(MERCATO_HANDLERS=TALLY)
def test_replaying_an_event_runs_its_done_delivery_again_and_records_the_replay():
    event = emptied()
    delivered(event)

    assert replay_event(event_id=event.pk, by=STAFF) == 1
    deliver_due()

    assert seen == [("tally", event.pk)]
    delivery = EventDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("done", 1)
    assert [attempt.outcome for attempt in delivery.attempt_log.all()] == ["done", "done"]
    replayed = Event.objects.get(type="EventReplayed")
    assert (replayed.aggregate_id, replayed.actor) == (str(event.pk), "staff:ann@example.com")
    assert replayed.payload["handlers"] == f"{HERE}.tally"


def test_replay_reaches_a_handler_added_after_the_event_was_delivered():
    with override_settings(MERCATO_HANDLERS=TALLY):
        event = emptied()
        delivered(event)

    with override_settings(MERCATO_HANDLERS=TALLY_AND_AUDIT):
        assert replay_event(event_id=event.pk, by=STAFF) == 2
        deliver_due()

    assert sorted(seen) == [("audit", event.pk), ("tally", event.pk)]


@override_settings(MERCATO_HANDLERS=TALLY)
def test_replaying_a_type_in_a_range_replays_only_the_events_recorded_in_it():
    early, inside, late = emptied("B-1"), emptied("B-2"), emptied("B-3")
    delivered(early, inside, late)
    base = timezone.now() - timedelta(days=3)
    for offset, event in enumerate((early, inside, late)):
        Event.objects.filter(pk=event.pk).update(created_at=base + timedelta(days=offset))

    count = replay_events(event_type="BinEmptied", since=base + timedelta(hours=12),
                          until=base + timedelta(days=1, hours=12), by=STAFF)
    deliver_due()

    assert count == 1
    assert seen == [("tally", inside.pk)]
    replayed = Event.objects.get(type="EventsReplayed")
    assert (replayed.aggregate_id, replayed.payload["events"]) == ("BinEmptied", 1)


@override_settings(MERCATO_HANDLERS=TALLY)
def test_a_replay_that_cannot_be_done_is_refused_and_changes_nothing():
    event = emptied()
    delivered(event)
    with transaction.atomic():
        labelled = record(BinLabelled(aggregate_id="B-1"))
    events_before = Event.objects.count()
    now = timezone.now()

    with pytest.raises(NotFound):
        replay_event(event_id=event.pk + 1000, by=STAFF)
    with pytest.raises(Conflict):  # no handler reacts to it
        replay_event(event_id=labelled.pk, by=STAFF)
    with pytest.raises(InvalidInput):
        replay_events(event_type="BinEmptied", since=now, until=now, by=STAFF)
    assert replay_events(event_type="BinEmptied", since=now, until=now + timedelta(hours=1),
                         by=STAFF) == 0

    assert Event.objects.count() == events_before
    assert EventDelivery.objects.get().status == "done"


@override_settings(MERCATO_HANDLERS={"BinEmptied": [f"{HERE}.failing"]},
                   MERCATO_OUTBOX_MAX_ATTEMPTS=1)
def test_manage_py_outbox_shows_status_and_attempts_and_retries_a_dead_delivery(capsys):
    emptied()
    deliver_due()
    delivery = EventDelivery.objects.get(status="dead")

    call_command("outbox", "status")
    call_command("outbox", "attempts", str(delivery.pk))
    call_command("outbox", "retry", str(delivery.pk))

    out = capsys.readouterr().out
    assert "Dead letter  1" in out
    assert f"dead #{delivery.pk} BinEmptied" in out and "scale offline" in out
    assert "dead" in out.splitlines()[-2] and "RuntimeError: scale offline" in out
    assert f"Delivery {delivery.pk} is due now." in out
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert Event.objects.get(type="DeliveryRetried").actor.endswith("(manage.py)")


@override_settings(MERCATO_HANDLERS=TALLY)
def test_manage_py_outbox_replays_one_event_or_a_type_in_a_range(capsys):
    event = emptied()
    delivered(event)
    since = (timezone.now() - timedelta(hours=1)).isoformat()
    until = (timezone.now() + timedelta(hours=1)).isoformat()

    call_command("outbox", "replay", "--event", str(event.pk))
    call_command("outbox", "replay", "--type", "BinEmptied", "--since", since, "--until", until)

    out = capsys.readouterr().out
    assert f"Event {event.pk} replayed: 1 delivery(ies) due now." in out
    assert "1 BinEmptied event(s) replayed." in out
    assert Event.objects.filter(type__in=["EventReplayed", "EventsReplayed"]).count() == 2


@override_settings(MERCATO_HANDLERS=TALLY)
def test_manage_py_outbox_refuses_a_replay_it_cannot_do():
    event = emptied()

    with pytest.raises(CommandError, match="Give either --event ID, or --type"):
        call_command("outbox", "replay", "--type", "BinEmptied")
    with pytest.raises(CommandError, match="not an ISO 8601 time"):
        call_command("outbox", "replay", "--type", "BinEmptied", "--since", "yesterday",
                     "--until", "today")
    with pytest.raises(CommandError, match="does not exist"):
        call_command("outbox", "replay", "--event", str(event.pk + 1000))


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@override_settings(MERCATO_HANDLERS=TALLY)
def test_back_office_replays_the_selected_events(staff_client):
    first, second = emptied("B-1"), emptied("B-2")
    delivered(first, second)

    response = staff_client.post(reverse("admin:core_event_changelist"), {
        "action": "replay", "_selected_action": [first.pk, second.pk]}, follow=True)
    deliver_due()

    assert "2 event(s) replayed." in response.content.decode()
    assert sorted(seen) == [("tally", first.pk), ("tally", second.pk)]


@override_settings(MERCATO_HANDLERS=TALLY)
def test_back_office_replays_one_event_from_its_page_which_lists_its_deliveries(staff_client):
    event = emptied()
    delivered(event)
    page_url = reverse("admin:core_event_change", args=[event.pk])
    page = staff_client.get(page_url).content.decode()
    assert reverse("admin:core_event_replay", args=[event.pk]) in page
    assert f"{HERE}.tally" in page  # its delivery, inline

    response = staff_client.post(reverse("admin:core_event_replay", args=[event.pk]),
                                 follow=True)
    deliver_due()

    assert "Event replayed: 1 delivery(ies) due now." in response.content.decode()
    assert seen == [("tally", event.pk)]


@override_settings(MERCATO_HANDLERS=TALLY)
def test_back_office_replays_a_type_in_a_time_range_from_its_form(staff_client):
    event = emptied()
    delivered(event)
    form_url = reverse("admin:core_event_replay_range")
    assert form_url in staff_client.get(reverse("admin:core_event_changelist")).content.decode()
    assert staff_client.get(form_url).status_code == 200
    now = timezone.localtime()

    response = staff_client.post(form_url, {
        "event_type": "BinEmptied",
        "since": (now - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S"),
        "until": (now + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")}, follow=True)
    deliver_due()

    assert "1 BinEmptied event(s) replayed." in response.content.decode()
    assert seen == [("tally", event.pk)]


@override_settings(MERCATO_HANDLERS={"BinEmptied": [f"{HERE}.failing"]})
def test_back_office_retries_a_failed_delivery_from_its_page(staff_client):
    emptied()
    deliver_due()
    delivery = EventDelivery.objects.get()
    assert delivery.next_attempt_at > timezone.now()

    response = staff_client.post(reverse("admin:core_eventdelivery_retry", args=[delivery.pk]),
                                 follow=True)

    assert "Delivery due now." in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.next_attempt_at <= timezone.now()


@override_settings(MERCATO_HANDLERS=TALLY)
def test_staff_who_may_only_view_the_log_get_no_retry_or_replay(client):
    event = emptied()
    delivered(event)
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="core", codename__in=["view_event", "view_eventdelivery"]))
    client.force_login(viewer)

    page = client.get(reverse("admin:core_event_change", args=[event.pk])).content.decode()
    assert page.count("Replay") == 0
    assert client.post(reverse("admin:core_event_replay", args=[event.pk])).status_code == 403
    assert client.get(reverse("admin:core_event_replay_range")).status_code == 403
    assert not Event.objects.filter(type="EventReplayed").exists()
