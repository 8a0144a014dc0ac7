"""Catalog endpoints: product listing with search and facets, product page, category tree."""

from django.http import HttpRequest
from ninja import Query, Router

from mercato.catalog.rules import parse_attribute_filters
from mercato.catalog.schemas import (
    CategoryNodeOut,
    ProductDetailOut,
    ProductListOut,
    ProductListQuery,
)
from mercato.catalog.selectors import (
    CategoryNode,
    ListingFilters,
    ProductPage,
    category_tree,
    product_detail,
    products_for_listing,
)
from mercato.core.openapi import NOT_FOUND, answers

router = Router(tags=["catalog"])


@router.get("/products", response=ProductListOut, summary="List published products")
@answers(NOT_FOUND)
def list_products(request: HttpRequest, query: Query[ProductListQuery]) -> ProductPage:
    filters = ListingFilters(
        currency=query.currency, category=query.category, brands=frozenset(query.brand),
        min_price=query.min_price,
        max_price=query.max_price, attributes=parse_attribute_filters(query.attr),
        in_stock=query.in_stock, q=query.q, sort=query.sort,
    )
    return products_for_listing(filters=filters, page=query.page, page_size=query.page_size)


@router.get("/products/{slug}", response=ProductDetailOut, summary="A published product")
def get_product(request: HttpRequest, slug: str) -> ProductDetailOut:
    return ProductDetailOut.from_detail(product_detail(slug=slug))


@router.get("/categories", response=list[CategoryNodeOut], summary="The category tree")
def list_categories(request: HttpRequest) -> list[CategoryNode]:
    return category_tree()
