"""Catalog back office: products with their variants and images, the category tree, taxonomies.

Stock is shown through the `stock_levels` relation only: catalog must not import inventory.
ProductVariant's own page (prices, stock editing) is registered in mercato/inventory/admin.py.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.html import format_html, format_html_join

from mercato.catalog.models import (
    Attribute,
    AttributeValue,
    Brand,
    Category,
    Product,
    ProductImage,
    ProductType,
    ProductVariant,
    Tag,
)
from mercato.catalog.services import product_saved
from mercato.core.admin import money_display, staff_actor

BREADCRUMB_DEPTH = 3  # ancestors fetched with the row; deeper ones show as "…"
BREADCRUMB_SEPARATOR = " \u203a "


def variants_in_stock(product_ref: OuterRef) -> QuerySet[ProductVariant]:
    """Variants of the product with units available in an active warehouse."""
    return ProductVariant.objects.filter(
        product=product_ref,
        stock_levels__warehouse__is_active=True,
        stock_levels__on_hand__gt=F("stock_levels__allocated"),
    )


def variant_count(product_ref: OuterRef) -> Coalesce:
    counts = (
        ProductVariant.objects.filter(product=product_ref).order_by()
        .values("product").annotate(count=Count("pk")).values("count")
    )
    return Coalesce(Subquery(counts), 0)


class ProductVariantInline(admin.TabularInline):
    model = ProductVariant
    fields = ("sku", "name", "weight_grams", "barcode", "position", "price_list", "stock_list")
    readonly_fields = ("price_list", "stock_list")
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(
            "prices", "stock_levels__warehouse"
        )

    @admin.display(description="Prices")
    def price_list(self, obj: ProductVariant) -> str:
        if obj.pk is None:
            return "—"
        prices = sorted(obj.prices.all(), key=lambda price: price.currency)
        return ", ".join(money_display(p.amount, p.currency) for p in prices) or "no price"

    @admin.display(description="Available per warehouse")
    def stock_list(self, obj: ProductVariant) -> str:
        if obj.pk is None:
            return "—"
        levels = sorted(obj.stock_levels.all(), key=lambda stock: stock.warehouse.code)
        if not levels:
            return "no stock"
        return format_html_join(
            ", ", "{}: {}", ((stock.warehouse.code, stock.available) for stock in levels)
        )


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    fields = ("preview", "url", "alt_text", "position")
    readonly_fields = ("preview",)
    extra = 0

    @admin.display(description="Preview")
    def preview(self, obj: ProductImage) -> str:
        if not obj.url:
            return "—"
        return format_html('<img src="{}" alt="{}" style="max-height:48px">',
                           obj.url, obj.alt_text)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("title", "brand", "category", "is_published", "variants", "in_stock",
                    "updated_at")
    list_filter = ("is_published", "category", "brand", "product_type")
    list_select_related = ("brand", "category")
    search_fields = ("title", "slug", "variants__sku")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("brand", "category")
    filter_horizontal = ("tags", "attribute_values")
    readonly_fields = ("created_at", "updated_at")
    inlines = (ProductVariantInline, ProductImageInline)
    fieldsets = (
        (None, {"fields": ("title", "slug", "product_type", "brand", "category",
                           "is_published", "description")}),
        ("Classification", {"fields": ("tags", "attribute_values")}),
        ("Search engines", {"fields": ("seo_title", "seo_description"),
                            "classes": ("collapse",)}),
        ("Dates", {"fields": ("created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            variant_count=variant_count(OuterRef("pk")),
            in_stock=Exists(variants_in_stock(OuterRef("pk"))),
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "attribute_values":
            kwargs["queryset"] = AttributeValue.objects.select_related("attribute")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        product_saved(product=form.instance, created=not change,
                      by=staff_actor(request))

    @admin.display(description="Variants", ordering="variant_count")
    def variants(self, obj: Product) -> int:
        return obj.variant_count

    @admin.display(description="In stock", boolean=True, ordering="in_stock")
    def in_stock(self, obj: Product) -> bool:
        return obj.in_stock


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ("name", "slug", "parent", "position", "description", "seo_title",
                  "seo_description")

    def clean_parent(self) -> Category | None:
        parent = self.cleaned_data["parent"]
        node = parent
        while node is not None and self.instance.pk is not None:
            if node.pk == self.instance.pk:
                raise forms.ValidationError(
                    "A category cannot be placed under itself or one of its subcategories."
                )
            node = node.parent
        return parent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryForm
    list_display = ("breadcrumb", "slug", "position", "product_count")
    list_editable = ("position",)
    list_select_related = ("parent__parent__parent",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "parent", "position", "description")}),
        ("Search engines", {"fields": ("seo_title", "seo_description"),
                            "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(product_count=Count("products"))

    @admin.display(description="Category", ordering="name")
    def breadcrumb(self, obj: Category) -> str:
        names, node = [obj.name], obj
        for _ in range(BREADCRUMB_DEPTH):
            if node.parent_id is None:
                break
            node = node.parent
            names.append(node.name)
        else:
            if node.parent_id is not None:
                names.append("…")
        return BREADCRUMB_SEPARATOR.join(reversed(names))

    @admin.display(description="Products", ordering="product_count")
    def product_count(self, obj: Category) -> int:
        return obj.product_count


class ProductCountAdmin(admin.ModelAdmin):
    """Name + slug taxonomies that list how many products use each entry."""

    list_display = ("name", "slug", "product_count")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(product_count=Count("products"))

    @admin.display(description="Products", ordering="product_count")
    def product_count(self, obj: Brand | Tag | ProductType) -> int:
        return obj.product_count


@admin.register(ProductType)
class ProductTypeAdmin(ProductCountAdmin):
    list_display = ("name", "slug", "is_shipping_required", "product_count")
    list_filter = ("is_shipping_required",)


@admin.register(Brand)
class BrandAdmin(ProductCountAdmin):
    pass


@admin.register(Tag)
class TagAdmin(ProductCountAdmin):
    pass


class AttributeValueInline(admin.TabularInline):
    model = AttributeValue
    fields = ("name", "slug", "position")
    prepopulated_fields = {"slug": ("name",)}
    extra = 1


@admin.register(Attribute)
class AttributeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "value_list")
    search_fields = ("name", "slug", "values__name")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (AttributeValueInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("values")

    @admin.display(description="Values")
    def value_list(self, obj: Attribute) -> str:
        return ", ".join(value.name for value in obj.values.all())
