"""Inventory back office: warehouses, stock levels, and the variant page (prices + stock).

Stock is never saved by the admin itself: every change goes through inventory.services so it is
locked, checked against what is allocated, and recorded as an event.
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils.html import format_html_join

from mercato.catalog.models import AttributeValue, ProductVariant, VariantPrice
from mercato.catalog.services import refresh_listings
from mercato.core.admin import ProblemsAsMessages, money_display, staff_actor
from mercato.core.events import SCHEMA_VERSION_KEY
from mercato.core.selectors import About, history
from mercato.inventory.errors import StockBelowAllocated
from mercato.inventory.models import Stock, Warehouse
from mercato.inventory.services import set_stock_level

STOCK_HISTORY_LENGTH = 20


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "country", "priority", "is_active")
    fieldsets = (
        (None, {"fields": ("code", "name", "countries", "priority", "is_active")}),
        ("Address (returns are sent here)", {"fields": (
            "street_address_1", "street_address_2", "postal_code", "city", "country_area",
            "country")}),
    )
    list_filter = ("is_active", "country")
    search_fields = ("code", "name")
    prepopulated_fields = {"code": ("name",)}


class PriceForm(forms.ModelForm):
    currency = forms.ChoiceField()

    class Meta:
        model = VariantPrice
        fields = ("currency", "amount", "compare_at_amount")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        codes = list(settings.MERCATO_CURRENCIES)
        if self.instance.currency and self.instance.currency not in codes:
            codes.append(self.instance.currency)
        self.fields["currency"].choices = [("", "---------")] + [(c, c) for c in codes]


class PriceInline(admin.TabularInline):
    model = VariantPrice
    form = PriceForm
    fields = ("currency", "amount", "compare_at_amount")
    extra = 0


class StockForm(forms.ModelForm):
    """On hand is typed in after a count; it may not go below what orders already hold."""

    class Meta:
        model = Stock
        fields = ("warehouse", "on_hand", "bin_location")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and "warehouse" in self.fields:
            self.fields["warehouse"].disabled = True

    def clean_on_hand(self) -> int:
        on_hand = self.cleaned_data["on_hand"]
        if on_hand < self.instance.allocated:
            refused = StockBelowAllocated.for_levels(on_hand=on_hand,
                                                     allocated=self.instance.allocated)
            raise forms.ValidationError(refused.detail, code=refused.slug)
        return on_hand


class StockInline(admin.TabularInline):
    model = Stock
    form = StockForm
    fields = ("warehouse", "on_hand", "allocated", "available", "bin_location")
    readonly_fields = ("allocated", "available")
    extra = 0
    can_delete = False
    verbose_name_plural = "stock per warehouse"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("warehouse")

    @admin.display(description="Available")
    def available(self, obj: Stock) -> int | str:
        return obj.available if obj.pk else "—"


@admin.register(ProductVariant)
class ProductVariantAdmin(ProblemsAsMessages, admin.ModelAdmin):
    list_display = ("sku", "name", "product", "price_list", "on_hand", "available")
    list_select_related = ("product",)
    search_fields = ("sku", "name", "barcode", "product__title")
    autocomplete_fields = ("product",)
    filter_horizontal = ("option_values",)
    fields = ("product", "sku", "name", "option_values", "weight_grams", "barcode", "position",
              "allow_backorder", "stock_history")
    readonly_fields = ("stock_history",)
    inlines = (PriceInline, StockInline)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("prices").annotate(
            on_hand_total=Coalesce(Sum("stock_levels__on_hand"), 0),
            allocated_total=Coalesce(Sum("stock_levels__allocated"), 0),
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "option_values":
            kwargs["queryset"] = AttributeValue.objects.select_related("attribute")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        product_ids = {form.instance.product_id}  # its prices feed the product's listing
        if change and form.initial.get("product"):
            product_ids.add(form.initial["product"])  # the variant may have moved
        refresh_listings(product_ids=product_ids)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        refresh_listings(product_ids=[obj.product_id])

    def delete_queryset(self, request, queryset):
        product_ids = set(queryset.values_list("product_id", flat=True))
        super().delete_queryset(request, queryset)
        refresh_listings(product_ids=product_ids)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Stock:
            return super().save_formset(request, form, formset, change)
        return self.save_stock_levels(request, formset)

    def save_stock_levels(self, request, formset) -> None:
        """Each changed stock row goes through the service (lock, allocated check, event)."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for stock_form in formset.forms:
            if not stock_form.has_changed():
                continue
            data = stock_form.cleaned_data
            stock = set_stock_level(
                variant_id=formset.instance.pk, warehouse_id=data["warehouse"].pk,
                on_hand=data["on_hand"], bin_location=data["bin_location"],
                by=staff_actor(request),
            )
            if stock_form.instance.pk is None:
                formset.new_objects.append(stock)
            else:
                formset.changed_objects.append((stock, stock_form.changed_data))

    @admin.display(description="Prices")
    def price_list(self, obj: ProductVariant) -> str:
        prices = sorted(obj.prices.all(), key=lambda price: price.currency)
        return ", ".join(money_display(p.amount, p.currency) for p in prices) or "no price"

    @admin.display(description="On hand", ordering="on_hand_total")
    def on_hand(self, obj: ProductVariant) -> int:
        return obj.on_hand_total

    @admin.display(description="Available")
    def available(self, obj: ProductVariant) -> int:
        return obj.on_hand_total - obj.allocated_total

    @admin.display(description="Stock history (latest first)")
    def stock_history(self, obj: ProductVariant) -> str:
        if obj.pk is None:
            return "—"
        stock_ids = [str(pk) for pk in obj.stock_levels.values_list("pk", flat=True)]
        events = history(About("stock", stock_ids), newest_first=True,
                         limit=STOCK_HISTORY_LENGTH)
        rows = [
            (f"{event.created_at:%Y-%m-%d %H:%M}", event.type, event.actor,
             ", ".join(f"{key}={value}" for key, value in sorted(event.payload.items())
                       if key not in {"aggregate_id", "sku", SCHEMA_VERSION_KEY}))
            for event in events
        ]
        if not rows:
            return "No stock changes recorded yet."
        return format_html_join("\n", "<div>{} · {} by {} · {}</div>", rows)


class AvailabilityFilter(admin.SimpleListFilter):
    title = "availability"
    parameter_name = "availability"

    def lookups(self, request, model_admin):
        return (("out", "Out of stock"), ("in", "In stock"))

    def queryset(self, request, queryset):
        if self.value() == "out":
            return queryset.filter(on_hand__lte=F("allocated"))
        if self.value() == "in":
            return queryset.filter(on_hand__gt=F("allocated"))
        return queryset


@admin.register(Stock)
class StockAdmin(ProblemsAsMessages, admin.ModelAdmin):
    form = StockForm
    list_display = ("sku", "product_title", "warehouse", "on_hand", "allocated", "available",
                    "bin_location")
    list_filter = ("warehouse", AvailabilityFilter)
    list_select_related = ("variant__product", "warehouse")
    search_fields = ("=variant__sku", "variant__product__title", "bin_location")
    fields = ("variant", "warehouse", "on_hand", "allocated", "available", "bin_location")
    readonly_fields = ("variant", "warehouse", "allocated", "available")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            available_units=F("on_hand") - F("allocated")
        )

    def has_add_permission(self, request):
        return False  # stock rows are created from the variant page or by receiving stock

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        set_stock_level(
            variant_id=obj.variant_id, warehouse_id=obj.warehouse_id,
            on_hand=form.cleaned_data["on_hand"], bin_location=form.cleaned_data["bin_location"],
            by=staff_actor(request),
        )

    @admin.display(description="SKU", ordering="variant__sku")
    def sku(self, obj: Stock) -> str:
        return obj.variant.sku

    @admin.display(description="Product", ordering="variant__product__title")
    def product_title(self, obj: Stock) -> str:
        return obj.variant.product.title

    @admin.display(description="Available", ordering="available_units")
    def available(self, obj: Stock) -> int:
        return obj.available
