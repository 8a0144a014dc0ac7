import pytest
from django.db import connection

from mercato.catalog.models import Product
from mercato.catalog.search import matching_products
from mercato.catalog.selectors.categories import category_tree_index
from mercato.catalog.selectors.listing import ListingFilters, filtered_listings
from tests.catalog.builders import created_days_ago, listed_product, slugs

pytestmark = pytest.mark.django_db


def searchable(title: str, document: str, *, days_old: int = 0, **fields: object) -> Product:
    product = listed_product(title=title, search_document=document, **fields)
    created_days_ago(product, days_old)
    return product


def test_search_finds_products_containing_every_word(api):
    both = searchable("Linen shirt", "Linen shirt\nAcme\nShirts\nlight summer wear")
    searchable("Cotton shirt", "Cotton shirt\nAcme\nShirts\nheavy winter wear")
    searchable("Linen trousers", "Linen trousers\nAcme\nTrousers")

    response = api.get("/products", {"q": "linen shirt"})

    assert response.status_code == 200
    assert slugs(response) == [both.slug]


def test_search_without_match_is_an_empty_page_with_empty_facets(api):
    searchable("Linen shirt", "Linen shirt")

    body = api.get("/products", {"q": "submarine"}).json()

    assert (body["items"], body["total"], body["pages"]) == ([], 0, 0)
    assert body["facets"] == {"categories": [], "brands": [], "attributes": [],
                              "price_range": None}


def test_search_orders_by_relevance_by_default(api):
    in_title = searchable("Linen shirt", "Linen shirt\nA linen shirt for summer", days_old=3)
    in_text = searchable("Summer top", "Summer top\nWear it over a linen shirt", days_old=1)

    relevance = api.get("/products", {"q": "linen shirt"}).json()
    newest = api.get("/products", {"q": "linen shirt", "sort": "newest"}).json()

    assert relevance["sort"] == "relevance"
    assert [item["slug"] for item in relevance["items"]] == [in_title.slug, in_text.slug]
    assert [item["slug"] for item in newest["items"]] == [in_text.slug, in_title.slug]


def test_search_combines_with_filters_and_keeps_the_response_shape(api):
    cheap = searchable("Linen shirt", "Linen shirt", price="10.00")
    searchable("Linen dress", "Linen dress", price="90.00")

    body = api.get("/products", {"q": "linen", "max_price": "50"}).json()
    plain = api.get("/products").json()

    assert [item["slug"] for item in body["items"]] == [cheap.slug]
    assert body.keys() == plain.keys()
    assert body["items"][0].keys() == plain["items"][0].keys()


def test_search_ignores_punctuation_and_case(api):
    product = searchable("Linen shirt", "Linen shirt\nAcme")

    assert slugs(api.get("/products", {"q": "  LINEN, acme! "})) == [product.slug]


def test_search_matches_word_forms_on_postgresql(api, on_postgres):
    if not on_postgres:
        pytest.skip("stemming is a PostgreSQL full-text feature")
    product = searchable("Linen shirt", "Linen shirt\nAcme")

    assert slugs(api.get("/products", {"q": "shirts"})) == [product.slug]


def test_postgresql_search_uses_the_gin_index(on_postgres):
    if not on_postgres:
        pytest.skip("the GIN index exists on PostgreSQL only")
    searchable("Linen shirt", "Linen shirt")
    # The listing narrows its rows to these products (test below); with a handful of rows the
    # planner may rightly prefer another plan for the whole query, so the match is explained.
    products = matching_products("linen")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")

    assert "catalog_product_search_gin" in products.explain()


def test_listing_search_narrows_rows_to_the_matching_products():
    shirt = searchable("Linen shirt", "Linen shirt")
    searchable("Cotton dress", "Cotton dress")

    listings = filtered_listings(filters=ListingFilters(currency="EUR", q="linen"),
                                 tree=category_tree_index())

    assert [listing.product_id for listing in listings] == [shirt.pk]
