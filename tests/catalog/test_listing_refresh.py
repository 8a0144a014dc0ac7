from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mercato.catalog import services
from mercato.catalog.models import Product, ProductListing, ProductListingValue, VariantPrice
from mercato.catalog.services import refresh_listings
from tests.catalog.builders import add_variant, attribute_value, listed_product
from tests.factories import ProductFactory, ProductVariantFactory

pytestmark = pytest.mark.django_db


def listing_rows(product: Product) -> dict[str, ProductListing]:
    return {row.currency: row for row in ProductListing.objects.filter(product=product)}


def value_slugs(product: Product) -> set[str]:
    pairs = ProductListingValue.objects.filter(product=product).select_related("value")
    return {pair.value.slug for pair in pairs}


def test_listing_row_holds_the_cheapest_price_and_the_product_data_per_currency():
    product = listed_product(price="30.00", title="Linen Shirt", on_hand=0)
    add_variant(product, prices={"EUR": "25.00", "USD": "40.00"}, compare_at="35.00")
    add_variant(product, prices={"USD": "20.00"})

    rows = listing_rows(product)

    assert set(rows) == {"EUR", "USD"}
    eur, usd = rows["EUR"], rows["USD"]
    assert (eur.price_amount, eur.compare_at_amount) == (Decimal("25.00"), Decimal("35.00"))
    assert (usd.price_amount, usd.compare_at_amount) == (Decimal("20.00"), None)
    assert (eur.is_published, eur.category_id, eur.brand_id) == (
        True, product.category_id, product.brand_id)
    assert (eur.created_at, eur.title_sort) == (product.created_at, "linen shirt")
    assert eur.in_stock is False


def test_compare_at_price_is_kept_only_above_the_cheapest_price():
    product = listed_product(price="99.00")
    add_variant(product, prices={"EUR": "10.00"}, compare_at="10.00")

    assert listing_rows(product)["EUR"].compare_at_amount is None


def test_equal_prices_take_the_compare_at_price_of_the_earlier_price_row():
    product = listed_product(price="10.00")
    add_variant(product, prices={"EUR": "10.00"}, compare_at="12.00")

    assert listing_rows(product)["EUR"].compare_at_amount is None


def test_in_stock_means_some_variant_has_units_not_yet_allocated():
    all_allocated = listed_product(on_hand=3, allocated=3)
    second_variant_stocked = listed_product(on_hand=0)
    add_variant(second_variant_stocked, prices={"EUR": "5.00"}, on_hand=1)

    assert listing_rows(all_allocated)["EUR"].in_stock is False
    assert listing_rows(second_variant_stocked)["EUR"].in_stock is True


def test_refresh_drops_the_row_of_a_currency_left_without_price():
    product = listed_product(currency="EUR")
    add_variant(product, prices={"USD": "20.00"})
    VariantPrice.objects.filter(variant__product=product, currency="USD").delete()

    refresh_listings(product_ids=[product.pk])

    assert set(listing_rows(product)) == {"EUR"}


def test_product_without_prices_has_no_listing_rows():
    product = ProductFactory()
    ProductVariantFactory(product=product)

    assert refresh_listings(product_ids=[product.pk]) == 0
    assert listing_rows(product) == {}


def test_refresh_follows_product_changes_and_counts_the_rows_it_changed():
    product = listed_product(title="Mug")
    untouched = listed_product()
    Product.objects.filter(pk__in=[product.pk, untouched.pk]).update(
        title="Big Mug", is_published=False, brand=None,
        created_at=timezone.now() - timedelta(days=3),
    )

    assert refresh_listings(product_ids=[product.pk]) == 1
    assert refresh_listings(product_ids=[product.pk]) == 0

    row = listing_rows(product)["EUR"]
    assert (row.title_sort, row.is_published, row.brand_id) == ("big mug", False, None)
    assert listing_rows(untouched)["EUR"].title_sort != "big mug"


def test_refresh_of_every_product_repairs_the_listing_and_then_changes_nothing():
    products = [listed_product(attributes=("material:linen",)) for _ in range(3)]
    ProductListing.objects.filter(product=products[0]).delete()
    ProductListing.objects.filter(product=products[1]).update(price_amount=Decimal("1.00"))
    ProductListingValue.objects.all().delete()

    assert refresh_listings() == 2
    assert refresh_listings() == 0

    assert all(listing_rows(product)["EUR"].price_amount == Decimal("19.90")
               for product in products)
    assert all(value_slugs(product) == {"linen"} for product in products)


def test_attribute_values_are_the_products_and_its_variants_once_each():
    product = listed_product(attributes=("colour:red", "material:linen"),
                             options=("colour:red", "size:m"))
    variant = add_variant(product, prices={"EUR": "9.00"}, options=("size:l",))

    assert value_slugs(product) == {"red", "linen", "m", "l"}

    variant.option_values.remove(attribute_value("size", "l"))
    product.attribute_values.remove(attribute_value("material", "linen"))
    refresh_listings(product_ids=[product.pk])

    assert value_slugs(product) == {"red", "m"}


def test_refresh_runs_the_same_queries_for_one_product_or_many():
    products = [listed_product(options=("colour:red",)) for _ in range(12)]
    with CaptureQueriesContext(connection) as one:
        refresh_listings(product_ids=[products[0].pk])
    with CaptureQueriesContext(connection) as many:
        refresh_listings(product_ids=[product.pk for product in products])
    with CaptureQueriesContext(connection) as every:
        refresh_listings()

    assert len(one) == len(many) == len(every) <= 10


def test_many_product_ids_are_refreshed_in_rounds_of_bounded_size(monkeypatch):
    products = [listed_product() for _ in range(5)]
    ProductListing.objects.all().delete()
    monkeypatch.setattr(services, "LISTING_CHUNK", 2)

    assert refresh_listings(product_ids=[product.pk for product in products]) == 5
    assert ProductListing.objects.count() == 5
