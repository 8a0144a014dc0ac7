"""Payment states; the table says which actions are legal, the ledger says the resulting status."""

from django.db import models

from mercato.core.states import Move, Transitions


class PaymentStatus(models.TextChoices):
    PENDING = "Pending"
    AUTHORIZED = "Authorized"
    CAPTURED = "Captured"
    PARTIALLY_REFUNDED = "PartiallyRefunded"
    REFUNDED = "Refunded"
    VOIDED = "Voided"
    FAILED = "Failed"


S = PaymentStatus

# Targets are the usual outcome; the status actually stored is derived from the ledger
# (a refund may leave the payment PartiallyRefunded, a declined authorization Failed).
PAYMENT_TRANSITIONS = Transitions(
    field="status",
    moves={
        # A shopper may try another card after a decline.
        "authorize": Move({S.PENDING, S.FAILED}, S.AUTHORIZED),
        # Cash on delivery is captured from Pending when the parcel is paid for.
        "capture": Move({S.PENDING, S.AUTHORIZED}, S.CAPTURED),
        "void": Move({S.AUTHORIZED}, S.VOIDED),
        "refund": Move({S.CAPTURED, S.PARTIALLY_REFUNDED}, S.REFUNDED),
    },
)
