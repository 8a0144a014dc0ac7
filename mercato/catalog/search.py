"""Full-text product search: PostgreSQL text search, or every-word matching on SQLite.

Both backends narrow a product queryset and give it a `search_relevance` alias to order by.
"""

from functools import reduce
from operator import and_

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, Q, QuerySet, Value, When
from django.db.models.expressions import Combinable

from mercato.catalog.rules import search_words

SEARCH_CONFIG = "english"


def search_vector() -> SearchVector:
    # Migration 0002 indexes exactly this expression on PostgreSQL: change both together.
    return SearchVector("search_document", config=SEARCH_CONFIG)


def search_products(products: QuerySet, text: str) -> QuerySet:
    """Products matching the query text, aliased with `search_relevance` (higher is better)."""
    if connection.vendor == "postgresql":
        return _postgres_search(products, text)
    return _every_word_search(products, text)


def _postgres_search(products: QuerySet, text: str) -> QuerySet:
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    return products.alias(search_match=search_vector()).filter(search_match=query).alias(
        search_relevance=SearchRank(search_vector(), query)
    )


def _every_word_search(products: QuerySet, text: str) -> QuerySet:
    words = search_words(text)
    if not words:
        return products.none()
    in_document = reduce(and_, (Q(search_document__icontains=word) for word in words))
    in_title = reduce(and_, (Q(title__icontains=word) for word in words))
    relevance: Combinable = Case(When(in_title, then=Value(1)), default=Value(0))
    return products.filter(in_document).alias(search_relevance=relevance)
