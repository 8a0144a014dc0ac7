"""Pricing rows: tax classes and rates, delivery zones/methods/rates, promotions and coupons.

Money columns are DecimalField(14, 4) with one currency column per row. What the rules compute
from these rows lives in rules/; selectors turn rows into the rules' dataclasses.
"""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django_countries.fields import CountryField

from mercato.catalog.models import MONEY_DIGITS, Category, Product, ProductType
from mercato.pricing.rules.types import PromotionKind, PromotionScope

PERCENT_DIGITS = {"max_digits": 7, "decimal_places": 4}
ZERO = Decimal(0)
KIND_CHOICES = [
    (PromotionKind.PERCENTAGE.value, "Percentage off"),
    (PromotionKind.FIXED_AMOUNT.value, "Fixed amount off"),
    (PromotionKind.BUY_X_GET_Y.value, "Buy X get Y free"),
    (PromotionKind.FREE_DELIVERY.value, "Free delivery"),
]
SCOPE_CHOICES = [
    (PromotionScope.ORDER.value, "Whole order"),
    (PromotionScope.PRODUCTS.value, "Products"),
    (PromotionScope.CATEGORIES.value, "Categories"),
]


class TaxClass(models.Model):
    """"standard", "reduced", "zero": assigned to product types, and to products as an override.
    A product in no class is standard."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    product_types = models.ManyToManyField(
        ProductType, through="ProductTypeTaxClass", blank=True, related_name="tax_classes",
    )
    products = models.ManyToManyField(
        Product, through="ProductTaxClass", blank=True, related_name="tax_classes",
    )

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "tax classes"

    def __str__(self) -> str:
        return self.name


class ProductTypeTaxClass(models.Model):
    """A product type is in at most one tax class."""

    tax_class = models.ForeignKey(TaxClass, on_delete=models.CASCADE)
    product_type = models.OneToOneField(ProductType, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.product_type_id} in {self.tax_class_id}"


class ProductTaxClass(models.Model):
    """A product is in at most one tax class (overriding its product type's)."""

    tax_class = models.ForeignKey(TaxClass, on_delete=models.CASCADE)
    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.product_id} in {self.tax_class_id}"


class TaxRate(models.Model):
    country = CountryField()
    region = models.CharField(
        max_length=40, blank=True,
        help_text="Region/state code as addresses store it; empty = the whole country. "
                  "A region's own rate wins over the country's.",
    )
    tax_class = models.ForeignKey(TaxClass, on_delete=models.PROTECT, related_name="rates")
    rate = models.DecimalField(**PERCENT_DIGITS, help_text="Percent: 19 means 19 %.")
    name = models.CharField(max_length=80, help_text='Shown on invoices, e.g. "VAT 19%".')

    class Meta:
        ordering = ["country", "region", "tax_class__code"]
        constraints = [
            models.UniqueConstraint(fields=["country", "region", "tax_class"],
                                    name="tax_rate_unique"),
            models.CheckConstraint(condition=Q(rate__gte=ZERO, rate__lte=Decimal(100)),
                                   name="tax_rate_percent"),
        ]

    def __str__(self) -> str:
        place = f"{self.country}-{self.region}" if self.region else str(self.country)
        return f"{place} {self.tax_class_id}: {self.rate} %"


class DeliveryZone(models.Model):
    name = models.CharField(max_length=120, unique=True)
    countries = CountryField(multiple=True)
    regions = models.CharField(
        max_length=500, blank=True,
        help_text="Comma-separated region/state codes; empty = the whole countries.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def region_codes(self) -> frozenset[str]:
        return frozenset(code.strip().upper() for code in self.regions.split(",") if code.strip())


class DeliveryMethod(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    estimated_days_min = models.PositiveSmallIntegerField(default=1)
    estimated_days_max = models.PositiveSmallIntegerField(default=3)
    tax_class = models.ForeignKey(
        TaxClass, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="How the delivery fee is taxed; empty = standard.",
    )
    excluded_categories = models.ManyToManyField(
        Category, blank=True, related_name="+",
        help_text="Not offered when the cart holds a product of these categories (or below).",
    )
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(estimated_days_max__gte=F("estimated_days_min")),
                                   name="delivery_days_ordered"),
        ]

    def __str__(self) -> str:
        return self.name


class DeliveryRate(models.Model):
    """The fee of a method in a zone and currency for a weight and order-value band.

    Bands are half-open (min <= value < max); an empty bound is open. The order value is the
    goods subtotal after discounts, in the shop's price mode.
    """

    method = models.ForeignKey(DeliveryMethod, on_delete=models.CASCADE, related_name="rates")
    zone = models.ForeignKey(DeliveryZone, on_delete=models.PROTECT, related_name="rates")
    currency = models.CharField(max_length=3)
    min_weight_grams = models.PositiveIntegerField(default=0)
    max_weight_grams = models.PositiveIntegerField(null=True, blank=True)
    min_order_value = models.DecimalField(**MONEY_DIGITS, null=True, blank=True)
    max_order_value = models.DecimalField(**MONEY_DIGITS, null=True, blank=True)
    price = models.DecimalField(**MONEY_DIGITS)
    free_over = models.DecimalField(**MONEY_DIGITS, null=True, blank=True,
                                    help_text="Free delivery from this order value on.")

    class Meta:
        ordering = ["zone_id", "currency", "min_weight_grams", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=ZERO),
                                   name="delivery_price_not_negative"),
            models.CheckConstraint(condition=Q(free_over__isnull=True) | Q(free_over__gte=ZERO),
                                   name="delivery_free_over_not_negative"),
            models.CheckConstraint(
                condition=Q(min_order_value__isnull=True) | Q(min_order_value__gte=ZERO),
                name="delivery_min_value_not_negative"),
            models.CheckConstraint(
                condition=Q(max_order_value__isnull=True) | Q(max_order_value__gt=ZERO),
                name="delivery_max_value_positive"),
            models.CheckConstraint(
                condition=Q(max_weight_grams__isnull=True)
                | Q(max_weight_grams__gt=F("min_weight_grams")),
                name="delivery_weight_band_ordered"),
            models.CheckConstraint(
                condition=Q(max_order_value__isnull=True) | Q(min_order_value__isnull=True)
                | Q(max_order_value__gt=F("min_order_value")),
                name="delivery_value_band_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.method_id} in {self.zone_id}: {self.price} {self.currency}"


class Promotion(models.Model):
    """A discount with its conditions; see rules/promotions.py for how it applies."""

    name = models.CharField(max_length=120, help_text="Shown to shoppers next to the discount.")
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    scope = models.CharField(max_length=20, choices=SCOPE_CHOICES,
                             default=PromotionScope.ORDER.value)
    percentage = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True,
                                     help_text="For percentage promotions: 10 means 10 % off.")
    amount = models.DecimalField(**MONEY_DIGITS, null=True, blank=True,
                                 help_text="For fixed amounts: per unit on products or "
                                           "categories, once on the order.")
    currency = models.CharField(max_length=3, blank=True,
                                help_text="Of the amount and the minimum order value; the "
                                          "promotion applies only to quotes in it.")
    buy_quantity = models.PositiveIntegerField(null=True, blank=True, help_text="X of buy X get Y")
    get_quantity = models.PositiveIntegerField(null=True, blank=True, help_text="Y of buy X get Y")
    products = models.ManyToManyField(Product, blank=True, related_name="+")
    categories = models.ManyToManyField(Category, blank=True, related_name="+",
                                        help_text="Sub-categories are included.")
    min_order_value = models.DecimalField(**MONEY_DIGITS, null=True, blank=True,
                                          help_text="On the subtotal before discounts.")
    min_quantity = models.PositiveIntegerField(null=True, blank=True,
                                               help_text="Units among the targeted lines.")
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    usage_limit = models.PositiveIntegerField(null=True, blank=True,
                                              help_text="Orders in total; empty = unlimited.")
    usage_limit_per_customer = models.PositiveIntegerField(
        null=True, blank=True, help_text="Orders per customer; only logged-in customers can "
                                         "use a promotion limited per customer.")
    times_used = models.PositiveIntegerField(default=0, editable=False)
    priority = models.IntegerField(default=0, help_text="Higher is tried first.")
    stacks = models.BooleanField(
        default=True, help_text="Off: applies only if no other promotion applied before it, "
                                "and then no other promotion applies.")
    requires_coupon = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-priority", "id"]
        indexes = [models.Index(fields=["is_active", "starts_at", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(percentage__isnull=True)
                | Q(percentage__gt=ZERO, percentage__lte=Decimal(100)),
                name="promotion_percentage_range"),
            models.CheckConstraint(
                condition=~Q(kind=PromotionKind.PERCENTAGE.value) | Q(percentage__isnull=False),
                name="promotion_percentage_given"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=ZERO),
                name="promotion_amount_positive"),
            models.CheckConstraint(
                condition=~Q(kind=PromotionKind.FIXED_AMOUNT.value) | Q(amount__isnull=False),
                name="promotion_amount_given"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True, min_order_value__isnull=True) | ~Q(currency=""),
                name="promotion_currency_given"),
            models.CheckConstraint(
                condition=~Q(kind=PromotionKind.BUY_X_GET_Y.value)
                | Q(buy_quantity__isnull=False, get_quantity__isnull=False, buy_quantity__gt=0,
                    get_quantity__gt=0),
                name="promotion_buy_x_get_y_given"),
            models.CheckConstraint(
                condition=Q(min_order_value__isnull=True) | Q(min_order_value__gte=ZERO),
                name="promotion_min_value_not_negative"),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__isnull=True)
                | Q(ends_at__gt=F("starts_at")),
                name="promotion_ends_after_start"),
            models.CheckConstraint(
                condition=Q(usage_limit__isnull=True) | Q(usage_limit__gt=0),
                name="promotion_usage_limit_positive"),
            models.CheckConstraint(
                condition=Q(usage_limit_per_customer__isnull=True)
                | Q(usage_limit_per_customer__gt=0),
                name="promotion_customer_limit_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Coupon(models.Model):
    """A code that unlocks a promotion (codes are unique whatever their letter case)."""

    code = models.CharField(max_length=64)
    promotion = models.ForeignKey(Promotion, on_delete=models.CASCADE, related_name="coupons")
    usage_limit = models.PositiveIntegerField(
        null=True, blank=True, default=1, help_text="1 = single use; empty = unlimited.")
    times_used = models.PositiveIntegerField(default=0, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(Lower("code"), name="coupon_code_unique_any_case"),
            models.CheckConstraint(condition=Q(usage_limit__isnull=True) | Q(usage_limit__gt=0),
                                   name="coupon_usage_limit_positive"),
            models.CheckConstraint(condition=~Q(code=""), name="coupon_code_not_empty"),
        ]

    def __str__(self) -> str:
        return self.code


class PromotionUsage(models.Model):
    """One use of a promotion by an order (the ledger that per-customer limits count)."""

    promotion = models.ForeignKey(Promotion, on_delete=models.PROTECT, related_name="usages")
    coupon = models.ForeignKey(Coupon, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="usages")
    # A plain id: pricing comes before customers in the flow and must not import it.
    customer_id = models.BigIntegerField(null=True, blank=True)
    order_reference = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["promotion", "customer_id"])]
        constraints = [
            models.UniqueConstraint(fields=["promotion", "order_reference"],
                                    name="promotion_used_once_per_order"),
        ]

    def __str__(self) -> str:
        return f"{self.promotion_id} by {self.order_reference}"
