"""States of a checkout completion attempt (one per Idempotency-Key)."""

from django.db import models


class AttemptStatus(models.TextChoices):
    # Running now (until its lease ends), or waiting for the shopper's payment confirmation.
    PROCESSING = "Processing"
    COMPLETED = "Completed"  # the order exists: a retry returns it
    FAILED = "Failed"  # a final answer (declined, out of stock, cart changed): a retry repeats it
