"""Catalog endpoints: the category tree. The product listing and product page are served by
pricing.api, which adds each price's sale price (the catalog cannot ask pricing)."""

from django.http import HttpRequest
from ninja import Router

from mercato.catalog.schemas import CategoryNodeOut
from mercato.catalog.selectors import CategoryNode, category_tree

router = Router(tags=["catalog"])


@router.get("/categories", response=list[CategoryNodeOut], summary="The category tree")
def list_categories(request: HttpRequest) -> list[CategoryNode]:
    return category_tree()
