"""Purchase orders: snapshots of what was bought, at which prices, sent where.

Nothing here points back at live prices: lines, discounts, addresses and totals are copied from
the pricing quote when the order is placed, so later catalog or promotion changes never alter it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from mercato.core.ids import new_public_id
from mercato.orders.states import OrderStatus, ShipmentStatus

MONEY_DIGITS = {"max_digits": 14, "decimal_places": 4}
DEFAULT_SEQUENCE = "default"


class OrderNumberSequence(models.Model):
    """The next order number of a shop; its row is locked while an order takes a number."""

    key = models.CharField(max_length=40, unique=True, default=DEFAULT_SEQUENCE)
    prefix = models.CharField(max_length=10, default="MRC-")
    next_value = models.PositiveBigIntegerField(default=100001)

    def __str__(self) -> str:
        return f"{self.key}: next {self.prefix}{self.next_value}"


class Order(models.Model):
    public_id = models.CharField(max_length=24, unique=True, default=new_public_id,
                                 editable=False)
    number = models.CharField(max_length=32, unique=True, editable=False)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="orders")
    email = models.EmailField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=OrderStatus.choices,
                              default=OrderStatus.IN_PROGRESS, editable=False)
    prices_include_tax = models.BooleanField()
    subtotal = models.DecimalField(**MONEY_DIGITS)
    discount_total = models.DecimalField(**MONEY_DIGITS)
    delivery_total = models.DecimalField(**MONEY_DIGITS)
    tax_total = models.DecimalField(**MONEY_DIGITS)
    total = models.DecimalField(**MONEY_DIGITS)
    delivery_method_code = models.CharField(max_length=60, blank=True, default="")
    delivery_method_name = models.CharField(max_length=120, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "purchase order"  # the name merchants of enterprise suites know
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "-created_at"])]

    def __str__(self) -> str:
        return f"Order {self.number}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    # What the API calls the line's `id`: a return names the lines it takes back by it.
    public_id = models.CharField(max_length=24, unique=True, default=new_public_id,
                                 editable=False)
    variant = models.ForeignKey("catalog.ProductVariant", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="order_lines")
    sku = models.CharField(max_length=64)
    product_title = models.CharField(max_length=200)
    variant_name = models.CharField(max_length=200, blank=True, default="")
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(**MONEY_DIGITS)
    discount_amount = models.DecimalField(**MONEY_DIGITS)
    amount = models.DecimalField(**MONEY_DIGITS, help_text="Line total in the price mode.")
    net = models.DecimalField(**MONEY_DIGITS)
    tax_rate = models.DecimalField(max_digits=7, decimal_places=4)
    tax_name = models.CharField(max_length=100, blank=True, default="")
    tax = models.DecimalField(**MONEY_DIGITS)
    gross = models.DecimalField(**MONEY_DIGITS)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"


class AddressKind(models.TextChoices):
    SHIPPING = "shipping"
    BILLING = "billing"


class AddressSnapshot(models.Model):
    """Address fields as customers.Address has them, copied when the order is placed."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    company_name = models.CharField(max_length=120, blank=True)
    street_address_1 = models.CharField(max_length=200)
    street_address_2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    city_area = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2)
    country_area = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=32, blank=True)

    class Meta:
        abstract = True


class OrderAddress(AddressSnapshot):
    """A copy of an address as it was when the order was placed (fields as customers.Address)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=10, choices=AddressKind.choices)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "kind"], name="one_order_address_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.first_name} {self.last_name}, {self.city}"


class OrderDiscount(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="discounts")
    name = models.CharField(max_length=200)
    amount = models.DecimalField(**MONEY_DIGITS)
    promotion_id = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount}"


class Shipment(AddressSnapshot):
    """One parcel of an order: lines going from one warehouse to one address (the ship-to
    fields are a snapshot, named as OrderAddress's). Fulfilment moves it through its states."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    public_id = models.CharField(max_length=24, unique=True, default=new_public_id,
                                 editable=False)
    number = models.CharField(max_length=40, unique=True, editable=False,
                              help_text="The order number and the parcel's: MRC-100001-1.")
    status = models.CharField(max_length=20, choices=ShipmentStatus.choices,
                              default=ShipmentStatus.AWAITING_INVENTORY, editable=False)
    warehouse = models.ForeignKey("inventory.Warehouse", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="shipments")
    delivery_method_code = models.CharField(max_length=60, blank=True, default="")
    delivery_method_name = models.CharField(max_length=120, blank=True, default="")
    delivery_amount = models.DecimalField(
        **MONEY_DIGITS, help_text="The delivery fee charged for this parcel, in the price mode "
                                  "(a group split over warehouses pays it on its first parcel).")
    carrier = models.CharField(max_length=40, blank=True, default="")
    tracking_number = models.CharField(max_length=100, blank=True, default="")
    tracking_url = models.URLField(max_length=500, blank=True, default="")
    weight_grams = models.PositiveIntegerField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "warehouse"])]

    def __str__(self) -> str:
        return f"Shipment {self.number}"


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE,
                                   related_name="shipment_lines")
    stock = models.ForeignKey("inventory.Stock", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="shipment_lines",
                              help_text="Where the units are allocated.")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0),
                                   name="shipment_line_quantity_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x line {self.order_line_id}"


class ShipmentTrackingEvent(models.Model):
    """What the carrier reported about a shipped parcel between leaving and arriving (in
    transit, out for delivery, a delivery problem, sent back), as the shopper's tracking page
    lists it. Leaving and arriving are the shipment's own fields (shipped_at, delivered_at)."""

    class Kind(models.TextChoices):
        IN_TRANSIT = "in_transit", "In transit"
        OUT_FOR_DELIVERY = "out_for_delivery", "Out for delivery"
        DELIVERY_EXCEPTION = "delivery_exception", "Delivery problem"
        RETURNED_TO_SENDER = "returned_to_sender", "Returned to sender"

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE,
                                 related_name="tracking_events")
    kind = models.CharField(max_length=20, choices=Kind.choices, editable=False)
    description = models.CharField(max_length=300, blank=True, editable=False)
    location = models.CharField(max_length=200, blank=True, editable=False)
    occurred_at = models.DateTimeField(editable=False, help_text="When the carrier saw it.")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d %H:%M}"
