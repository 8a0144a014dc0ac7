from dataclasses import dataclass
from typing import ClassVar

import pytest
from django.db import transaction

from mercato.core.events import Actor, DomainEvent, record
from mercato.core.models import Event
from mercato.core.selectors import About, history


@dataclass(frozen=True)
class ThingHappened(DomainEvent):
    aggregate_type: ClassVar[str] = "thing"
    amount: str = "1.00"


@pytest.mark.django_db
def test_record_appends_an_event_with_its_payload_and_actor():
    with transaction.atomic():
        record(
            ThingHappened(aggregate_id="t1", amount="2.50"), by=Actor("staff", "ann@example.com")
        )
    [event] = history(About("thing", "t1"))
    assert event.type == "ThingHappened"
    assert event.payload == {"aggregate_id": "t1", "amount": "2.50", "schema_version": 1}
    assert event.actor == "staff:ann@example.com"


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        record(ThingHappened(aggregate_id="t2"))
    assert not Event.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_event_rolls_back_with_the_change_it_describes():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        record(ThingHappened(aggregate_id="t3"))
        1 / 0  # noqa: B018 - the change fails after the event was recorded
    assert not Event.objects.exists()
