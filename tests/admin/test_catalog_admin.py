import pytest
from django.urls import reverse

from mercato.catalog.models import Category, Product
from tests.admin.helpers import count_queries, form_data
from tests.factories import (
    CategoryFactory,
    ProductFactory,
    ProductVariantFactory,
    StockFactory,
    WarehouseFactory,
    make_sellable_variant,
)

CHANGELIST = reverse("admin:catalog_product_changelist")


def listed(staff_client, **params: str) -> dict[int, Product]:
    response = staff_client.get(CHANGELIST, params)
    assert response.status_code == 200
    return {product.pk: product for product in response.context["cl"].result_list}


@pytest.mark.django_db
def test_product_list_counts_variants_and_says_if_in_stock(staff_client):
    stocked = make_sellable_variant().product
    ProductVariantFactory(product=stocked)
    sold_out = make_sellable_variant(on_hand=3).product
    sold_out.variants.get().stock_levels.update(allocated=3)
    inactive = make_sellable_variant().product
    inactive.variants.get().stock_levels.update(
        warehouse=WarehouseFactory(code="closed", is_active=False)
    )
    bare = ProductFactory()

    rows = listed(staff_client)

    assert (rows[stocked.pk].variant_count, rows[stocked.pk].in_stock) == (2, True)
    assert (rows[sold_out.pk].variant_count, rows[sold_out.pk].in_stock) == (1, False)
    assert rows[inactive.pk].in_stock is False
    assert (rows[bare.pk].variant_count, rows[bare.pk].in_stock) == (0, False)


@pytest.mark.django_db
def test_product_search_finds_by_variant_sku(staff_client):
    wanted = make_sellable_variant()
    ProductVariantFactory(product=wanted.product, sku=f"{wanted.sku}-B")
    make_sellable_variant()

    rows = listed(staff_client, q=wanted.sku)

    assert list(rows) == [wanted.product_id]
    assert rows[wanted.product_id].variant_count == 2


@pytest.mark.django_db
def test_product_list_filters_by_published_and_category(staff_client):
    hidden = ProductFactory(is_published=False)
    shown = ProductFactory()

    assert set(listed(staff_client, is_published__exact="0")) == {hidden.pk}
    assert set(listed(staff_client, category__id__exact=str(shown.category_id))) == {shown.pk}


@pytest.mark.django_db
def test_product_changelist_query_count_does_not_grow_with_products(staff_client):
    def make_products(count: int) -> None:
        for _ in range(count):
            variant = make_sellable_variant()
            ProductVariantFactory(product=variant.product)

    make_products(3)
    with_three = count_queries(staff_client, CHANGELIST)
    make_products(27)
    with_thirty = count_queries(staff_client, CHANGELIST)

    assert with_three == with_thirty
    assert with_thirty <= 12


@pytest.mark.django_db
def test_product_change_page_shows_variant_prices_stock_and_link(staff_client):
    variant = make_sellable_variant(price="19.90", on_hand=7)
    StockFactory(variant=variant, warehouse=WarehouseFactory(code="north"), on_hand=4,
                 allocated=1)

    response = staff_client.get(reverse("admin:catalog_product_change",
                                        args=[variant.product_id]))

    content = response.content.decode()
    assert "€19.90" in content
    assert "main: 7" in content
    assert "north: 3" in content
    assert reverse("admin:catalog_productvariant_change", args=[variant.pk]) in content


@pytest.mark.django_db
def test_product_change_page_query_count_does_not_grow_with_variants(staff_client):
    product = make_sellable_variant().product
    url = reverse("admin:catalog_product_change", args=[product.pk])
    one_variant = count_queries(staff_client, url)
    for _ in range(5):
        StockFactory(variant=ProductVariantFactory(product=product))

    assert count_queries(staff_client, url) == one_variant


@pytest.mark.django_db
def test_saving_a_product_refreshes_its_search_document(staff_client):
    product = make_sellable_variant().product
    url = reverse("admin:catalog_product_change", args=[product.pk])
    data = form_data(staff_client.get(url))
    data["title"] = "Merino travel sweater"

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    product.refresh_from_db()
    assert product.title == "Merino travel sweater"
    assert "Merino travel sweater" in product.search_document


@pytest.mark.django_db
def test_category_list_shows_breadcrumbs(staff_client):
    root = CategoryFactory(name="Clothing")
    child = CategoryFactory(name="Knitwear", parent=root)
    grandchild = CategoryFactory(name="Sweaters", parent=child)
    deep = CategoryFactory(name="Merino", parent=grandchild)
    CategoryFactory(name="Crew neck", parent=deep)

    content = staff_client.get(reverse("admin:catalog_category_changelist")).content.decode()

    assert "Clothing \u203a Knitwear \u203a Sweaters" in content
    assert "\u2026 \u203a Knitwear \u203a Sweaters \u203a Merino \u203a Crew neck" in content


@pytest.mark.django_db
def test_category_list_query_count_does_not_grow_with_depth(staff_client):
    url = reverse("admin:catalog_category_changelist")
    parent = CategoryFactory()
    shallow = count_queries(staff_client, url)
    for _ in range(6):
        parent = CategoryFactory(parent=parent)

    assert count_queries(staff_client, url) == shallow


@pytest.mark.django_db
def test_category_cannot_move_under_its_own_descendant(staff_client):
    root = CategoryFactory()
    child = CategoryFactory(parent=root)
    url = reverse("admin:catalog_category_change", args=[root.pk])
    data = form_data(staff_client.get(url))
    data["parent"] = str(child.pk)

    response = staff_client.post(url, data)

    assert response.status_code == 200
    assert "cannot be placed under itself" in response.content.decode()
    root.refresh_from_db()
    assert root.parent_id is None


@pytest.mark.django_db
def test_category_can_be_added_with_a_parent(staff_client):
    parent = CategoryFactory()

    response = staff_client.post(reverse("admin:catalog_category_add"), {
        "name": "Socks", "slug": "socks", "parent": str(parent.pk), "position": "0",
    })

    assert response.status_code == 302
    assert Category.objects.get(slug="socks").parent == parent
