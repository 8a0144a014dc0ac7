"""The product page: one published product with everything it shows, in a fixed few queries."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Prefetch, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Greatest

from mercato.catalog.models import (
    Attribute,
    AttributeValue,
    Category,
    Product,
    ProductVariant,
    VariantPrice,
)
from mercato.catalog.rules import excerpt, plain_text
from mercato.catalog.selectors.categories import category_tree_index
from mercato.core.problems import NotFound

SEO_DESCRIPTION_LENGTH = 160


@dataclass(frozen=True)
class ProductAttribute:
    attribute: Attribute
    values: list[AttributeValue]


@dataclass(frozen=True)
class ProductDetail:
    product: Product
    breadcrumb: list[Category]
    attributes: list[ProductAttribute]
    variants: list[ProductVariant]
    in_stock: bool
    seo_title: str
    seo_description: str


def product_detail(*, slug: str, published_only: bool = True) -> ProductDetail:
    """The published product with this slug (any, for other systems, with published_only
    False); NotFound if there is none."""
    products = Product.objects.filter(slug=slug)
    product = (
        (products.filter(is_published=True) if published_only else products)
        .select_related("brand", "category", "product_type")
        .prefetch_related(
            "tags", "images",
            Prefetch("attribute_values", queryset=_values_with_attribute()),
            Prefetch("variants", queryset=_variants_with_availability()),
        )
        .first()
    )
    if product is None:
        raise NotFound(f"There is no product '{slug}'.")
    variants = list(product.variants.all())
    return ProductDetail(
        product=product,
        breadcrumb=_breadcrumb(product),
        attributes=_grouped_by_attribute(product.attribute_values.all()),
        variants=variants,
        in_stock=any(variant.quantity_available > 0 for variant in variants),
        seo_title=product.seo_title or product.title,
        seo_description=product.seo_description or excerpt(
            plain_text(product.description), limit=SEO_DESCRIPTION_LENGTH
        ),
    )


def _values_with_attribute() -> QuerySet[AttributeValue]:
    return AttributeValue.objects.select_related("attribute").order_by(
        "attribute__name", "position", "name"
    )


def _variants_with_availability() -> QuerySet[ProductVariant]:
    # Units not yet allocated, over every warehouse; a bad row can never make it negative.
    unallocated = Greatest(F("stock_levels__on_hand") - F("stock_levels__allocated"), Value(0))
    return ProductVariant.objects.annotate(
        quantity_available=Coalesce(Sum(unallocated), Value(0))
    ).prefetch_related(
        Prefetch("option_values", queryset=_values_with_attribute()),
        Prefetch("prices", queryset=VariantPrice.objects.order_by("currency")),
    ).order_by("position", "id")


def _breadcrumb(product: Product) -> list[Category]:
    if product.category is None:
        return []
    return [*category_tree_index().breadcrumb(product.category.pk), product.category]


def _grouped_by_attribute(values: Iterable[AttributeValue]) -> list[ProductAttribute]:
    grouped: dict[int, ProductAttribute] = {}
    for value in values:
        grouped.setdefault(
            value.attribute_id, ProductAttribute(attribute=value.attribute, values=[])
        ).values.append(value)
    return list(grouped.values())
