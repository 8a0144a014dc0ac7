"""What search engines and caches see: JSON-LD, meta tags, sitemap, robots, cache headers,
the 404 page."""

import extruct
import pytest
from django.conf import settings
from django.test import Client

from mercato.catalog.models import Product

pytestmark = pytest.mark.django_db


def structured_data(response, *syntaxes: str) -> dict:
    return extruct.extract(response.content.decode(), base_url="http://testserver/",
                           syntaxes=list(syntaxes), uniform=True)


def test_product_page_json_ld_describes_the_product_and_its_offers(client, shop_catalog):
    data = structured_data(client.get("/p/linen-shirt/"), "json-ld")["json-ld"]
    [product] = [item for item in data if item["@type"] == "Product"]
    assert product["name"] == "Linen shirt"
    assert product["sku"] == shop_catalog.linen_small.sku
    assert product["brand"] == {"@type": "Brand", "name": "Acme"}
    assert product["image"] == ["http://testserver/media/linen.jpg"]
    offers = {offer["sku"]: offer for offer in product["offers"]}
    assert offers[shop_catalog.linen_small.sku] | {"url": None} == {
        "@type": "Offer", "sku": shop_catalog.linen_small.sku, "price": "29.90",
        "priceCurrency": "EUR", "availability": "https://schema.org/InStock",
        "itemCondition": "https://schema.org/NewCondition", "url": None,
    }
    assert offers[shop_catalog.linen_large.sku]["availability"] == (
        "https://schema.org/OutOfStock")
    assert offers[shop_catalog.linen_large.sku]["price"] == "31.90"


def test_json_ld_cannot_be_broken_out_of_by_product_text(client, shop_catalog):
    Product.objects.filter(pk=shop_catalog.oxford_shirt.pk).update(
        title="Shirt </script><script>alert(1)</script>")
    response = client.get("/p/oxford-shirt/")
    assert "<script>alert(1)" not in response.content.decode()
    [product] = structured_data(response, "json-ld")["json-ld"]
    assert product["name"] == "Shirt </script><script>alert(1)</script>"


def test_product_page_meta_description_canonical_and_open_graph(client, shop_catalog):
    response = client.get("/p/linen-shirt/?utm_source=mail")
    page = response.content.decode()
    assert '<meta name="description" content="A light shirt for summer days.">' in page
    assert '<link rel="canonical" href="http://testserver/p/linen-shirt/">' in page
    [graph] = structured_data(response, "opengraph")["opengraph"]
    assert graph["@type"] == "product"  # og:type, as uniform extruct names it
    assert graph["og:title"] == "Linen shirt"
    assert graph["og:url"] == "http://testserver/p/linen-shirt/"
    assert graph["og:image"] == "http://testserver/media/linen.jpg"
    assert graph["product:price:amount"] == "29.90"


def test_sitemap_lists_home_categories_and_published_products(client, shop_catalog,
                                                              django_assert_max_num_queries):
    Product.objects.filter(pk=shop_catalog.trail_shoe.pk).update(is_published=False)
    with django_assert_max_num_queries(4):  # a count and a page of each model
        response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    xml = response.content.decode()
    assert "<loc>http://testserver/</loc>" in xml
    assert "<loc>http://testserver/c/shirts/</loc>" in xml
    assert "<loc>http://testserver/p/linen-shirt/</loc>" in xml
    assert "<loc>http://testserver/p/oxford-shirt/</loc>" in xml
    assert "trail-shoe" not in xml
    assert "<lastmod>" in xml


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /checkout/" in lines
    assert "Disallow: /admin/" in lines


@pytest.mark.parametrize("path", ["/", "/c/clothing/", "/search/?q=shirt"])
def test_anonymous_catalog_pages_are_cacheable_and_revalidate(client, shop_catalog, path):
    response = client.get(path)
    assert "public" in response["Cache-Control"]
    assert "max-age=60" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]
    again = client.get(path, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_product_page_with_a_new_csrf_token_is_cached_privately_only(shop_catalog):
    browser = Client()
    first = browser.get("/p/linen-shirt/")
    assert "private" in first["Cache-Control"] and "public" not in first["Cache-Control"]
    assert settings.CSRF_COOKIE_NAME in first.cookies
    second = browser.get("/p/linen-shirt/")  # the browser now holds the CSRF cookie
    assert "public" in second["Cache-Control"]


def test_pages_of_a_shopper_with_a_cart_are_never_cached(cart_client):
    for path in ["/", "/c/clothing/", "/p/linen-shirt/"]:
        response = cart_client.get(path)
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
        assert not response.has_header("ETag")


def test_pages_of_a_logged_in_customer_are_never_cached(customer_client, shop_catalog):
    response = customer_client.get("/c/clothing/")
    assert "no-store" in response["Cache-Control"]
    assert "My account" in response.content.decode()


def test_missing_page_is_shown_in_the_shop_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Page not found</h1>" in page
    assert 'role="search"' in page and 'href="/cart/"' in page
    assert '<meta name="robots" content="noindex">' in page


def test_unknown_api_path_is_still_problem_json(client):
    assert client.get("/api/v1/nothing-here")["Content-Type"] == "application/problem+json"

