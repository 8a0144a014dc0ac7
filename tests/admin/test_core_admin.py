import pytest
from django.db import transaction
from django.urls import reverse

from mercato.core.events import Actor, DomainEvent, record
from mercato.core.models import Event


class SomethingHappened(DomainEvent):
    aggregate_type = "thing"


def recorded_event() -> Event:
    with transaction.atomic():
        event = record(SomethingHappened(aggregate_id="T-1"), by=Actor("staff", "x@example.com"))
    Event.objects.filter(pk=event.pk).update(payload={"reason": "counted", "lines": [1, 2]})
    return event


@pytest.mark.django_db
def test_event_page_shows_the_payload_as_pretty_json(staff_client):
    event = recorded_event()

    response = staff_client.get(reverse("admin:core_event_change", args=[event.pk]))

    content = response.content.decode()
    assert "SomethingHappened" in content
    assert "staff:x@example.com" in content
    assert "<pre>{\n  &quot;lines&quot;: [\n    1,\n    2\n  ],\n" in content


@pytest.mark.django_db
def test_event_list_shows_type_aggregate_and_actor(staff_client):
    recorded_event()

    content = staff_client.get(reverse("admin:core_event_changelist")).content.decode()

    assert "thing:T-1" in content
    assert "staff:x@example.com" in content


@pytest.mark.django_db
def test_events_cannot_be_added_changed_or_deleted(staff_client):
    event = recorded_event()
    change = reverse("admin:core_event_change", args=[event.pk])

    assert staff_client.get(reverse("admin:core_event_add")).status_code == 403
    assert staff_client.post(change, {"type": "Forged"}).status_code == 403
    delete = reverse("admin:core_event_delete", args=[event.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.type == "SomethingHappened"
