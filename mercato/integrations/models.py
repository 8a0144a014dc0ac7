"""Webhook subscriptions and the messages sent to them; incoming connections and what they
sent. A message's attempts are the outbox's (core.DeliveryAttempt of its WebhookQueued event)."""

from datetime import datetime, timedelta

from django.db import models

from mercato.core.ids import new_public_id


def new_message_id() -> str:
    return f"msg_{new_public_id()}"


class SignedWithSecret(models.Model):
    """A party messages are signed for (or by) with a `whsec_` secret. After a rotation the
    previous secret is valid too until `previous_secret_expires_at`, so the other side can
    switch without losing a message."""


    secret = models.CharField(max_length=100, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    def rotate(self, *, new_secret: str, grace: timedelta, now: datetime) -> None:
        """The current secret becomes the previous one, valid for `grace` more (one rotated
        before is forgotten at once); the caller saves."""
        self.previous_secret = self.secret
        self.previous_secret_expires_at = now + grace
        self.secret = new_secret

    def secrets_in_use(self, now: datetime) -> list[str]:
        """The secret, and the previous one while its grace lasts."""
        expires = self.previous_secret_expires_at
        if self.previous_secret and expires and expires > now:
            return [self.secret, self.previous_secret]
        return [self.secret]


class WebhookSubscription(SignedWithSecret):
    """A receiver of outgoing webhooks: where, which event types, the secret they are signed
    with (after a rotation the previous one signs too, for the grace)."""

    public_id = models.CharField(max_length=24, unique=True, default=new_public_id,
                                 editable=False)
    url = models.URLField(max_length=2000)
    event_types = models.JSONField(default=list)  # ["order.created", "shipment.shipped", ...]
    description = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    # Why the shop switched it off (sustained failure); empty while active or when staff did.
    disabled_reason = models.TextField(blank=True, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description or self.url


class WebhookMessage(models.Model):
    """One event sent to one subscription: its body is fixed when it is queued, so every
    attempt and replay sends the same bytes under the same webhook-id."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (gave up)"
        SKIPPED = "skipped", "Skipped (subscription inactive)"

    public_id = models.CharField(max_length=40, unique=True, default=new_message_id,
                                 editable=False)  # the webhook-id header
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE,
                                     related_name="messages")
    event = models.ForeignKey("core.Event", on_delete=models.PROTECT, related_name="+")
    event_type = models.CharField(max_length=60)  # "order.created"
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)  # when delivered
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        # One event may be sent as two types (a refund is order.updated and refund.created).
        constraints = [models.UniqueConstraint(fields=["subscription", "event", "event_type"],
                                               name="one_message_per_event_type_and_subscription")]
        indexes = [models.Index(fields=["subscription", "status"])]

    def __str__(self) -> str:
        return f"{self.event_type} {self.public_id}"


class IncomingConnection(SignedWithSecret):
    """A system that reports to the shop (a logistics provider, an OMS), with the secret its
    messages are signed with."""

    class Kind(models.TextChoices):
        LOGISTICS = "logistics", "Logistics"
        OMS = "oms", "Order management system"

    public_id = models.CharField(max_length=24, unique=True, default=new_public_id,
                                 editable=False)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class IncomingMessage(models.Model):
    """A message a connection sent, kept by its webhook-id: a repeat is answered as the first
    was and changes nothing."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Applied"
        REFUSED = "refused", "Refused"

    connection = models.ForeignKey(IncomingConnection, on_delete=models.CASCADE,
                                   related_name="messages")
    webhook_id = models.CharField(max_length=200)
    event_type = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    status_code = models.PositiveSmallIntegerField()
    answer = models.JSONField(default=dict)  # the response body, sent again to a repeat
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["connection", "webhook_id"],
                                               name="one_incoming_message_per_webhook_id")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.webhook_id}"
