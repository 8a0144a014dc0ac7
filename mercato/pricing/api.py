"""Product endpoints of the catalog API, with sale prices: they live in pricing because the
catalog comes before pricing in the flow and cannot ask it. Their paths, tags and operation
ids are the ones the catalog app served them under."""

from django.http import HttpRequest
from ninja import Query, Router

from mercato.catalog.rules import parse_attribute_filters
from mercato.catalog.schemas import ProductListQuery
from mercato.catalog.selectors import (
    ListingFilters,
    ProductPage,
    product_detail,
    products_for_listing,
)
from mercato.core.openapi import NOT_FOUND, answers
from mercato.pricing.schemas import SalePricedListOut, SalePricedProductDetailOut
from mercato.pricing.selectors import shelf_prices_of_listings, shelf_prices_of_variants

router = Router(tags=["catalog"])


@router.get("/products", response=SalePricedListOut, summary="List published products",
            operation_id="mercato_catalog_api_list_products")
@answers(NOT_FOUND)
def list_products(request: HttpRequest, query: Query[ProductListQuery]) -> ProductPage:
    filters = ListingFilters(
        currency=query.currency, category=query.category, brands=frozenset(query.brand),
        min_price=query.min_price,
        max_price=query.max_price, attributes=parse_attribute_filters(query.attr),
        in_stock=query.in_stock, q=query.q, sort=query.sort,
    )
    page = products_for_listing(filters=filters, page=query.page, page_size=query.page_size)
    shelf_prices_of_listings(page.items)
    return page


@router.get("/products/{slug}", response=SalePricedProductDetailOut,
            summary="A published product", operation_id="mercato_catalog_api_get_product")
def get_product(request: HttpRequest, slug: str) -> SalePricedProductDetailOut:
    detail = product_detail(slug=slug)
    shelf_prices_of_variants(detail.product, [price for variant in detail.variants
                                              for price in variant.prices.all()])
    return SalePricedProductDetailOut.from_detail(detail)
