"""The back office keeps the product listing read model in step with what it changes."""

from decimal import Decimal

import pytest
from django.urls import reverse

from mercato.catalog.models import ProductListing
from tests.admin.helpers import form_data
from tests.factories import (
    ProductFactory,
    ProductVariantFactory,
    VariantPriceFactory,
    make_sellable_variant,
)


def variant_page(variant_id: int) -> str:
    return reverse("admin:catalog_productvariant_change", args=[variant_id])


def product_page(product_id: int) -> str:
    return reverse("admin:catalog_product_change", args=[product_id])


def listed_prices(product_id: int) -> dict[str, Decimal]:
    rows = ProductListing.objects.filter(product_id=product_id)
    return {row.currency: row.price_amount for row in rows}


@pytest.mark.django_db
def test_changing_prices_on_the_variant_page_updates_the_listing(staff_client):
    variant = make_sellable_variant(price="19.90")
    url = variant_page(variant.pk)
    data = form_data(staff_client.get(url))
    data.update({"prices-0-amount": "17.50", "prices-0-compare_at_amount": "19.90",
                 "prices-TOTAL_FORMS": "2", "prices-1-currency": "USD",
                 "prices-1-amount": "21.00"})

    response = staff_client.post(url, data)

    assert response.status_code == 302
    assert listed_prices(variant.product_id) == {"EUR": Decimal("17.50"),
                                                 "USD": Decimal("21.00")}
    eur = ProductListing.objects.get(product_id=variant.product_id, currency="EUR")
    assert eur.compare_at_amount == Decimal("19.90")


@pytest.mark.django_db
def test_deleting_a_price_on_the_variant_page_drops_that_currency(staff_client):
    variant = make_sellable_variant(price="19.90")
    url = variant_page(variant.pk)
    data = form_data(staff_client.get(url))
    data["prices-0-DELETE"] = "on"

    response = staff_client.post(url, data)

    assert response.status_code == 302
    assert listed_prices(variant.product_id) == {}


@pytest.mark.django_db
def test_moving_a_variant_to_another_product_moves_its_price_in_the_listing(staff_client):
    variant = make_sellable_variant(price="19.90")
    old_product, new_product = variant.product, ProductFactory()
    url = variant_page(variant.pk)
    data = form_data(staff_client.get(url))
    data["product"] = str(new_product.pk)

    response = staff_client.post(url, data)

    assert response.status_code == 302
    assert listed_prices(old_product.pk) == {}
    assert listed_prices(new_product.pk) == {"EUR": Decimal("19.90")}


def priced_variant() -> object:
    """A priced variant without stock rows (the back office may not delete stock rows)."""
    return VariantPriceFactory(variant=ProductVariantFactory()).variant


@pytest.mark.django_db
def test_deleting_a_variant_drops_its_products_listing(staff_client):
    variant = priced_variant()

    response = staff_client.post(reverse("admin:catalog_productvariant_delete",
                                         args=[variant.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert listed_prices(variant.product_id) == {}


@pytest.mark.django_db
def test_deleting_variants_from_the_variant_list_drops_their_listings(staff_client):
    first, second = priced_variant(), priced_variant()
    assert ProductListing.objects.count() == 2

    response = staff_client.post(reverse("admin:catalog_productvariant_changelist"), {
        "action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes",
    })

    assert response.status_code == 302
    assert not ProductListing.objects.exists()


@pytest.mark.django_db
def test_unpublishing_and_publishing_a_product_updates_the_listing(staff_client, api):
    product = make_sellable_variant(title="Linen shirt").product
    url = product_page(product.pk)
    data = form_data(staff_client.get(url))
    data.pop("is_published")

    assert staff_client.post(url, data).status_code == 302
    hidden = [item["slug"] for item in api.get("/products").json()["items"]]
    data.update({"is_published": "on", "title": "Linen Shirt Deluxe"})
    assert staff_client.post(url, data).status_code == 302

    row = ProductListing.objects.get(product=product)
    assert hidden == []
    assert (row.is_published, row.title_sort) == (True, "linen shirt deluxe")
    assert [item["title"] for item in api.get("/products").json()["items"]] == [
        "Linen Shirt Deluxe"]
