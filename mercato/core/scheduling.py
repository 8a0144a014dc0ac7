"""Scheduled jobs: the table (mercato/schedule.py) and running its jobs on either transport.

A job is a service function called with fixed keyword arguments every so often. The embedded
worker keeps a JobClock (each job runs when the worker starts, then every `every`; several
embedded workers each run it, which the jobs allow: each is one idempotent pass). With
CELERY_BROKER_URL, Celery beat sends `mercato.schedule.run_job` with the job's name instead
(mercato/celery.py builds its schedule from the same table).
"""

import importlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    function: str  # dotted path of a service function taking keyword arguments only
    every: timedelta
    kwargs: Mapping[str, Any] = field(default_factory=dict)


class UnknownJob(LookupError):
    """A job name the schedule table does not list (a beat schedule older than the code)."""


def scheduled_jobs() -> list[Job]:
    """settings.MERCATO_SCHEDULE (tests) or the SCHEDULE of mercato/schedule.py."""
    jobs = getattr(settings, "MERCATO_SCHEDULE", None)
    if jobs is None:
        jobs = importlib.import_module("mercato.schedule").SCHEDULE
    return list(jobs)


def run_job(name: str) -> Any:
    """Run the job called `name` once; what its function returns (a count, usually)."""
    job = next((job for job in scheduled_jobs() if job.name == name), None)
    if job is None:
        raise UnknownJob(f"No scheduled job is named {name!r}.")
    result = import_string(job.function)(**job.kwargs)
    logger.info("scheduled job %s: %s", name, result)
    return result


class JobClock:
    """When each job of the table last ran in this process (the embedded worker's schedule)."""

    def __init__(self, jobs: list[Job]) -> None:
        self.jobs = jobs
        self.last_run: dict[str, datetime] = {}

    def due(self, now: datetime) -> list[Job]:
        return [job for job in self.jobs
                if job.name not in self.last_run or now - self.last_run[job.name] >= job.every]

    def run_due(self, now: datetime) -> list[str]:
        """Run every due job; a failing one is logged and tried again at its next time."""
        ran = []
        for job in self.due(now):
            self.last_run[job.name] = now
            try:
                run_job(job.name)
            except Exception:
                logger.exception("scheduled job %s failed", job.name)
            else:
                ran.append(job.name)
        return ran
