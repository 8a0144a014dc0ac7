"""The Celery app, for the scale-out transport: `celery -A mercato worker` and `celery -A mercato
beat` with CELERY_BROKER_URL set (README, "Scaling out with Celery").

Configured from Django settings (the CELERY_* names). Two queues: deliveries on
CELERY_TASK_DEFAULT_QUEUE, and what beat sends (the dispatch pass, scheduled jobs) on
"<queue>.beat", so a dispatch pass never waits behind a long queue of deliveries; a worker
consumes both. The tasks are in mercato/core/tasks.py; the schedule is mercato/schedule.py's
table plus the dispatch pass.
"""

import os
from datetime import timedelta

from celery import Celery, signals
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mercato.settings")

app = Celery("mercato", include=["mercato.core.tasks"])
app.config_from_object("django.conf:settings", namespace="CELERY")


def beat_queue() -> str:
    return f"{settings.CELERY_TASK_DEFAULT_QUEUE}.beat"


def beat_schedule() -> dict[str, dict]:
    """The dispatch pass every MERCATO_WORKER_POLL_SECONDS and each job of the schedule table;
    a message older than its period is dropped (the next one comes anyway)."""
    from mercato.core.scheduling import scheduled_jobs  # reads settings only, no models

    poll = timedelta(seconds=settings.MERCATO_WORKER_POLL_SECONDS)
    entries = {"outbox-dispatch": {
        "task": "mercato.outbox.dispatch", "schedule": poll,
        "options": {"expires": max(10 * poll.total_seconds(), 10)}}}
    for job in scheduled_jobs():
        entries[job.name] = {"task": "mercato.schedule.run_job", "schedule": job.every,
                             "args": (job.name,),
                             "options": {"expires": job.every.total_seconds()}}
    return entries


def queue(name: str) -> Queue:
    """A queue with its own direct exchange: a queue named without one is bound to the default
    queue's exchange and key, and would receive the deliveries too."""
    return Queue(name, Exchange(name, type="direct"), routing_key=name)


app.conf.task_queues = (queue(settings.CELERY_TASK_DEFAULT_QUEUE), queue(beat_queue()))
app.conf.task_routes = {"mercato.outbox.dispatch": {"queue": beat_queue()},
                        "mercato.schedule.run_job": {"queue": beat_queue()}}
app.conf.beat_schedule = beat_schedule()
# Celery's Django fixup closes the database connections around every task unless told to
# reuse them, which costs a new PostgreSQL connection per delivery (three times slower). Reuse
# them as web requests do instead: dropped when broken or older than CONN_MAX_AGE (below).
app.conf.CELERY_DB_REUSE_MAX = 1_000_000


@signals.task_prerun.connect
@signals.task_postrun.connect
def drop_old_connections(**kwargs: object) -> None:
    from django.db import close_old_connections

    close_old_connections()


@signals.worker_init.connect
@signals.beat_init.connect
def require_broker(**kwargs: object) -> None:
    """Without CELERY_BROKER_URL Celery would quietly try amqp://localhost: refuse instead."""
    if not settings.CELERY_BROKER_URL:
        raise ImproperlyConfigured(
            "CELERY_BROKER_URL is not set: set it (redis://... or amqp://...) to run Celery, "
            "or run the embedded worker (manage.py run_worker) instead.")
