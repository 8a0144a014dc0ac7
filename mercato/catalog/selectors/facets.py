"""Facet counts over a filtered product queryset: each facet is one grouped query."""

from dataclasses import dataclass

from django.db import connections
from django.db.models import Count, F, QuerySet

from mercato.catalog.models import Attribute, AttributeValue, Product, ProductVariant
from mercato.catalog.rules import subtree_counts
from mercato.catalog.selectors.categories import CategoryTree
from mercato.core.money import Money


@dataclass(frozen=True)
class FacetCount:
    slug: str
    name: str
    count: int
    parent: str | None = None


@dataclass(frozen=True)
class AttributeFacet:
    slug: str
    name: str
    values: list[FacetCount]


@dataclass(frozen=True)
class PriceRange:
    low: Money
    high: Money


@dataclass(frozen=True)
class Facets:
    categories: list[FacetCount]
    brands: list[FacetCount]
    attributes: list[AttributeFacet]
    price_range: PriceRange | None


def listing_facets(products: QuerySet[Product], *, tree: CategoryTree,
                   price_range: PriceRange | None, any_brand: QuerySet[Product]) -> Facets:
    """Facets over the matching products; the brand facet over the same ignoring brands."""
    return Facets(
        categories=category_facet(products, tree=tree),
        brands=brand_facet(any_brand),
        attributes=attribute_facet(products),
        price_range=price_range,
    )


def category_facet(products: QuerySet[Product], *, tree: CategoryTree) -> list[FacetCount]:
    """Matches per category, a parent counting its sub-categories' products too."""
    direct = products.filter(category__isnull=False).order_by().values("category")
    counts = subtree_counts(
        dict(direct.annotate(count=Count("pk")).values_list("category", "count")), tree.parents
    )
    facets = []
    for category_id, count in counts.items():
        category = tree.by_id[category_id]
        parent = tree.by_id.get(category.parent_id) if category.parent_id else None
        facets.append(FacetCount(slug=category.slug, name=category.name, count=count,
                                 parent=parent.slug if parent else None))
    return sorted(facets, key=lambda facet: (-facet.count, facet.name))


def brand_facet(products: QuerySet[Product]) -> list[FacetCount]:
    rows = (
        products.filter(brand__isnull=False).order_by()
        .values("brand__slug", "brand__name").annotate(count=Count("pk"))
        .order_by("-count", "brand__name")
    )
    return [FacetCount(slug=row["brand__slug"], name=row["brand__name"], count=row["count"])
            for row in rows]


def attribute_facet(products: QuerySet[Product]) -> list[AttributeFacet]:
    """Matches per attribute value, whether the product or one of its variants has it."""
    facets: dict[str, AttributeFacet] = {}
    for row in _attribute_value_counts(products):
        attribute_slug, attribute_name, value_slug, value_name, count = row
        facet = facets.setdefault(
            attribute_slug, AttributeFacet(slug=attribute_slug, name=attribute_name, values=[])
        )
        facet.values.append(FacetCount(slug=value_slug, name=value_name, count=count))
    return list(facets.values())


def _attribute_value_counts(products: QuerySet[Product]) -> list[tuple]:
    # The ORM cannot group over a UNION, and joining both many-to-many tables in one query
    # multiplies rows (product values x variant values); so the (product, value) pairs are a
    # UNION built by the ORM, grouped and named in SQL.
    ids = products.order_by().values("pk")
    on_product = Product.attribute_values.through.objects.filter(product__in=ids).values(
        product_ref=F("product_id"), value_ref=F("attributevalue_id")
    )
    on_variant = ProductVariant.option_values.through.objects.filter(
        productvariant__product__in=ids
    ).values(product_ref=F("productvariant__product_id"), value_ref=F("attributevalue_id"))
    pairs_sql, params = on_product.union(on_variant).query.sql_with_params()
    connection = connections[products.db]
    quote = connection.ops.quote_name
    value_table, attribute_table = (quote(AttributeValue._meta.db_table),
                                    quote(Attribute._meta.db_table))
    sql = (
        f"SELECT a.slug, a.name, v.slug, v.name, COUNT(*) FROM ({pairs_sql}) pairs"
        f" JOIN {value_table} v ON v.id = pairs.value_ref"
        f" JOIN {attribute_table} a ON a.id = v.attribute_id"
        " GROUP BY a.id, a.slug, a.name, v.id, v.slug, v.name, v.position"
        " ORDER BY a.name, a.id, v.position, v.name"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
