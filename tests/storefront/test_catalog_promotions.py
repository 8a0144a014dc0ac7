"""Catalog pages show what the shopper will pay: the automatic promotions that need no code and
no basket condition, the old price struck through, the same as the cart charges."""

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from mercato.catalog.models import Category, Product
from mercato.demo.pricing_data import seed_demo_pricing
from mercato.pricing.models import Promotion
from tests.cart.pricing_data import german_vat, percent_off
from tests.catalog.builders import add_variant, listed_product
from tests.factories import CategoryFactory
from tests.pricing.factories import CouponFactory
from tests.storefront.test_catalog import LISTING_QUERIES, PRODUCT_QUERIES

pytestmark = pytest.mark.django_db


@pytest.fixture
def winter(settings) -> dict[str, Category]:
    """The demo's Winter sale (20 % off outerwear and knitwear), its "10 % off orders over
    100" and WELCOME10, over the demo's category slugs; jackets sit below men-outerwear."""
    settings.MERCATO_PRICES_INCLUDE_TAX = True
    german_vat()
    men = CategoryFactory(name="Men", slug="men")
    outerwear = CategoryFactory(name="Outerwear", slug="men-outerwear", parent=men)
    jackets = CategoryFactory(name="Jackets", slug="men-jackets", parent=outerwear)
    shirts = CategoryFactory(name="Shirts", slug="men-shirts", parent=men)
    seed_demo_pricing()
    assert Promotion.objects.filter(name="Winter sale").exists()
    return {"men": men, "outerwear": outerwear, "jackets": jackets, "shirts": shirts}


def jacket(categories, *, price: str = "176.00", slug: str = "parka") -> Product:
    return listed_product(title="Parka", slug=slug, price=price, category=categories["jackets"])


def shown_price(page: str) -> str:
    """The product page's price block, tags dropped."""
    block = re.search(r'id="product-price">(.*?)</p>', page, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", block).split())


def offers(page: str) -> list[dict]:
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page,
                                re.S).group(1))
    return data["offers"]


def cart_line(api, sku: str) -> dict:
    response = api.post("/cart/lines", {"sku": sku, "quantity": 1})
    assert response.status_code == 200, response.content
    (line,) = response.json()["lines"]
    return line


def test_the_product_page_and_the_cart_agree_on_the_winter_sale(client, api, winter):
    parka = jacket(winter, price="89.00")  # below the 100 of "orders over 100"
    page = client.get("/p/parka/").content.decode()
    assert shown_price(page) == "€71.20 was €89.00"
    assert "<del" in page
    assert [offer["price"] for offer in offers(page)] == ["71.20"]
    line = cart_line(api, parka.variants.get().sku)
    assert line["line_total"] == {"amount": "71.20", "currency": "EUR"}
    assert [d["name"] for d in line["discounts"]] == ["Winter sale"]


def test_a_minimum_order_promotion_and_a_code_stay_off_the_catalog(client, api, winter):
    """176.00 with the Winter sale is 140.80 on the page; the cart of one parka also reaches
    "10 % off orders over 100" (a basket condition) and WELCOME10 needs its code: neither is on
    the page, the Winter sale takes the same off the line in the cart."""
    parka = jacket(winter)
    page = client.get("/p/parka/").content.decode()
    assert shown_price(page) == "€140.80 was €176.00"
    assert "126.72" not in page and "Welcome" not in page
    line = cart_line(api, parka.variants.get().sku)
    discounts = {d["name"]: d["amount"]["amount"] for d in line["discounts"]}
    assert discounts == {"Winter sale": "35.20", "10 % off orders over 100": "14.08"}


def test_a_code_only_promotion_is_not_shown_and_not_charged_without_its_code(client, api,
                                                                              winter):
    CouponFactory(code="SHIRTS50", promotion=percent_off(
        "Shirts half price", "50", categories=(winter["shirts"],), requires_coupon=True))
    shirt = listed_product(title="Oxford", slug="oxford", price="40.00",
                           category=winter["shirts"])
    page = client.get("/p/oxford/").content.decode()
    assert shown_price(page) == "€40.00"
    assert "<del" not in page
    assert cart_line(api, shirt.variants.get().sku)["line_total"]["amount"] == "40.00"


def test_listing_cards_show_the_sale_price_with_the_old_one_struck(client, winter,
                                                                   django_assert_max_num_queries):
    jacket(winter)
    listed_product(title="Oxford", slug="oxford", price="40.00", category=winter["shirts"])
    with django_assert_max_num_queries(LISTING_QUERIES):
        page = client.get("/c/men/").content.decode()
    assert re.search(r'price__now">€140.80</span> <del class="price__was">'
                     r'<span class="visually-hidden">was </span>€176.00</del>', page)
    assert "€40.00" in page
    for url in ("/", "/search/?q=parka"):
        assert "€140.80" in client.get(url).content.decode()


def test_every_variant_in_the_picker_is_priced_like_the_cart(client, api, winter):
    parka = jacket(winter)
    large = add_variant(parka, prices={"EUR": "196.00"}, on_hand=3, options=("size:large",),
                        compare_at="250.00")
    page = client.get("/p/parka/").content.decode()
    assert re.search(r"— €156.80 <del><span class=\"visually-hidden\">was </span>€250.00</del>",
                     page)  # the compare-at price is the higher old price: shown once
    assert page.count("€250.00") == 1
    assert sorted(offer["price"] for offer in offers(page)) == ["140.80", "156.80"]
    discounts = {d["name"]: d["amount"]["amount"] for d in cart_line(api, large.sku)["discounts"]}
    assert Decimal("196.00") - Decimal(discounts["Winter sale"]) == Decimal("156.80")


def test_a_page_prices_many_products_in_a_fixed_number_of_queries(
        client, winter, django_assert_max_num_queries):
    for number in range(12):
        jacket(winter, slug=f"parka-{number}")
    percent_off("Parka week", "5", categories=(winter["outerwear"],))
    with django_assert_max_num_queries(LISTING_QUERIES):
        assert client.get("/c/men/").status_code == 200
    with django_assert_max_num_queries(PRODUCT_QUERIES):
        assert client.get("/p/parka-3/").status_code == 200


def test_a_promotion_that_starts_shows_on_the_next_page_and_changes_the_etag(winter):
    jacket(winter)
    shopper = Client()
    Promotion.objects.filter(name="Winter sale").update(is_active=False)
    first = shopper.get("/p/parka/")
    assert "€176.00" in first.content.decode() and "<del" not in first.content.decode()
    Promotion.objects.filter(name="Winter sale").update(is_active=True)
    again = shopper.get("/p/parka/", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert "€140.80" in again.content.decode()


def test_pages_are_cached_no_longer_than_until_a_promotion_starts_or_ends(client, winter):
    jacket(winter)
    assert "max-age=60" in client.get("/p/parka/")["Cache-Control"]
    Promotion.objects.filter(name="Winter sale").update(
        ends_at=timezone.now() + timedelta(seconds=20))
    for url in ("/p/parka/", "/c/men/", "/", "/search/?q=parka"):
        max_age = int(re.search(r"max-age=(\d+)", client.get(url)["Cache-Control"]).group(1))
        assert 0 < max_age <= 20, url
    Promotion.objects.filter(name="Winter sale").update(
        starts_at=timezone.now() + timedelta(seconds=10), ends_at=None)
    response = client.get("/p/parka/")
    assert "€176.00" in response.content.decode()
    assert int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1)) <= 10

