"""Writes the planned demo catalog in batches: a few bulk INSERTs per batch, never one per row."""

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from itertools import islice

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from mercato.catalog.models import (
    Product,
    ProductImage,
    ProductListing,
    ProductListingValue,
    ProductVariant,
    VariantPrice,
)
from mercato.catalog.services import refresh_listings
from mercato.demo.accounts import ensure_demo_accounts
from mercato.demo.plan import ProductPlan, plan_products
from mercato.demo.reference_data import ReferenceIds, ensure_reference_data
from mercato.inventory.models import Stock

BATCH_SIZE = 2000

ProductTag = Product.tags.through
ProductAttributeValue = Product.attribute_values.through
VariantOptionValue = ProductVariant.option_values.through


@dataclass
class SeedSummary:
    products: int = 0
    variants: int = 0
    prices: int = 0
    stock_rows: int = 0
    categories: int = 0


def seed_demo_shop(*, products: int, seed: int) -> SeedSummary:
    """The demo catalog and the demo logins, in one transaction: all of it or nothing."""
    with transaction.atomic():
        summary = seed_demo_catalog(products=products, seed=seed)
        refresh_listings()
        ensure_demo_accounts()
    refresh_planner_statistics()
    return summary


def refresh_planner_statistics() -> None:
    """ANALYZE the filled tables, as after any bulk load.

    Without statistics SQLite picks poor plans (before the listing read model, it served the
    cheapest-price subquery from the (currency, amount) index and scanned every price for
    each product: 2.5 s a page instead of 0.09 s with 1,000 products). SQLite never analyzes
    on its own.
    """
    models = (Product, ProductImage, ProductTag, ProductAttributeValue, ProductVariant,
              VariantOptionValue, VariantPrice, Stock, ProductListing, ProductListingValue)
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def seed_demo_catalog(*, products: int, seed: int, batch_size: int = BATCH_SIZE) -> SeedSummary:
    """Create the demo catalog's reference data and `products` products, in one transaction."""
    with transaction.atomic():
        ids = ensure_reference_data()
        summary = SeedSummary(categories=len(ids.categories))
        now = timezone.now()
        for plans in batched(plan_products(count=products, seed=seed), batch_size):
            insert_products(plans, ids=ids, now=now, summary=summary)
        return summary


def batched(items: Iterable[ProductPlan], size: int) -> Iterator[list[ProductPlan]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def insert_products(plans: Sequence[ProductPlan], *, ids: ReferenceIds, now: datetime,
                    summary: SeedSummary) -> None:
    products = Product.objects.bulk_create([_product_row(item, ids) for item in plans])
    _backdate(products, plans, now=now)
    ProductImage.objects.bulk_create([
        ProductImage(product_id=product.pk, url=item.image_url, alt_text=item.title)
        for product, item in zip(products, plans, strict=True)
    ])
    ProductTag.objects.bulk_create([
        ProductTag(product_id=product.pk, tag_id=ids.tags[_slug(tag)])
        for product, item in zip(products, plans, strict=True) for tag in item.tags
    ])
    ProductAttributeValue.objects.bulk_create([
        ProductAttributeValue(product_id=product.pk,
                              attributevalue_id=ids.attribute_values[(attribute, _slug(name))])
        for product, item in zip(products, plans, strict=True)
        for attribute, name in item.attributes
    ])
    _insert_variants(products, plans, ids=ids, summary=summary)
    summary.products += len(products)


def _product_row(item: ProductPlan, ids: ReferenceIds) -> Product:
    return Product(
        title=item.title, slug=item.slug, description=item.description,
        product_type_id=ids.product_types[item.product_type],
        brand_id=ids.brands[_slug(item.brand)], category_id=ids.categories[item.category],
        is_published=item.is_published, seo_title=item.seo_title,
        seo_description=item.seo_description, search_document=item.search_document,
    )


def _backdate(products: list[Product], plans: Sequence[ProductPlan], *, now: datetime) -> None:
    """created_at is auto_now_add, so INSERT always writes "now"; spread it over the year.

    One UPDATE ... FROM (VALUES ...) per batch where the database speaks it: QuerySet.bulk_update
    builds a CASE branch per row and took a quarter of the seeding time.
    """
    for product, item in zip(products, plans, strict=True):
        product.created_at = product.updated_at = now - item.age
    if not _can_update_from_values():
        Product.objects.bulk_update(products, ["created_at", "updated_at"], batch_size=500)
        return
    table = connection.ops.quote_name(Product._meta.db_table)
    values = ", ".join(["(%s, %s)"] * len(products))
    sql = (
        f"UPDATE {table} SET created_at = v.column2, updated_at = v.column2 "
        f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1"
    )
    params = [value for product in products for value in (
        product.pk, connection.ops.adapt_datetimefield_value(product.created_at))]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _can_update_from_values() -> bool:
    if connection.vendor == "sqlite":
        return sqlite3.sqlite_version_info >= (3, 33)
    return connection.vendor == "postgresql"


def _insert_variants(products: list[Product], plans: Sequence[ProductPlan], *,
                     ids: ReferenceIds, summary: SeedSummary) -> None:
    pairs = [(product, variant, position)
             for product, item in zip(products, plans, strict=True)
             for position, variant in enumerate(item.variants)]
    variants = ProductVariant.objects.bulk_create([
        ProductVariant(product_id=product.pk, sku=variant.sku, name=variant.name,
                       weight_grams=variant.weight_grams, barcode=variant.barcode,
                       position=position)
        for product, variant, position in pairs
    ])
    planned = [variant for _product, variant, _position in pairs]
    VariantOptionValue.objects.bulk_create([
        VariantOptionValue(productvariant_id=row.pk, attributevalue_id=ids.attribute_values[option])
        for row, variant in zip(variants, planned, strict=True) for option in variant.options
    ])
    prices = VariantPrice.objects.bulk_create([
        VariantPrice(variant_id=row.pk, currency=price.currency, amount=price.amount,
                     compare_at_amount=price.compare_at)
        for row, variant in zip(variants, planned, strict=True) for price in variant.prices
    ])
    stock = Stock.objects.bulk_create([
        Stock(variant_id=row.pk, warehouse_id=ids.warehouses[code], on_hand=on_hand,
              bin_location=location)
        for row, variant in zip(variants, planned, strict=True)
        for code, on_hand, location in variant.stock
    ])
    summary.variants += len(variants)
    summary.prices += len(prices)
    summary.stock_rows += len(stock)


@cache
def _slug(name: str) -> str:
    return slugify(name)
