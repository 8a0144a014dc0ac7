"""Catalog pages: home, category listing with facets, search, product page."""

import re

import pytest
from django.utils import translation

from mercato.catalog.models import Product
from mercato.core.money import Money
from mercato.storefront.templatetags.storefront import money
from tests.catalog.builders import listed_product

pytestmark = pytest.mark.django_db

# Bounded whatever the catalog's size: the listing's own queries (tree, totals, page, three
# facets) plus the category page's tree; the product page's prefetches; and on every page the
# shelf prices (pricing.selectors.shelf_prices_for: promotions, category tree, two targets).
SHELF_QUERIES = 4
HOME_QUERIES = 4 + SHELF_QUERIES
LISTING_QUERIES = 8 + SHELF_QUERIES
PRODUCT_QUERIES = 8 + SHELF_QUERIES


def titles(response) -> list[str]:
    """Product titles of the listing's cards, in order."""
    return re.findall(r'class="product-card__title">([^<]+)<', response.content.decode())


def test_home_shows_categories_and_products_in_stock(client, shop_catalog,
                                                     django_assert_max_num_queries):
    with django_assert_max_num_queries(HOME_QUERIES):
        response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<a href="/c/clothing/">Clothing</a>' in page
    assert '<a href="/c/shirts/">Shirts</a>' in page
    assert set(titles(response)) == {"Linen shirt", "Oxford shirt"}  # the shoe is sold out
    assert 'data-slot="home-hero"' in page
    assert 'href="/api/docs"' in page and 'href="/admin/"' in page


def test_category_lists_its_subtree_with_facets(client, shop_catalog,
                                                django_assert_max_num_queries):
    with django_assert_max_num_queries(LISTING_QUERIES):
        response = client.get("/c/clothing/")
    assert response.status_code == 200
    page = response.content.decode()
    assert titles(response) == ["Trail shoe", "Oxford shirt", "Linen shirt"]  # newest first
    assert "3 products" in page
    assert '<a href="/c/shirts/">Shirts <span class="count">(2)</span></a>' in page
    assert 'id="brand-acme" name="brand" value="acme"' in page
    assert 'name="attr" value="material:linen"' in page
    assert '<label for="filter-min-price">Minimum price</label>' in page


def test_query_count_does_not_grow_with_the_catalog(client, shop_catalog,
                                                    django_assert_max_num_queries):
    for number in range(10):
        listed_product(title=f"Shirt {number}", category=shop_catalog.shirts,
                       attributes=(f"colour:c{number}",))
    with django_assert_max_num_queries(LISTING_QUERIES):
        assert client.get("/c/clothing/?in_stock=true&sort=price").status_code == 200


def test_category_page_has_breadcrumb_and_canonical(client, shop_catalog):
    page = client.get("/c/shirts/?sort=price").content.decode()
    assert '<li><a href="/c/clothing/">Clothing</a></li>' in page
    assert '<link rel="canonical" href="http://testserver/c/shirts/">' in page
    assert "<h1>Shirts</h1>" in page


def test_brand_filter_narrows_and_stays_checked(client, shop_catalog):
    response = client.get("/c/clothing/", {"brand": "zenith"})
    assert titles(response) == ["Oxford shirt"]
    assert 'value="zenith" checked' in response.content.decode()


def test_brand_facet_still_counts_the_other_brands(client, shop_catalog):
    page = client.get("/c/clothing/", {"brand": "zenith"}).content.decode()
    assert 'for="brand-acme">Acme <span class="count">(2)</span>' in page


def test_attribute_filter_matches_product_or_variant_values(client, shop_catalog):
    assert titles(client.get("/c/clothing/", {"attr": "material:linen"})) == ["Linen shirt"]
    assert titles(client.get("/c/clothing/", {"attr": "size:large"})) == ["Linen shirt"]


def test_price_range_filter(client, shop_catalog):
    response = client.get("/c/clothing/", {"min_price": "30", "max_price": "60"})
    assert titles(response) == ["Oxford shirt"]
    assert 'name="min_price"' in response.content.decode()


def test_in_stock_filter_hides_sold_out_products(client, shop_catalog):
    response = client.get("/c/clothing/", {"in_stock": "true"})
    assert titles(response) == ["Oxford shirt", "Linen shirt"]
    assert 'id="filter-in-stock" name="in_stock" value="true" checked' in (
        response.content.decode())


def test_sorting_by_price_descending(client, shop_catalog):
    response = client.get("/c/clothing/", {"sort": "-price"})
    assert titles(response) == ["Trail shoe", "Oxford shirt", "Linen shirt"]
    assert '<option value="-price" selected>' in response.content.decode()


def test_invalid_filters_are_explained_and_left_out(client, shop_catalog):
    response = client.get("/c/clothing/", {"min_price": "cheap", "sort": "random",
                                           "brand": "acme"})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="field-error"') == 2
    assert 'aria-invalid="true"' in page
    assert titles(response) == ["Trail shoe", "Linen shirt"]  # the valid brand filter applies


def test_pagination_keeps_the_filters(client, shop_catalog):
    for number in range(25):
        listed_product(title=f"Tee {number:02d}", category=shop_catalog.shirts)
    first = client.get("/c/shirts/", {"sort": "title", "in_stock": "true"})
    page = first.content.decode()
    assert len(titles(first)) == 24
    assert "Page 1 of 2" in page
    next_link = re.search(r'rel="next" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert "sort=title" in next_link and "in_stock=true" in next_link
    second = client.get("/c/shirts/" + next_link)
    assert titles(second) == ["Tee 22", "Tee 23", "Tee 24"]  # after Linen, Oxford, Tee 00-21
    assert 'rel="prev"' in second.content.decode()


def test_unknown_category_is_the_404_page(client, shop_catalog):
    response = client.get("/c/no-such-category/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_search_finds_products_by_words(client, shop_catalog, django_assert_max_num_queries):
    with django_assert_max_num_queries(LISTING_QUERIES):
        response = client.get("/search/", {"q": "linen"})
    page = response.content.decode()
    assert titles(response) == ["Linen shirt"]
    assert "Results for “linen”" in page
    assert '<meta name="robots" content="noindex, follow">' in page
    assert 'type="hidden" name="q" value="linen"' in page
    assert '<option value="relevance" selected>' in page


def test_search_filters_by_category(client, shop_catalog):
    response = client.get("/search/", {"q": "", "category": "shoes"})
    assert titles(response) == ["Trail shoe"]
    assert '<option value="shoes" selected>' in response.content.decode()


def test_search_without_words_lists_every_product(client, shop_catalog):
    response = client.get("/search/")
    assert len(titles(response)) == 3
    assert "<h1>All products</h1>" in response.content.decode()


def test_search_without_matches_says_so(client, shop_catalog):
    response = client.get("/search/", {"q": "submarine"})
    assert titles(response) == []
    assert "No products match “submarine”" in response.content.decode()


def test_product_page_offers_variants_price_and_add_to_cart(client, shop_catalog,
                                                            django_assert_max_num_queries):
    with django_assert_max_num_queries(PRODUCT_QUERIES):
        response = client.get("/p/linen-shirt/")
    assert response.status_code == 200
    page = response.content.decode()
    small, large = shop_catalog.linen_small.sku, shop_catalog.linen_large.sku
    assert '<form method="post" action="/cart/add/"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert re.search(rf'id="variant-{small}" name="sku" value="{small}"\s+checked>', page)
    assert re.search(rf'id="variant-{large}" name="sku" value="{large}"\s+disabled>', page)
    assert "€29.90" in page and "€39.90</del>" in page  # price with compare-at
    assert "Large — €31.90 (sold out)" in page
    assert "In stock" in page
    assert '<label for="quantity">Quantity</label>' in page
    assert ">Add to cart</button>" in page
    assert "<h1>Linen shirt</h1>" in page
    assert "<dt>Material</dt>" in page


def test_sold_out_product_cannot_be_added(client, shop_catalog):
    page = client.get("/p/trail-shoe/").content.decode()
    assert "Sold out" in page
    assert 'class="button button--primary" disabled>Add to cart</button>' in page
    assert f'type="hidden" name="sku" value="{shop_catalog.trail_shoe.variants.get().sku}"' in page


def test_unpublished_product_is_not_found(client, shop_catalog):
    Product.objects.filter(pk=shop_catalog.oxford_shirt.pk).update(is_published=False)
    assert client.get("/p/oxford-shirt/").status_code == 404
    assert client.get("/p/no-such-product/").status_code == 404


def test_prices_follow_the_shoppers_locale():
    with translation.override("de-de"):
        assert money(Money("1234.5", "EUR")) == "1.234,50\xa0€"
    with translation.override("en-gb"):
        assert money("9.5", "GBP") == "£9.50"
