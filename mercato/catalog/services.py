"""Catalog use cases that change data."""

from django.db import transaction

from mercato.catalog.models import Product
from mercato.catalog.rules import search_document_for


def refresh_search_document(*, product: Product) -> None:
    """Rebuild the product's plain-text search document from its current data and save it."""
    with transaction.atomic():
        tags = product.tags.order_by("name").values_list("name", flat=True)
        values = product.attribute_values.order_by("attribute__name", "position", "name")
        product.search_document = search_document_for(
            title=product.title,
            brand_name=product.brand.name if product.brand_id else "",
            category_name=product.category.name if product.category_id else "",
            tags=list(tags),
            attribute_values=list(values.values_list("name", flat=True)),
            description=product.description,
        )
        product.save(update_fields=["search_document"])
