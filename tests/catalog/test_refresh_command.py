import io

import pytest
from django.core.management import call_command

from mercato.catalog.models import Product, ProductListing, ProductListingValue
from mercato.catalog.services import refresh_listings
from tests.catalog.builders import listed_product

pytestmark = pytest.mark.django_db


def test_refresh_listings_command_rebuilds_every_products_rows():
    products = [listed_product(options=("colour:red",)) for _ in range(3)]
    ProductListing.objects.all().delete()
    ProductListingValue.objects.all().delete()
    out = io.StringIO()

    call_command("refresh_listings", stdout=out)

    assert set(ProductListing.objects.values_list("product_id", flat=True)) == {
        product.pk for product in products}
    assert ProductListingValue.objects.count() == 3
    assert "3 rows added or changed" in out.getvalue()


def test_seeded_demo_catalog_is_listed_at_once(settings, api):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", products=20, stdout=io.StringIO())

    published = Product.objects.filter(is_published=True).count()

    assert api.get("/products").json()["total"] == published
    assert refresh_listings() == 0  # nothing left to bring up to date
