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
