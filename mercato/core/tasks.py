"""The Celery tasks of the scale-out transport: thin wrappers over the outbox and the schedule.

`deliver` carries only a delivery id and runs the same deliver_one as the embedded worker:
the row decides (locked, done or not due: nothing happens), so a message sent twice, or
redelivered after its worker was killed (acks_late, reject_on_worker_lost), is harmless.
`dispatch` is beat's pass that sends `deliver` messages from the table.
"""

import os

from celery import Task

from mercato.celery import app
from mercato.core.outbox.dispatch import dispatch_due
from mercato.core.outbox.services import deliver_one, worker_label
from mercato.core.scheduling import run_job


@app.task(name="mercato.outbox.deliver", acks_late=True, reject_on_worker_lost=True, bind=True)
def deliver(task: Task, delivery_id: int) -> None:
    node = task.request.hostname or ""  # the worker's node name, celery@host by default
    deliver_one(delivery_id=delivery_id,
                worker=f"celery {node} pid {os.getpid()}" if node else worker_label("celery"))


@app.task(name="mercato.outbox.dispatch")
def dispatch() -> None:
    dispatch_due(send=send_deliveries)


@app.task(name="mercato.schedule.run_job")
def run_scheduled_job(name: str) -> None:
    run_job(name)


def send_deliveries(delivery_ids: list[int]) -> None:
    """One `deliver` message per id, over one broker connection."""
    with app.producer_or_acquire() as producer:
        for delivery_id in delivery_ids:
            deliver.apply_async((delivery_id,), producer=producer)
