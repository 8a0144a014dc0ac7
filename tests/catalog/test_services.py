import pytest

from mercato.catalog.models import Product
from mercato.catalog.services import refresh_search_document
from tests.catalog.builders import attribute_value
from tests.factories import BrandFactory, CategoryFactory, ProductFactory, TagFactory


@pytest.mark.django_db
def test_refresh_search_document_collects_every_searchable_part():
    product = ProductFactory(
        title="Linen shirt", brand=BrandFactory(name="Acme"), category=CategoryFactory(name="Tops"),
        description="<p>Light &amp; <b>airy</b></p>", search_document="",
    )
    product.tags.add(TagFactory(name="summer"), TagFactory(name="bestseller"))
    product.attribute_values.add(attribute_value("material", "linen"))

    refresh_search_document(product=product)

    product.refresh_from_db()
    assert product.search_document.splitlines() == [
        "Linen shirt", "Acme", "Tops", "bestseller summer", "Linen", "Light & airy",
    ]


@pytest.mark.django_db
def test_refresh_search_document_without_brand_or_category():
    product = ProductFactory(title="Mug", brand=None, category=None, description="")

    refresh_search_document(product=product)

    assert Product.objects.get(pk=product.pk).search_document == "Mug"


@pytest.mark.django_db
def test_refresh_search_document_saves_only_the_search_document():
    product = ProductFactory(title="Mug", description="")
    product.title = "Unsaved title"

    refresh_search_document(product=product)

    assert Product.objects.get(pk=product.pk).title == "Mug"
