"""Facet counts over filtered listing rows (one per product): each facet is one grouped query."""

from dataclasses import dataclass

from django.db import connections
from django.db.models import Count, QuerySet

from mercato.catalog.models import Attribute, AttributeValue, ProductListing, ProductListingValue
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


def listing_facets(listings: QuerySet[ProductListing], *, tree: CategoryTree,
                   price_range: PriceRange | None,
                   any_brand: QuerySet[ProductListing]) -> Facets:
    """Facets over the matching products; the brand facet over the same ignoring brands."""
    return Facets(
        categories=category_facet(listings, tree=tree),
        brands=brand_facet(any_brand),
        attributes=attribute_facet(listings),
        price_range=price_range,
    )


def category_facet(listings: QuerySet[ProductListing], *,
                   tree: CategoryTree) -> list[FacetCount]:
    """Matches per category, a parent counting its sub-categories' products too."""
    direct = listings.filter(category__isnull=False).order_by().values("category")
    counts = subtree_counts(
        dict(direct.annotate(count=Count("*")).values_list("category", "count")), tree.parents
    )
    facets = []
    for category_id, count in counts.items():
        category = tree.by_id[category_id]
        parent = tree.by_id.get(category.parent_id) if category.parent_id else None
        facets.append(FacetCount(slug=category.slug, name=category.name, count=count,
                                 parent=parent.slug if parent else None))
    return sorted(facets, key=lambda facet: (-facet.count, facet.name))


def brand_facet(listings: QuerySet[ProductListing]) -> list[FacetCount]:
    rows = (
        listings.filter(brand__isnull=False).order_by()
        .values("brand__slug", "brand__name").annotate(count=Count("*"))
        .order_by("-count", "brand__name")
    )
    return [FacetCount(slug=row["brand__slug"], name=row["brand__name"], count=row["count"])
            for row in rows]


def attribute_facet(listings: QuerySet[ProductListing]) -> list[AttributeFacet]:
    """Matches per attribute value, whether the product or one of its variants has it."""
    facets: dict[str, AttributeFacet] = {}
    for row in _attribute_value_counts(listings):
        attribute_slug, attribute_name, value_slug, value_name, count = row
        facet = facets.setdefault(
            attribute_slug, AttributeFacet(slug=attribute_slug, name=attribute_name, values=[])
        )
        facet.values.append(FacetCount(slug=value_slug, name=value_name, count=count))
    return list(facets.values())


def _attribute_value_counts(listings: QuerySet[ProductListing]) -> list[tuple]:
    # Counted per value id first, then named: grouping the joined rows by names and positions
    # sorts every (product, value) pair and is several times slower. The ORM cannot join a
    # grouped subquery, so the counts built by the ORM are joined to the names in SQL.
    counts = (
        ProductListingValue.objects.filter(product__in=listings.order_by().values("product_id"))
        .order_by().values("value_id").annotate(count=Count("*"))
    )
    counts_sql, params = counts.query.sql_with_params()
    connection = connections[listings.db]
    quote = connection.ops.quote_name
    value_table, attribute_table = (quote(AttributeValue._meta.db_table),
                                    quote(Attribute._meta.db_table))
    sql = (
        f"SELECT a.slug, a.name, v.slug, v.name, counts.{quote('count')} FROM ({counts_sql}) counts"
        f" JOIN {value_table} v ON v.id = counts.value_id"
        f" JOIN {attribute_table} a ON a.id = v.attribute_id"
        " ORDER BY a.name, a.id, v.position, v.name"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
