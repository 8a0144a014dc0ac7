"""Scheduled jobs: one table, run by the embedded worker (each job when it starts, then every
interval) and by Celery beat (tests/core/test_outbox_dispatch.py checks beat's schedule)."""

import os
import signal
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from mercato.core.scheduling import Job, JobClock, UnknownJob, run_job, scheduled_jobs
from mercato.schedule import SCHEDULE

HERE = __name__
ran: list[str] = []


def sweep(*, aisle: str) -> int:
    ran.append(aisle)
    return 3


def jammed() -> None:
    ran.append("jammed")
    raise RuntimeError("sweeper jammed")


def sweep_then_stop() -> None:
    ran.append("stop")
    os.kill(os.getpid(), signal.SIGTERM)


SWEEP = Job("sweep", f"{HERE}.sweep", every=timedelta(minutes=10), kwargs={"aisle": "A"})
JAMMED = Job("jammed", f"{HERE}.jammed", every=timedelta(minutes=10))


@pytest.fixture(autouse=True)
def clear_ran():
    ran.clear()


@override_settings(MERCATO_SCHEDULE=[SWEEP])
def test_a_job_runs_when_the_clock_starts_then_once_per_interval():
    clock, start = JobClock(scheduled_jobs()), timezone.now()

    for minutes in (0, 1, 9, 10, 15, 20):
        clock.run_due(start + timedelta(minutes=minutes))

    assert ran == ["A", "A", "A"]


@override_settings(MERCATO_SCHEDULE=[JAMMED, SWEEP])
def test_a_failing_job_is_logged_and_waits_for_its_next_time_without_stopping_the_others(caplog):
    clock, start = JobClock(scheduled_jobs()), timezone.now()

    assert clock.run_due(start) == ["sweep"]
    assert clock.run_due(start + timedelta(minutes=1)) == []

    assert ran == ["jammed", "A"]
    assert "scheduled job jammed failed" in caplog.text


@override_settings(MERCATO_SCHEDULE=[SWEEP])
def test_running_a_job_by_name_calls_its_function_with_its_arguments():
    assert run_job("sweep") == 3
    assert ran == ["A"]
    with pytest.raises(UnknownJob):
        run_job("mop")


@pytest.mark.django_db
def test_the_shop_schedule_runs_its_real_services():
    assert {job.name for job in SCHEDULE} == {"expire-carts", "abandon-checkouts"}

    assert run_job("expire-carts") == 0
    assert run_job("abandon-checkouts") == 0


@pytest.mark.django_db
@override_settings(MERCATO_HANDLERS={}, MERCATO_WORKER_POLL_SECONDS=60, MERCATO_SCHEDULE=[
    Job("stop", f"{HERE}.sweep_then_stop", every=timedelta(hours=1))])
def test_the_embedded_worker_runs_the_scheduled_jobs(capsys):
    call_command("run_worker")

    assert ran == ["stop"]
    assert "ran scheduled job stop" in capsys.readouterr().out
