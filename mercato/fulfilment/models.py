"""Warehouse work: picklists of released shipments, printed and walked by warehouse staff."""

from django.db import models
from django.db.models import Q


class Picklist(models.Model):
    """Shipments of one warehouse picked together; making it moved them to Packing."""

    number = models.CharField(max_length=20, unique=True, editable=False)
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT,
                                  related_name="picklists")
    shipments = models.ManyToManyField("orders.Shipment", through="PicklistShipment",
                                       related_name="picklists")
    created_by = models.CharField(max_length=200, editable=False,
                                  help_text="Who made it, as the event history names actors.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Picklist {self.number}"


class PicklistShipment(models.Model):
    """A shipment on a picklist; a shipment is picked once (it leaves Released for good)."""

    picklist = models.ForeignKey(Picklist, on_delete=models.CASCADE, related_name="entries")
    shipment = models.OneToOneField("orders.Shipment", on_delete=models.PROTECT,
                                    related_name="picklist_entry")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.picklist_id} #{self.position}: {self.shipment_id}"


class PicklistLine(models.Model):
    """One shipment line to pick, as it was when the picklist was made (the printed list and
    the screen agree even if a bin location changes later)."""

    picklist = models.ForeignKey(Picklist, on_delete=models.CASCADE, related_name="lines")
    shipment = models.ForeignKey("orders.Shipment", on_delete=models.PROTECT, related_name="+")
    sku = models.CharField(max_length=64)
    title = models.CharField(max_length=420)
    bin_location = models.CharField(max_length=40, blank=True)
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0),
                                   name="picklist_line_quantity_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku} @ {self.bin_location or '-'}"
