"""The product listing: published products narrowed by the shopper's filters, one page at a time.

It reads the ProductListing read model (one row per product and currency, with the product's
price, stock flag and what it is filtered and sorted by), kept current by
catalog.services.refresh_listings. Every filter is a WHERE condition on those rows (subqueries,
no joins that repeat rows), so counting, faceting and paging all reuse the same filtered
queryset.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import Count, Max, Min, OuterRef, Q, QuerySet, Subquery

from mercato.catalog.models import ProductImage, ProductListing, ProductListingValue
from mercato.catalog.rules import page_count
from mercato.catalog.search import search_listings, search_relevance
from mercato.catalog.selectors.categories import CategoryTree, category_tree_index
from mercato.catalog.selectors.facets import Facets, PriceRange, listing_facets
from mercato.core.money import Money

SORT_ORDERINGS = {
    "newest": ("-created_at", "-product_id"),
    "price": ("price_amount", "-created_at", "-product_id"),
    "-price": ("-price_amount", "-created_at", "-product_id"),
    "title": ("title_sort", "product_id"),
    "-title": ("-title_sort", "-product_id"),
    "relevance": ("-search_relevance", "-created_at", "-product_id"),
}


@dataclass(frozen=True)
class ListingFilters:
    """What the shopper asked for; values are already validated by the API schema."""

    currency: str
    category: str | None = None
    brands: frozenset[str] = frozenset()
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    attributes: Mapping[str, frozenset[str]] = field(default_factory=dict)
    in_stock: bool | None = None
    q: str = ""
    sort: str | None = None

    @property
    def effective_sort(self) -> str:
        searching = bool(self.q.strip())
        if self.sort == "relevance" and not searching:
            return "newest"
        return self.sort or ("relevance" if searching else "newest")


@dataclass(frozen=True)
class ProductPage:
    items: list[ProductListing]
    page: int
    page_size: int
    total: int
    pages: int
    sort: str
    facets: Facets


def products_for_listing(*, filters: ListingFilters, page: int, page_size: int) -> ProductPage:
    """One page of published products matching the filters, with facets over all matches."""
    tree = category_tree_index()
    listings = filtered_listings(filters=filters, tree=tree)
    totals = listings.aggregate(
        total=Count("*"), low=Min("price_amount"), high=Max("price_amount")
    )
    sort = filters.effective_sort
    items = page_of(listings, sort=sort, q=filters.q, page=page, page_size=page_size)
    price_range = None
    if totals["low"] is not None:
        price_range = PriceRange(low=Money(totals["low"], filters.currency),
                                 high=Money(totals["high"], filters.currency))
    return ProductPage(
        items=items, page=page, page_size=page_size, total=totals["total"],
        pages=page_count(total=totals["total"], page_size=page_size), sort=sort,
        facets=listing_facets(listings, tree=tree, price_range=price_range,
                              any_brand=_without_brand_filter(listings, filters, tree)),
    )


def _without_brand_filter(listings: QuerySet[ProductListing], filters: ListingFilters,
                          tree: CategoryTree) -> QuerySet[ProductListing]:
    # Brands are chosen several at a time: their facet ignores its own filter, so choosing one
    # brand still shows how many products the others would add.
    if not filters.brands:
        return listings
    return filtered_listings(filters=replace(filters, brands=frozenset()), tree=tree)


def filtered_listings(*, filters: ListingFilters,
                      tree: CategoryTree) -> QuerySet[ProductListing]:
    """Listing rows of published products priced in the currency and matching every filter
    (unordered)."""
    listings = ProductListing.objects.filter(currency=filters.currency, is_published=True)
    if filters.category:
        listings = listings.filter(category_id__in=tree.subtree_ids(filters.category))
    if filters.brands:
        listings = listings.filter(brand__slug__in=filters.brands)
    if filters.min_price is not None:
        listings = listings.filter(price_amount__gte=filters.min_price)
    if filters.max_price is not None:
        listings = listings.filter(price_amount__lte=filters.max_price)
    for attribute, values in filters.attributes.items():
        listings = listings.filter(has_attribute_value(attribute, values))
    if filters.in_stock is not None:
        listings = listings.filter(in_stock=filters.in_stock)
    if filters.q.strip():
        listings = search_listings(listings, filters.q)
    return listings


def page_of(listings: QuerySet[ProductListing], *, sort: str, q: str, page: int,
            page_size: int) -> list[ProductListing]:
    """The rows of one page in the sort order, with what a listing card shows besides the row:
    product, brand, category, first image."""
    ordering = SORT_ORDERINGS[sort]
    offset = (page - 1) * page_size
    # An inner query sorts the matching rows alone and picks the page; the joins and image
    # subqueries then run for the page's rows only (SQLite would run them for every match).
    page_ids = _sortable(listings, sort=sort, q=q).order_by(*ordering).values("pk")
    first_image = ProductImage.objects.filter(product=OuterRef("product_id")).order_by(
        "position", "id"
    )
    rows = ProductListing.objects.filter(pk__in=page_ids[offset : offset + page_size])
    return list(
        _sortable(rows, sort=sort, q=q).select_related("product", "brand", "category")
        .defer("product__description", "product__search_document")
        .annotate(image_url=Subquery(first_image.values("url")[:1]),
                  image_alt=Subquery(first_image.values("alt_text")[:1]))
        .order_by(*ordering)
    )


def _sortable(listings: QuerySet[ProductListing], *, sort: str,
              q: str) -> QuerySet[ProductListing]:
    if sort != "relevance":
        return listings
    return listings.alias(search_relevance=search_relevance(q))


def has_attribute_value(attribute: str, values: frozenset[str]) -> Q:
    """The row's product, or one of its variants, has one of the values of the attribute."""
    # An IN (subquery) rather than a correlated EXISTS: SQLite then finds the matching products
    # once instead of once per row (PostgreSQL plans both as the same semi-join).
    having = ProductListingValue.objects.filter(
        value__attribute__slug=attribute, value__slug__in=values
    )
    return Q(product_id__in=having.values("product_id"))
