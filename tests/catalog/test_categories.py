import pytest

from tests.catalog.builders import listed_product
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def test_category_tree_is_nested_ordered_and_counts_published_products(api):
    clothing = CategoryFactory(slug="clothing", name="Clothing", position=1)
    CategoryFactory(slug="home", name="Home", position=0)
    shirts = CategoryFactory(slug="shirts", name="Shirts", parent=clothing)
    CategoryFactory(slug="coats", name="Coats", parent=clothing)
    listed_product(category=clothing)
    listed_product(category=shirts)
    listed_product(category=shirts, is_published=False)

    response = api.get("/categories")

    assert response.status_code == 200
    assert response.json() == [
        {"slug": "home", "name": "Home", "product_count": 0, "children": []},
        {"slug": "clothing", "name": "Clothing", "product_count": 2, "children": [
            {"slug": "coats", "name": "Coats", "product_count": 0, "children": []},
            {"slug": "shirts", "name": "Shirts", "product_count": 1, "children": []},
        ]},
    ]


@pytest.mark.parametrize("depth", [1, 6])
def test_category_tree_runs_a_fixed_number_of_queries_whatever_its_size(
        api, depth, django_assert_max_num_queries):
    parent = None
    for _ in range(depth):
        parent = CategoryFactory(parent=parent)
        CategoryFactory(parent=parent)
        listed_product(category=parent)

    with django_assert_max_num_queries(2):
        response = api.get("/categories")

    assert response.json()[0]["product_count"] == depth
