"""Checkout completion attempts: what makes `complete` idempotent.

One row per Idempotency-Key. It remembers the request's fingerprint (the same key with another
request is refused), the payments it authorized (a retry after a crash reuses them instead of
charging again) and the outcome: the order, or the problem a retry gets again.
"""

from django.conf import settings
from django.db import models

from mercato.checkout.states import AttemptStatus
from mercato.core.ids import new_public_id


class CheckoutAttempt(models.Model):
    public_id = models.CharField(max_length=24, unique=True, default=new_public_id,
                                 editable=False)
    idempotency_key = models.CharField(max_length=255, unique=True)
    request_fingerprint = models.CharField(max_length=64)
    cart = models.ForeignKey("cart.Cart", null=True, on_delete=models.SET_NULL,
                             related_name="checkout_attempts")
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=12, choices=AttemptStatus.choices,
                              default=AttemptStatus.PROCESSING, editable=False)
    # While a request works on the attempt; a retry after it ends (a crash) takes over.
    lease_until = models.DateTimeField()
    payment_ids = models.JSONField(default=list, blank=True,
                                   help_text="Public ids of the payments, in request order.")
    order = models.OneToOneField("orders.Order", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="checkout_attempt")
    problem = models.JSONField(null=True, blank=True, help_text="The final error, replayed.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Checkout {self.public_id} ({self.status})"
