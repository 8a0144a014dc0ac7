from django.db import models


class Event(models.Model):
    """Append-only: the history shown in the back office and the outbox the worker delivers."""

    type = models.CharField(max_length=80, db_index=True)
    aggregate_type = models.CharField(max_length=40)
    aggregate_id = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    actor = models.CharField(max_length=200, default="system")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["aggregate_type", "aggregate_id", "id"])]

    def __str__(self) -> str:
        return f"{self.type} {self.aggregate_type}:{self.aggregate_id}"


class EventDelivery(models.Model):
    """One (event, handler) pair of the outbox: delivered once, retried with backoff, or dead."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        DEAD = "dead", "Dead letter"

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="deliveries")
    handler = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField()
    # Sent to a Celery worker; not sent again before this time (a lost message is re-sent after).
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "handler"], name="unique_event_handler"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.handler} <- {self.event}"


class DeliveryAttempt(models.Model):
    """One run of a delivery's handler: when, how long, how it ended. Written in the delivery's
    transaction after the handler's own savepoint, so a failed attempt is kept while the
    handler's writes roll back; an attempt whose worker died mid-way leaves no row."""

    class Outcome(models.TextChoices):
        DONE = "done", "Done"
        FAILED = "failed", "Failed, retried later"
        DEAD = "dead", "Failed, dead letter"

    delivery = models.ForeignKey(EventDelivery, on_delete=models.CASCADE,
                                 related_name="attempt_log")
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    error = models.TextField(blank=True)
    # The HTTP status an outside call answered (see mercato/core/outbox/calls.py), if any.
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # What an HTTP handler sent and got back (request and response headers, a body excerpt),
    # from the `exchange` its result or exception carries; {} for other handlers.
    exchange = models.JSONField(default=dict, blank=True)
    worker = models.CharField(max_length=100, blank=True)  # "celery celery@host pid 12", ...

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.outcome} at {self.started_at:%Y-%m-%d %H:%M:%S}"
