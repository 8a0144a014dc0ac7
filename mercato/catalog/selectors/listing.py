"""The product listing: published products narrowed by the shopper's filters, one page at a time.

Every filter is a WHERE condition on the product table (Exists subqueries, no joins that repeat
rows), so counting, faceting and paging all reuse the same filtered queryset.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Lower

from mercato.catalog.models import Product, ProductImage, ProductVariant, VariantPrice
from mercato.catalog.rules import page_count
from mercato.catalog.search import search_products
from mercato.catalog.selectors.categories import CategoryTree, category_tree_index
from mercato.catalog.selectors.facets import Facets, PriceRange, listing_facets
from mercato.core.money import Money

SORT_ORDERINGS = {
    "newest": ("-created_at", "-id"),
    "price": ("listing_amount", "-created_at", "-id"),
    "-price": ("-listing_amount", "-created_at", "-id"),
    "title": (Lower("title").asc(), "id"),
    "-title": (Lower("title").desc(), "-id"),
    "relevance": ("-search_relevance", "-created_at", "-id"),
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
        if self.sort == "relevance" and not self.q:
            return "newest"
        return self.sort or ("relevance" if self.q else "newest")


@dataclass(frozen=True)
class ProductPage:
    items: list[Product]
    page: int
    page_size: int
    total: int
    pages: int
    sort: str
    facets: Facets


def products_for_listing(*, filters: ListingFilters, page: int, page_size: int) -> ProductPage:
    """One page of published products matching the filters, with facets over all matches."""
    tree = category_tree_index()
    products = filtered_products(filters=filters, tree=tree)
    totals = products.annotate(price_amount=F("listing_amount")).aggregate(
        total=Count("pk"), low=Min("price_amount"), high=Max("price_amount")
    )
    offset = (page - 1) * page_size
    sort = filters.effective_sort
    items = list(
        with_listing_details(products, currency=filters.currency)
        .order_by(*SORT_ORDERINGS[sort])[offset : offset + page_size]
    )
    price_range = None
    if totals["low"] is not None:
        price_range = PriceRange(low=Money(totals["low"], filters.currency),
                                 high=Money(totals["high"], filters.currency))
    return ProductPage(
        items=items, page=page, page_size=page_size, total=totals["total"],
        pages=page_count(total=totals["total"], page_size=page_size), sort=sort,
        facets=listing_facets(products, tree=tree, price_range=price_range,
                              any_brand=_without_brand_filter(products, filters, tree)),
    )


def _without_brand_filter(products: QuerySet[Product], filters: ListingFilters,
                          tree: CategoryTree) -> QuerySet[Product]:
    # Brands are chosen several at a time: their facet ignores its own filter, so choosing one
    # brand still shows how many products the others would add.
    if not filters.brands:
        return products
    return filtered_products(filters=replace(filters, brands=frozenset()), tree=tree)


def filtered_products(*, filters: ListingFilters, tree: CategoryTree) -> QuerySet[Product]:
    """Published products priced in the currency and matching every filter (unordered)."""
    products = Product.objects.filter(is_published=True).alias(
        listing_amount=cheapest_price(filters.currency, "amount"), in_stock=has_stock()
    ).filter(listing_amount__isnull=False)
    if filters.category:
        products = products.filter(category_id__in=tree.subtree_ids(filters.category))
    if filters.brands:
        products = products.filter(brand__slug__in=filters.brands)
    if filters.min_price is not None:
        products = products.filter(listing_amount__gte=filters.min_price)
    if filters.max_price is not None:
        products = products.filter(listing_amount__lte=filters.max_price)
    for attribute, values in filters.attributes.items():
        products = products.filter(has_attribute_value(attribute, values))
    if filters.in_stock is not None:
        products = products.filter(in_stock=filters.in_stock)
    if filters.q.strip():
        products = search_products(products, filters.q)
    return products


def with_listing_details(products: QuerySet[Product], *, currency: str) -> QuerySet[Product]:
    """Select what a listing card shows: brand, category, price, stock flag, first image."""
    first_image = ProductImage.objects.filter(product=OuterRef("pk")).order_by("position", "id")
    return products.select_related("brand", "category").annotate(
        price_amount=F("listing_amount"),
        compare_at_amount=cheapest_price(currency, "compare_at_amount"),
        price_currency=Value(currency),
        is_in_stock=F("in_stock"),
        image_url=Subquery(first_image.values("url")[:1]),
        image_alt=Subquery(first_image.values("alt_text")[:1]),
    )


def cheapest_price(currency: str, column: str) -> Subquery:
    """A column of the product's lowest variant price row in the currency (NULL if none)."""
    prices = VariantPrice.objects.filter(variant__product=OuterRef("pk"), currency=currency)
    return Subquery(prices.order_by("amount", "pk").values(column)[:1])


def has_stock(product_ref: str = "pk") -> Exists:
    """Some variant of the product has a stock level with units not yet allocated."""
    return Exists(ProductVariant.objects.filter(
        product=OuterRef(product_ref), stock_levels__on_hand__gt=F("stock_levels__allocated")
    ))


def has_attribute_value(attribute: str, values: frozenset[str]) -> Q:
    """The product, or one of its variants, has one of the values of the attribute."""
    on_product = Product.attribute_values.through.objects.filter(
        product=OuterRef("pk"), attributevalue__attribute__slug=attribute,
        attributevalue__slug__in=values,
    )
    on_variant = ProductVariant.option_values.through.objects.filter(
        productvariant__product=OuterRef("pk"), attributevalue__attribute__slug=attribute,
        attributevalue__slug__in=values,
    )
    return Q(Exists(on_product)) | Q(Exists(on_variant))
