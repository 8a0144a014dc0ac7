"""GET /api/v1/products and /products/{slug}: `sale_price` is what the cart charges for one
unit (automatic promotions without code or basket condition); `price` stays the list price."""

from decimal import Decimal

import pytest

from tests.cart.pricing_data import german_vat, percent_off
from tests.catalog.builders import add_variant, listed_product
from tests.factories import CategoryFactory, VariantPriceFactory
from tests.pricing.factories import CouponFactory

pytestmark = pytest.mark.django_db


def eur(amount: str) -> dict:
    return {"amount": amount, "currency": "EUR"}


@pytest.fixture
def coats(settings):
    settings.MERCATO_PRICES_INCLUDE_TAX = True
    german_vat()
    outerwear = CategoryFactory(slug="outerwear")
    coats = CategoryFactory(slug="coats", parent=outerwear)
    percent_off("Winter sale", "20", categories=(outerwear,), priority=20)
    CouponFactory(code="HALF", promotion=percent_off("Half", "50", requires_coupon=True))
    percent_off("Over 100", "10", min_order_value=Decimal(100), currency="EUR")
    return coats


def test_the_listing_gives_each_product_its_sale_price_beside_the_list_price(api, coats):
    coat = listed_product(title="Coat", price="176.00", category=coats)
    shirt = listed_product(title="Shirt", price="40.00")

    items = {item["slug"]: item for item in api.get("/products").json()["items"]}

    assert items[coat.slug]["price"] == eur("176.00")
    assert items[coat.slug]["sale_price"] == eur("140.80")
    assert items[coat.slug]["sale_promotions"] == ["Winter sale"]
    assert items[coat.slug]["compare_at_price"] is None
    assert (items[shirt.slug]["sale_price"], items[shirt.slug]["sale_promotions"]) == (
        eur("40.00"), [])


def test_the_product_gives_each_variant_price_its_sale_price_in_every_currency(api, coats):
    coat = listed_product(title="Coat", price="176.00", category=coats)
    add_variant(coat, prices={"EUR": "200.00"}, on_hand=1, compare_at="250.00")
    VariantPriceFactory(variant=coat.variants.order_by("pk").first(), currency="USD",
                        amount=Decimal("190.00"))

    variants = api.get(f"/products/{coat.slug}").json()["variants"]

    prices = [(p["price"]["amount"], p["sale_price"]["amount"], p["sale_price"]["currency"])
              for variant in variants for p in variant["prices"]]
    assert sorted(prices) == [("176.00", "140.80", "EUR"), ("190.00", "152.00", "USD"),
                              ("200.00", "160.00", "EUR")]
    assert variants[1]["prices"][0]["compare_at"] == eur("250.00")


def test_the_openapi_schema_documents_the_sale_price(client):
    schema = client.get("/api/openapi.json").json()
    item = schema["components"]["schemas"]["SalePricedListItemOut"]["properties"]
    assert "automatic promotions" in item["sale_price"]["description"]
    assert schema["paths"]["/api/v1/products"]["get"]["operationId"] == (
        "mercato_catalog_api_list_products")
