"""Full-text product search: PostgreSQL text search, or every-word matching on SQLite.

Both backends look in the product's search document to narrow a queryset of listing rows to
the matching products, and rate each row's relevance to order by.
"""

from functools import reduce
from operator import and_

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import Combinable

from mercato.catalog.models import Product, ProductListing
from mercato.catalog.rules import search_words

SEARCH_CONFIG = "english"


def search_vector(document: str = "search_document") -> SearchVector:
    # Migration 0002 indexes exactly this expression on PostgreSQL: change both together.
    return SearchVector(document, config=SEARCH_CONFIG)


def search_listings(listings: QuerySet[ProductListing], text: str) -> QuerySet[ProductListing]:
    """Rows of the products matching the query text."""
    return listings.filter(product__in=matching_products(text).values("pk"))


def matching_products(text: str) -> QuerySet[Product]:
    """Products whose search document matches the query text (none if it has no words)."""
    if connection.vendor == "postgresql":
        # Matching on the product table itself is what lets PostgreSQL use the GIN index.
        return Product.objects.alias(search_match=search_vector()).filter(
            search_match=_search_query(text)
        )
    words = search_words(text)
    if not words:
        return Product.objects.none()
    return Product.objects.filter(_every_word("search_document", words))


def search_relevance(text: str) -> Combinable:
    """How well a listing row's product matches the query text, to order by (higher first)."""
    if connection.vendor == "postgresql":
        # A subquery per row: ranking only the matching rows' documents. As a join, the planner
        # may rank every product's document first, to read them in rank order (50x slower).
        ranked = Product.objects.filter(pk=OuterRef("product_id")).order_by().annotate(
            rank=SearchRank(search_vector(), _search_query(text))
        )
        return Subquery(ranked.values("rank"))
    words = search_words(text)
    if not words:
        return Value(0)
    return Case(When(_every_word("product__title", words), then=Value(1)), default=Value(0))


def _search_query(text: str) -> SearchQuery:
    return SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")


def _every_word(field: str, words: list[str]) -> Q:
    return reduce(and_, (Q(**{f"{field}__icontains": word}) for word in words))
