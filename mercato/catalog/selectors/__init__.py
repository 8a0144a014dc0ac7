"""Catalog reads for the API and storefront, each with the queries it needs and no more."""

from mercato.catalog.selectors.categories import CategoryNode, category_parents, category_tree
from mercato.catalog.selectors.detail import ProductDetail, product_detail
from mercato.catalog.selectors.listing import ListingFilters, ProductPage, products_for_listing

__all__ = [
    "CategoryNode",
    "ListingFilters",
    "ProductDetail",
    "ProductPage",
    "category_parents",
    "category_tree",
    "product_detail",
    "products_for_listing",
]
