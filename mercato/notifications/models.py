"""What was sent: one row per (event, kind) of email, the handlers' idempotency record."""

from django.db import models


class EmailKind(models.TextChoices):
    ORDER_CONFIRMATION = "order_confirmation", "Order confirmation"
    SHIPMENT_SHIPPED = "shipment_shipped", "Shipment shipped"
    RETURN_UPDATE = "return_update", "Return update"
    ORDER_CANCELLED = "order_cancelled", "Order cancelled"


class SentEmail(models.Model):
    """An email handed to the mail server for an event; its presence means "do not send again".

    Written in the same transaction as the send (see services.send_order_confirmation for the
    one window in which an email can still go out twice)."""

    event = models.ForeignKey("core.Event", on_delete=models.PROTECT, related_name="sent_emails")
    kind = models.CharField(max_length=40, choices=EmailKind.choices)
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=255)
    sent_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "kind"], name="one_email_per_event_and_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to}"
