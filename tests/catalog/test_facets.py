import pytest

from tests.catalog.builders import add_variant, listed_product
from tests.factories import BrandFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def facets(api, params=None):
    response = api.get("/products", params or {})
    assert response.status_code == 200
    return response.json()["facets"]


def test_category_facet_counts_sub_category_products_in_their_parents(api):
    clothing = CategoryFactory(slug="clothing", name="Clothing")
    shirts = CategoryFactory(slug="shirts", name="Shirts", parent=clothing)
    listed_product(category=clothing)
    listed_product(category=shirts)
    listed_product(category=shirts)
    listed_product(category=None)

    assert facets(api)["categories"] == [
        {"slug": "clothing", "name": "Clothing", "count": 3, "parent": None},
        {"slug": "shirts", "name": "Shirts", "count": 2, "parent": "clothing"},
    ]


def test_brand_facet_counts_products_per_brand(api):
    acme, zeta = BrandFactory(slug="acme", name="Acme"), BrandFactory(slug="zeta", name="Zeta")
    listed_product(brand=zeta)
    listed_product(brand=acme)
    listed_product(brand=acme)
    listed_product(brand=None)

    assert facets(api)["brands"] == [
        {"slug": "acme", "name": "Acme", "count": 2},
        {"slug": "zeta", "name": "Zeta", "count": 1},
    ]


def test_attribute_facet_counts_each_product_once_per_value(api):
    both_ways = listed_product(attributes=("colour:red",), options=("colour:red", "size:m"))
    add_variant(both_ways, prices={"EUR": "9.00"}, options=("colour:red", "size:l"))
    listed_product(options=("colour:blue", "size:m"))

    assert facets(api)["attributes"] == [
        {"slug": "colour", "name": "Colour", "values": [
            {"slug": "blue", "name": "Blue", "count": 1},
            {"slug": "red", "name": "Red", "count": 1},
        ]},
        {"slug": "size", "name": "Size", "values": [
            {"slug": "l", "name": "L", "count": 1},
            {"slug": "m", "name": "M", "count": 2},
        ]},
    ]


def test_price_range_is_money_in_the_chosen_currency(api):
    listed_product(price="12.50")
    listed_product(price="99.00")
    listed_product(price="40.00", currency="USD")

    assert facets(api)["price_range"] == {
        "min": {"amount": "12.50", "currency": "EUR"},
        "max": {"amount": "99.00", "currency": "EUR"},
    }
    assert facets(api, {"currency": "USD"})["price_range"]["min"] == {
        "amount": "40.00", "currency": "USD"}


def test_facets_count_only_the_filtered_products(api):
    acme = BrandFactory(slug="acme", name="Acme")
    listed_product(brand=acme, price="10.00", options=("colour:red",))
    listed_product(price="80.00", options=("colour:blue",))
    listed_product(brand=acme, is_published=False, options=("colour:green",))

    narrowed = facets(api, {"max_price": "50"})

    assert narrowed["brands"] == [{"slug": "acme", "name": "Acme", "count": 1}]
    assert narrowed["attributes"][0]["values"] == [{"slug": "red", "name": "Red", "count": 1}]
    assert narrowed["price_range"]["max"]["amount"] == "10.00"


def test_brand_facet_ignores_the_brand_filter_so_other_brands_stay_choosable(api):
    acme, zeta = BrandFactory(slug="acme", name="Acme"), BrandFactory(slug="zeta", name="Zeta")
    listed_product(brand=acme, options=("colour:red",))
    listed_product(brand=zeta, options=("colour:blue",))

    chosen = facets(api, {"brand": "acme"})

    assert [brand["slug"] for brand in chosen["brands"]] == ["acme", "zeta"]
    assert [value["slug"] for value in chosen["attributes"][0]["values"]] == ["red"]
