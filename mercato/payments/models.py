"""Payments and their transaction ledger; gift cards and their balance movements.

A payment refers to what it pays by a plain `reference` (the order number), since orders come
after payments in the flow. Its status is derived from its successful transactions.
"""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from mercato.core.ids import new_public_id
from mercato.payments.states import PaymentStatus

MONEY_DIGITS = {"max_digits": 14, "decimal_places": 4}


class PaymentMethod(models.TextChoices):
    CARD = "card", "Card"
    PAYPAL = "paypal", "PayPal"
    CASH_ON_DELIVERY = "cash_on_delivery", "Cash on delivery"
    GIFT_CARD = "gift_card", "Gift card"


class TransactionKind(models.TextChoices):
    AUTHORIZE = "authorize"
    CAPTURE = "capture"
    VOID = "void"
    REFUND = "refund"


class Payment(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id,
                                 editable=False)
    reference = models.CharField(max_length=64, db_index=True)
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    provider = models.CharField(max_length=40, blank=True, default="",
                                help_text="Gateway name; empty for cash on delivery.")
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(**MONEY_DIGITS)
    status = models.CharField(max_length=20, choices=PaymentStatus.choices,
                              default=PaymentStatus.PENDING, editable=False)
    # Set when the card holder's bank opens a dispute (chargeback); the back office filters by it.
    is_disputed = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Payment {self.public_id} ({self.reference})"


class Transaction(models.Model):
    """One call to the gateway (or cash collected), succeeded or not; never changed afterwards."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="transactions")
    kind = models.CharField(max_length=10, choices=TransactionKind.choices)
    amount = models.DecimalField(**MONEY_DIGITS)
    currency = models.CharField(max_length=3)
    succeeded = models.BooleanField()
    provider_reference = models.CharField(max_length=100, blank=True, default="")
    error_code = models.CharField(max_length=60, blank=True, default="")
    error_message = models.CharField(max_length=255, blank=True, default="")
    requires_action_url = models.CharField(max_length=255, blank=True, default="")
    idempotency_key = models.CharField(max_length=255, unique=True)
    # sha256 of kind + amount + payment: the same key with another request is refused.
    request_fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        outcome = "ok" if self.succeeded else self.error_code or "failed"
        return f"{self.kind} {self.amount} {self.currency} ({outcome})"


class StripeEventOutcome(models.TextChoices):
    APPLIED = "applied", "Applied to the ledger"
    ALREADY_KNOWN = "already_known", "Already in the ledger"
    UNMATCHED = "unmatched", "No payment of ours"
    REFUSED = "refused", "Refused by the ledger"
    IGNORED = "ignored", "Type not handled"


class StripeEvent(models.Model):
    """A Stripe webhook event received once; a redelivery of its id changes nothing."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=20, choices=StripeEventOutcome.choices)
    detail = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id} ({self.outcome})"


class GiftCard(models.Model):
    code = models.CharField(max_length=40)
    currency = models.CharField(max_length=3)
    initial_balance = models.DecimalField(**MONEY_DIGITS)
    balance = models.DecimalField(**MONEY_DIGITS, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id,
                                 editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(Lower("code"), name="gift_card_code_unique_ci"),
            models.CheckConstraint(condition=Q(balance__gte=0), name="gift_card_balance_gte_0"),
        ]

    def __str__(self) -> str:
        return f"Gift card …{self.code[-4:]}"


class GiftCardMovement(models.Model):
    gift_card = models.ForeignKey(GiftCard, on_delete=models.PROTECT, related_name="movements")
    amount = models.DecimalField(**MONEY_DIGITS, help_text="Negative when redeemed.")
    reference = models.CharField(max_length=64)
    idempotency_key = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.amount} for {self.reference}"


# The built-in test gateway's provider side (gateways/test_gateway.py): the simulated provider's
# own storage, never read by the shop, which keeps its records in Payment and Transaction.

class TestGatewayCard(models.Model):
    """A tokenised test card: what a provider shows back, never the number."""

    __test__ = False  # not a pytest test class
    token = models.CharField(max_length=40, unique=True)
    brand = models.CharField(max_length=20)
    last4 = models.CharField(max_length=4)
    behaviour = models.CharField(max_length=30, help_text="What authorizing it does.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.brand} …{self.last4}"


class TestGatewayApproval(models.Model):
    """A PayPal-style approval the shopper gives at the provider before the shop authorizes."""

    __test__ = False
    token = models.CharField(max_length=40, unique=True)
    amount = models.DecimalField(**MONEY_DIGITS)
    currency = models.CharField(max_length=3)
    is_approved = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Approval {self.token}"


class TestGatewayCharge(models.Model):
    __test__ = False
    reference = models.CharField(max_length=40, unique=True)
    amount = models.DecimalField(**MONEY_DIGITS)
    currency = models.CharField(max_length=3)
    payment_token = models.CharField(max_length=40)
    stage = models.CharField(max_length=20, help_text=(
        "requires_action, action_completed, authorized, captured or voided."))
    captured = models.DecimalField(**MONEY_DIGITS, default=0)
    refunded = models.DecimalField(**MONEY_DIGITS, default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Charge {self.reference} ({self.stage})"


class TestGatewayIdempotency(models.Model):
    """The first request made with a key and its result, replayed for the same request."""

    __test__ = False
    key = models.CharField(max_length=255, unique=True)
    request = models.JSONField()
    result = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key
