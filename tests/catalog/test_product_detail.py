from decimal import Decimal

import pytest

from mercato.catalog.models import Product
from tests.catalog.builders import add_variant, attribute_value, listed_product
from tests.factories import (
    CategoryFactory,
    ProductImageFactory,
    StockFactory,
    TagFactory,
    VariantPriceFactory,
    WarehouseFactory,
)

pytestmark = pytest.mark.django_db


def test_detail_shows_the_product_with_breadcrumb_tags_attributes_and_images(api):
    clothing = CategoryFactory(slug="clothing", name="Clothing")
    shirts = CategoryFactory(slug="shirts", name="Shirts", parent=clothing)
    product = listed_product(title="Linen shirt", category=shirts, description="<p>Airy</p>",
                             attributes=("material:linen",))
    product.tags.add(TagFactory(slug="summer", name="summer"))
    ProductImageFactory(product=product, url="https://img.example/a.jpg", alt_text="Front")

    body = api.get(f"/products/{product.slug}").json()

    assert body["title"] == "Linen shirt"
    assert body["description"] == "<p>Airy</p>"
    assert body["brand"] == {"slug": product.brand.slug, "name": product.brand.name}
    assert body["category"] == {"slug": "shirts", "name": "Shirts"}
    assert body["breadcrumb"] == [{"slug": "clothing", "name": "Clothing"},
                                  {"slug": "shirts", "name": "Shirts"}]
    assert body["product_type"] == {"slug": "apparel", "name": "Apparel",
                                    "is_shipping_required": True}
    assert body["tags"] == [{"slug": "summer", "name": "summer"}]
    assert body["attributes"] == [{"attribute": {"slug": "material", "name": "Material"},
                                   "values": [{"slug": "linen", "name": "Linen"}]}]
    assert body["images"] == [{"url": "https://img.example/a.jpg", "alt": "Front"}]
    assert body["in_stock"] is True


def test_seo_fields_fall_back_to_title_and_a_plain_description_excerpt(api):
    product = listed_product(title="Linen shirt", description="<p>" + "Very airy. " * 40 + "</p>")
    explicit = listed_product(seo_title="Buy linen", seo_description="The best linen.")

    fallback = api.get(f"/products/{product.slug}").json()
    chosen = api.get(f"/products/{explicit.slug}").json()

    assert fallback["seo_title"] == "Linen shirt"
    assert fallback["seo_description"].startswith("Very airy. Very airy.")
    assert fallback["seo_description"].endswith("…")
    assert len(fallback["seo_description"]) <= 160
    assert (chosen["seo_title"], chosen["seo_description"]) == ("Buy linen", "The best linen.")


def test_variants_show_options_prices_and_availability_over_warehouses(api):
    product = listed_product(price="19.90", on_hand=5, allocated=2, options=("size:m",))
    first = product.variants.get()
    VariantPriceFactory(variant=first, currency="USD", amount=Decimal("21.00"),
                        compare_at_amount=Decimal("25.00"))
    StockFactory(variant=first, warehouse=WarehouseFactory(code="north"), on_hand=4, allocated=0)
    add_variant(product, prices={"EUR": "21.90"}, options=("size:l",))

    variants = api.get(f"/products/{product.slug}").json()["variants"]

    assert variants[0] == {
        "sku": first.sku, "name": first.name, "weight_grams": 500, "barcode": "",
        "options": [{"attribute": {"slug": "size", "name": "Size"},
                     "value": {"slug": "m", "name": "M"}}],
        "prices": [
            {"price": {"amount": "19.90", "currency": "EUR"}, "compare_at": None,
             "sale_price": {"amount": "19.90", "currency": "EUR"}, "sale_promotions": []},
            {"price": {"amount": "21.00", "currency": "USD"},
             "compare_at": {"amount": "25.00", "currency": "USD"},
             "sale_price": {"amount": "21.00", "currency": "USD"}, "sale_promotions": []},
        ],
        "quantity_available": 7, "in_stock": True,
    }
    assert (variants[1]["quantity_available"], variants[1]["in_stock"]) == (0, False)


def test_product_with_everything_allocated_is_not_in_stock(api):
    product = listed_product(on_hand=2, allocated=2)

    body = api.get(f"/products/{product.slug}").json()

    assert body["in_stock"] is False
    assert body["variants"][0]["quantity_available"] == 0


@pytest.mark.parametrize("slug", ["unpublished", "no-such-product"])
def test_unpublished_or_unknown_product_is_a_not_found_problem(api, slug):
    listed_product(slug="unpublished", is_published=False)

    response = api.get(f"/products/{slug}")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert Product.objects.filter(slug="unpublished", is_published=False).exists()


def test_unpublished_product_is_not_listed(api):
    listed_product(slug="unpublished", is_published=False)

    assert api.get("/products").json()["items"] == []


@pytest.mark.parametrize("variant_count", [1, 12])
def test_detail_runs_a_fixed_number_of_queries_whatever_the_variant_count(
        api, variant_count, django_assert_max_num_queries):
    product = listed_product(category=CategoryFactory(parent=CategoryFactory()),
                             attributes=("material:linen", "fit:slim"), options=("size:s0",))
    product.tags.add(TagFactory(), TagFactory())
    ProductImageFactory(product=product)
    for number in range(1, variant_count):
        add_variant(product, prices={"EUR": "9.00", "USD": "10.00"}, on_hand=number,
                    options=(f"size:s{number}", "colour:red"))
    product.attribute_values.add(attribute_value("colour", "red"))

    with django_assert_max_num_queries(8 + 4):  # + shelf prices
        response = api.get(f"/products/{product.slug}")

    assert len(response.json()["variants"]) == variant_count
