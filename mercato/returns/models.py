"""Return requests (RMA), their lines, receiving receipts and the refunds paid for them."""

from django.db import models
from django.db.models import Q

from mercato.core.ids import new_public_id
from mercato.returns.states import ReturnStatus

MONEY_DIGITS = {"max_digits": 14, "decimal_places": 4}


class ReturnReason(models.TextChoices):
    FAULTY = "faulty", "Faulty or damaged"
    WRONG_ITEM = "wrong_item", "Wrong item sent"
    NOT_AS_DESCRIBED = "not_as_described", "Not as described"
    DOES_NOT_FIT = "does_not_fit", "Does not fit"
    CHANGED_MIND = "changed_mind", "Changed my mind"
    OTHER = "other", "Other"


class Resolution(models.TextChoices):
    REFUND = "refund", "Refund"
    EXCHANGE = "exchange", "Exchange"


class Condition(models.TextChoices):
    RESELLABLE = "resellable", "Resellable"
    DAMAGED = "damaged", "Damaged"


class ReturnRequest(models.Model):
    """One return of an order (the RMA): lines sent back for a refund or an exchange."""

    public_id = models.CharField(max_length=24, unique=True, default=new_public_id,
                                 editable=False)
    rma = models.CharField(max_length=32, unique=True, editable=False,
                           help_text="Return merchandise authorization number: RMA-MRC-100001-1.")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="returns")
    status = models.CharField(max_length=20, choices=ReturnStatus.choices,
                              default=ReturnStatus.REQUESTED, editable=False)
    warehouse = models.ForeignKey("inventory.Warehouse", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="returns",
                                  help_text="Where the goods are to be sent back.")
    replacement_shipment = models.OneToOneField(
        "orders.Shipment", null=True, blank=True, on_delete=models.PROTECT,
        related_name="replaced_return", editable=False)
    delivery_refunded = models.DecimalField(**MONEY_DIGITS, default=0, editable=False)
    difference_waived = models.BooleanField(
        default=False, editable=False,
        help_text="Staff let the customer have a dearer replacement without paying the difference.")
    created_by = models.CharField(max_length=200, editable=False)
    status_reason = models.CharField(max_length=255, blank=True, default="", editable=False,
                                     help_text="Why it was rejected or cancelled.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "return"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self) -> str:
        return self.rma


class ReturnLine(models.Model):
    return_request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE,
                                       related_name="lines")
    # What the API calls the line's `id`: receiving names the lines that arrived by it.
    public_id = models.CharField(max_length=24, unique=True, default=new_public_id,
                                 editable=False)
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT,
                                   related_name="return_lines")
    quantity = models.PositiveIntegerField()
    reason = models.CharField(max_length=20, choices=ReturnReason.choices)
    resolution = models.CharField(max_length=10, choices=Resolution.choices)
    exchange_variant = models.ForeignKey("catalog.ProductVariant", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=500, blank=True, default="")
    credit = models.DecimalField(
        **MONEY_DIGITS, default=0, editable=False,
        help_text="An exchange for a cheaper variant: the difference, refunded with the return.")
    charge = models.DecimalField(
        **MONEY_DIGITS, default=0, editable=False,
        help_text="An exchange for a dearer variant: the difference the customer pays.")
    exchange_unit_price = models.DecimalField(
        **MONEY_DIGITS, null=True, blank=True, editable=False,
        help_text="The exchange variant's price when the exchange was asked: the replacement's "
                  "list price if it is returned or exchanged again.")
    replacement_line = models.OneToOneField(
        "orders.OrderLine", null=True, blank=True, on_delete=models.PROTECT,
        related_name="replaced_return_line", editable=False,
        help_text="The order line (at no charge) the replacement ships as.")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0),
                                   name="return_line_quantity_gt_0"),
            models.CheckConstraint(
                condition=Q(resolution="refund", exchange_variant__isnull=True)
                | Q(resolution="exchange", exchange_variant__isnull=False),
                name="return_line_exchange_has_variant"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x line {self.order_line_id} ({self.resolution})"


class ReceivingReceipt(models.Model):
    """What the warehouse recorded as arrived for a return: one per return, printable."""

    number = models.CharField(max_length=40, unique=True, editable=False)
    return_request = models.OneToOneField(ReturnRequest, on_delete=models.PROTECT,
                                          related_name="receipt")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT,
                                  related_name="receiving_receipts")
    received_by = models.CharField(max_length=200, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class ReceiptLine(models.Model):
    receipt = models.ForeignKey(ReceivingReceipt, on_delete=models.CASCADE, related_name="lines")
    return_line = models.ForeignKey(ReturnLine, on_delete=models.PROTECT,
                                    related_name="receipt_lines")
    quantity = models.PositiveIntegerField()
    condition = models.CharField(max_length=12, choices=Condition.choices)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0),
                                   name="receipt_line_quantity_gt_0"),
            models.UniqueConstraint(fields=["receipt", "return_line", "condition"],
                                    name="one_receipt_line_per_condition"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x line {self.return_line_id} ({self.condition})"


class ReturnRefund(models.Model):
    """A refund call made for a return on one of the order's payments (its ledger row)."""

    return_request = models.ForeignKey(ReturnRequest, on_delete=models.PROTECT,
                                       related_name="refunds")
    transaction = models.OneToOneField("payments.Transaction", on_delete=models.PROTECT,
                                       related_name="return_refund")
    payment_public_id = models.CharField(max_length=32)
    amount = models.DecimalField(**MONEY_DIGITS)
    succeeded = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.amount} on {self.payment_public_id}"
