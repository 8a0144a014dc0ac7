"""Handlers marked @outside_transaction (a webhook's POST) run with no transaction open, so no
write lock is held while the other system takes its time; the delivery is claimed first, so a
worker that dies mid-call leaves it to be tried again once the claim runs out."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from mercato.core.events import DomainEvent, record
from mercato.core.models import EventDelivery
from mercato.core.outbox import OutsideCallFailed, deliver_due, outside_transaction

HERE = __name__
seen: list[tuple[str, bool]] = []  # (handler, whether a transaction was open)
crash_next: list[bool] = []


@dataclass(frozen=True)
class ParcelHandedOver(DomainEvent):
    aggregate_type = "parcel"


def inside(event: ParcelHandedOver, event_id: int) -> None:
    seen.append(("inside", connection.in_atomic_block))


@outside_transaction
def outside(event: ParcelHandedOver, event_id: int) -> None:
    seen.append(("outside", connection.in_atomic_block))
    if crash_next:
        crash_next.pop()
        raise KeyboardInterrupt  # the worker is killed mid-call: nothing after it runs


@outside_transaction
def refused(event: ParcelHandedOver, event_id: int) -> None:
    raise OutsideCallFailed(503, "busy")


BOTH = {"ParcelHandedOver": [f"{HERE}.inside", f"{HERE}.outside"]}
REFUSED = {"ParcelHandedOver": [f"{HERE}.refused"]}


@pytest.fixture(autouse=True)
def clear():
    seen.clear()
    crash_next.clear()


def handed_over() -> None:
    with transaction.atomic():
        record(ParcelHandedOver(aggregate_id="P-1"))


@pytest.mark.django_db(transaction=True)
@override_settings(MERCATO_HANDLERS=BOTH)
def test_an_outside_handler_runs_with_no_transaction_open_and_others_inside_theirs():
    handed_over()
    report = deliver_due()
    assert report.done == 2
    assert sorted(seen) == [("inside", True), ("outside", False)]
    assert set(EventDelivery.objects.values_list("status", flat=True)) == {"done"}


@pytest.mark.django_db(transaction=True)
@override_settings(MERCATO_HANDLERS={"ParcelHandedOver": [f"{HERE}.outside"]},
                   MERCATO_OUTBOX_LEASE=timedelta(minutes=2))
def test_a_worker_killed_mid_call_leaves_the_delivery_claimed_then_it_runs_again():
    handed_over()
    crash_next.append(True)
    now = timezone.now()
    with pytest.raises(KeyboardInterrupt):
        deliver_due(now=now)
    delivery = EventDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    claimed_until = delivery.next_attempt_at
    assert now + timedelta(minutes=2) <= claimed_until <= timezone.now() + timedelta(minutes=2)

    assert deliver_due(now=now + timedelta(minutes=1)).attempted == 0  # still claimed
    assert deliver_due(now=claimed_until).done == 1
    assert len(seen) == 2
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("done", 1)


@pytest.mark.django_db(transaction=True)
@override_settings(MERCATO_HANDLERS=REFUSED)
def test_an_outside_handler_refused_is_logged_and_retried_with_backoff():
    handed_over()
    now = timezone.now()
    deliver_due(now=now)
    delivery = EventDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.next_attempt_at < now + timedelta(minutes=2)  # the backoff, not the claim
    [attempt] = delivery.attempt_log.all()
    assert (attempt.outcome, attempt.status_code) == ("failed", 503)
