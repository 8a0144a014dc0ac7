"""Pricing back office: tax classes and rates, delivery zones/methods/rates, promotions, coupons.

These rows are shop configuration that staff edit directly; usage counters (times used) are
read-only here and move only through pricing.services.record_promotion_usage.
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html

from mercato.core.admin import money_display
from mercato.pricing.models import (
    Coupon,
    DeliveryMethod,
    DeliveryRate,
    DeliveryZone,
    ProductTaxClass,
    ProductTypeTaxClass,
    Promotion,
    TaxClass,
    TaxRate,
)


def currency_choices(current: str, *, blank: str | None = None) -> list[tuple[str, str]]:
    """The shop's currencies (and the row's own, should it no longer be one of them)."""
    codes = list(settings.MERCATO_CURRENCIES)
    if current and current not in codes:
        codes.append(current)
    choices = [(code, code) for code in codes]
    return [("", blank), *choices] if blank is not None else choices


class PromotionForm(forms.ModelForm):
    currency = forms.ChoiceField(required=False, help_text=Promotion._meta.get_field(
        "currency").help_text)

    class Meta:
        model = Promotion
        fields = ("name", "description", "kind", "scope", "is_active", "percentage", "amount",
                  "currency", "buy_quantity", "get_quantity", "products", "categories",
                  "min_order_value", "min_quantity", "starts_at", "ends_at", "requires_coupon",
                  "usage_limit", "usage_limit_per_customer", "priority", "stacks")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = currency_choices(self.instance.currency,
                                                           blank="any currency")


class DeliveryRateForm(forms.ModelForm):
    currency = forms.ChoiceField()

    class Meta:
        model = DeliveryRate
        fields = ("zone", "currency", "min_weight_grams", "max_weight_grams", "min_order_value",
                  "max_order_value", "price", "free_over")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = currency_choices(self.instance.currency)


class ProductTypeTaxClassInline(admin.TabularInline):
    model = ProductTypeTaxClass
    autocomplete_fields = ("product_type",)
    extra = 0
    verbose_name = "product type"
    verbose_name_plural = "product types in this class"


class ProductTaxClassInline(admin.TabularInline):
    model = ProductTaxClass
    autocomplete_fields = ("product",)
    extra = 0
    verbose_name = "product"
    verbose_name_plural = "products in this class (overriding their product type)"


@admin.register(TaxClass)
class TaxClassAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "product_type_count", "product_count", "rate_count")
    search_fields = ("code", "name")
    inlines = (ProductTypeTaxClassInline, ProductTaxClassInline)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            product_type_total=Count("product_types", distinct=True),
            product_total=Count("products", distinct=True),
            rate_total=Count("rates", distinct=True),
        )

    @admin.display(description="Product types", ordering="product_type_total")
    def product_type_count(self, obj: TaxClass) -> int:
        return obj.product_type_total

    @admin.display(description="Products (override)", ordering="product_total")
    def product_count(self, obj: TaxClass) -> int:
        return obj.product_total

    @admin.display(description="Rates", ordering="rate_total")
    def rate_count(self, obj: TaxClass) -> int:
        return obj.rate_total


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    list_display = ("country", "region", "tax_class", "rate", "name")
    list_filter = ("tax_class", "country")
    list_select_related = ("tax_class",)
    search_fields = ("=country", "region", "name")
    ordering = ("country", "region", "tax_class__code")


@admin.register(DeliveryZone)
class DeliveryZoneAdmin(admin.ModelAdmin):
    list_display = ("name", "country_list", "regions")
    search_fields = ("name", "countries", "regions")

    @admin.display(description="Countries")
    def country_list(self, obj: DeliveryZone) -> str:
        return ", ".join(country.code for country in obj.countries)


class DeliveryRateInline(admin.TabularInline):
    model = DeliveryRate
    form = DeliveryRateForm
    fields = ("zone", "currency", "min_weight_grams", "max_weight_grams", "min_order_value",
              "max_order_value", "price", "free_over")
    extra = 0


@admin.register(DeliveryMethod)
class DeliveryMethodAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_active", "delivery_time", "tax_class", "zone_list",
                    "position")
    list_filter = ("is_active",)
    list_editable = ("position",)
    list_select_related = ("tax_class",)
    search_fields = ("code", "name")
    prepopulated_fields = {"code": ("name",)}
    filter_horizontal = ("excluded_categories",)
    inlines = (DeliveryRateInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("rates__zone")

    @admin.display(description="Delivery time")
    def delivery_time(self, obj: DeliveryMethod) -> str:
        return f"{obj.estimated_days_min}-{obj.estimated_days_max} days"

    @admin.display(description="Zones")
    def zone_list(self, obj: DeliveryMethod) -> str:
        names = sorted({rate.zone.name for rate in obj.rates.all()})
        return ", ".join(names) or "no rates"


class CouponInline(admin.TabularInline):
    model = Coupon
    fields = ("code", "usage_limit", "times_used", "expires_at", "is_active")
    readonly_fields = ("times_used",)
    extra = 0


class ActiveNowFilter(admin.SimpleListFilter):
    title = "running now"
    parameter_name = "running"

    def lookups(self, request, model_admin):
        return (("yes", "Running now"), ("scheduled", "Scheduled"), ("ended", "Ended"))

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "yes":
            return queryset.filter(running_now(now))
        if self.value() == "scheduled":
            return queryset.filter(starts_at__gt=now)
        if self.value() == "ended":
            return queryset.filter(ends_at__lte=now)
        return queryset


def running_now(now: object) -> Q:
    return (Q(is_active=True) & (Q(starts_at__isnull=True) | Q(starts_at__lte=now))
            & (Q(ends_at__isnull=True) | Q(ends_at__gt=now)))


def affected_carts_url(promotion_id: int) -> str | None:
    """The cart app's page of the carts a promotion would affect now (by URL name: pricing
    comes before cart in the flow and must not import it)."""
    try:
        return reverse("admin:cart_cart_affected_by_promotion", args=[promotion_id])
    except NoReverseMatch:
        return None


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    form = PromotionForm
    list_display = ("name", "kind", "scope", "value", "starts_at", "ends_at", "is_running",
                    "usage", "priority", "stacks", "requires_coupon", "affected_carts")
    list_filter = (ActiveNowFilter, "kind", "scope", "is_active", "stacks", "requires_coupon")
    search_fields = ("name", "coupons__code")
    autocomplete_fields = ("products",)
    filter_horizontal = ("categories",)
    readonly_fields = ("times_used", "created_at", "affected_carts")
    inlines = (CouponInline,)
    fieldsets = (
        (None, {"fields": ("name", "description", "kind", "scope", "is_active")}),
        ("Value", {"fields": ("percentage", "amount", "currency", "buy_quantity",
                              "get_quantity")}),
        ("Targets", {"fields": ("products", "categories")}),
        ("Conditions", {"fields": ("min_order_value", "min_quantity", "starts_at", "ends_at",
                                   "requires_coupon")}),
        ("Limits and combining", {"fields": ("usage_limit", "usage_limit_per_customer",
                                             "times_used", "priority", "stacks")}),
        ("Reach", {"fields": ("affected_carts",)}),
        ("Dates", {"fields": ("created_at",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(usage_count=Count("usages"))

    @admin.display(description="Value")
    def value(self, obj: Promotion) -> str:
        if obj.percentage is not None:
            return f"{obj.percentage.normalize():f} %"
        if obj.amount is not None:
            return money_display(obj.amount, obj.currency)
        if obj.buy_quantity and obj.get_quantity:
            return f"buy {obj.buy_quantity} get {obj.get_quantity}"
        return "—"

    @admin.display(description="Running now", boolean=True)
    def is_running(self, obj: Promotion) -> bool:
        now = timezone.now()
        return (obj.is_active and (obj.starts_at is None or obj.starts_at <= now)
                and (obj.ends_at is None or obj.ends_at > now))

    @admin.display(description="Carts")
    def affected_carts(self, obj: Promotion) -> str:
        url = affected_carts_url(obj.pk) if obj.pk else None
        if url is None:
            return "—"
        return format_html('<a href="{}">Carts it would affect now</a>', url)

    @admin.display(description="Used", ordering="usage_count")
    def usage(self, obj: Promotion) -> str:
        limit = f" / {obj.usage_limit}" if obj.usage_limit is not None else ""
        return f"{obj.usage_count}{limit}"


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    list_display = ("code", "promotion", "times_used", "usage_limit", "expires_at", "is_active")
    list_filter = ("is_active",)
    list_select_related = ("promotion",)
    search_fields = ("code", "promotion__name")
    autocomplete_fields = ("promotion",)
    readonly_fields = ("times_used", "created_at")
    fields = ("code", "promotion", "usage_limit", "times_used", "expires_at", "is_active",
              "created_at")
