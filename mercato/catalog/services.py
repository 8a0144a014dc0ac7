"""Catalog use cases that change data."""

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    When,
    Window,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Lower, RowNumber

from mercato.catalog.events import ProductUpdated
from mercato.catalog.models import (
    Product,
    ProductListing,
    ProductListingValue,
    ProductVariant,
    VariantPrice,
)
from mercato.catalog.rules import search_document_for
from mercato.core.events import SYSTEM, Actor, record

# Product ids per round of statements when ids are given: the upsert names each id twice and
# SQLite may allow only 999 parameters a statement.
LISTING_CHUNK = 400


def product_saved(*, product: Product, created: bool, by: Actor = SYSTEM) -> None:
    """After a product and its variants, prices and images were saved: its search document and
    listing are rebuilt and the change is recorded (integrations tell other systems)."""
    with transaction.atomic():
        refresh_search_document(product=product)
        refresh_listings(product_ids=[product.pk])
        record(ProductUpdated(aggregate_id=product.slug, title=product.title,
                              is_published=product.is_published, created=created), by=by)


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


def refresh_listings(*, product_ids: Iterable[int] | None = None) -> int:
    """Recompute the listing rows of these products (every product when None) from their
    data, prices, stock and attribute values; returns how many listing rows were added or
    changed.

    Call it in the transaction that changed a product, a price, a stock level or a variant.
    The rows are computed and written by the database (INSERT ... SELECT ... ON CONFLICT):
    no row goes through Python, so rebuilding 50,000 products takes seconds, not minutes;
    rows that are already right are not rewritten.
    """
    with transaction.atomic():
        if product_ids is None:
            return _refresh(None)
        ids = sorted(set(product_ids))
        return sum(_refresh(ids[start : start + LISTING_CHUNK])
                   for start in range(0, len(ids), LISTING_CHUNK))


def _refresh(product_ids: list[int] | None) -> int:
    # Locking the products (in pk order) serialises refreshes of the same product: a second
    # transaction reads prices and stock only after the first one's changes are committed.
    # NO KEY: rows that merely reference a product (a new variant) need not wait for it.
    list(Product.objects.select_for_update(no_key=True).filter(_among(product_ids, "pk"))
         .order_by("pk").values_list("pk", flat=True))
    priced = VariantPrice.objects.filter(variant__product_id=OuterRef("product_id"),
                                         currency=OuterRef("currency"))
    ProductListing.objects.filter(_among(product_ids, "product_id"), ~Exists(priced)).delete()
    changed = _upsert_listings(product_ids)
    _refresh_attribute_values(product_ids)
    return changed


def _refresh_attribute_values(product_ids: list[int] | None) -> None:
    """Delete the (product, value) pairs the products no longer have, insert the new ones."""
    on_product = Product.attribute_values.through.objects.filter(
        product_id=OuterRef("product_id"), attributevalue_id=OuterRef("value_id"))
    on_variant = ProductVariant.option_values.through.objects.filter(
        productvariant__product_id=OuterRef("product_id"), attributevalue_id=OuterRef("value_id"))
    ProductListingValue.objects.filter(
        _among(product_ids, "product_id"), ~Exists(on_product), ~Exists(on_variant)
    ).delete()
    quote = connection.ops.quote_name
    _insert_rows(_attribute_value_pairs(product_ids), into=ProductListingValue,
                 fields=["product", "value"],
                 on_conflict=f"ON CONFLICT ({quote('product_id')}, {quote('value_id')}) DO NOTHING")


def _among(product_ids: list[int] | None, path: str) -> Q:
    return Q() if product_ids is None else Q(**{f"{path}__in": product_ids})


def _listing_columns(product_ids: list[int] | None) -> dict[str, Combinable]:
    """Each listing column as an expression over a VariantPrice row."""
    stocked = ProductVariant.objects.filter(
        _among(product_ids, "product_id"),
        stock_levels__on_hand__gt=F("stock_levels__allocated"),
    ).values("product_id")
    return {
        "product": F("variant__product_id"),
        "currency": F("currency"),
        "price_amount": F("amount"),
        # The compare-at ("was") price is kept only above the price, as rules.shown_compare_at.
        "compare_at_amount": Case(When(compare_at_amount__gt=F("amount"),
                                       then=F("compare_at_amount"))),
        "in_stock": ExpressionWrapper(Q(variant__product_id__in=stocked),
                                      output_field=BooleanField()),
        "is_published": F("variant__product__is_published"),
        "category": F("variant__product__category_id"),
        "brand": F("variant__product__brand_id"),
        "created_at": F("variant__product__created_at"),
        "title_sort": Lower("variant__product__title"),
    }


def _upsert_listings(product_ids: list[int] | None) -> int:
    """One row per (product, currency) from the cheapest variant price (the earlier price row
    on a tie); rows that exist already are updated where something changed."""
    columns = _listing_columns(product_ids)
    cheapest_first = Window(
        RowNumber(), partition_by=[F("variant__product_id"), F("currency")],
        order_by=[F("amount").asc(), F("pk").asc()],
    )
    rows = VariantPrice.objects.filter(_among(product_ids, "variant__product_id")).annotate(
        price_rank=cheapest_first
    ).filter(price_rank=1).values(**_named_for_insert(columns))
    quote = connection.ops.quote_name
    table = quote(ProductListing._meta.db_table)
    updated = [quote(ProductListing._meta.get_field(name).column) for name in columns
               if name not in {"product", "currency"}]
    changed = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    return _insert_rows(rows, into=ProductListing, fields=list(columns), on_conflict=(
        f"ON CONFLICT ({quote('product_id')}, {quote('currency')}) DO UPDATE SET "
        + ", ".join(f"{column} = EXCLUDED.{column}" for column in updated)
        # Unchanged rows are not rewritten: a full refresh of a current table writes nothing.
        + " WHERE " + " OR ".join(f"{table}.{column} {changed} EXCLUDED.{column}"
                                  for column in updated)
    ))


def _attribute_value_pairs(product_ids: list[int] | None) -> QuerySet:
    """(product, value) pairs, from the product's own attribute values and its variants'."""
    on_product = Product.attribute_values.through.objects.filter(
        _among(product_ids, "product_id")
    ).values(**_named_for_insert({"product": F("product_id"), "value": F("attributevalue_id")}))
    on_variant = ProductVariant.option_values.through.objects.filter(
        _among(product_ids, "productvariant__product_id")
    ).values(**_named_for_insert({"product": F("productvariant__product_id"),
                                  "value": F("attributevalue_id")}))
    return on_product.union(on_variant)


def _named_for_insert(columns: dict[str, Combinable]) -> dict[str, Combinable]:
    # Prefixed, so a name never clashes with a field of the model the rows are read from.
    return {f"row_{name}": expression for name, expression in columns.items()}


def _insert_rows(rows: QuerySet, *, into: type[Model], fields: list[str],
                 on_conflict: str = "") -> int:
    """INSERT ... SELECT into the model's table the rows of a values() queryset that names
    each field's value row_<field>: the database computes and writes them, not Python."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(into._meta.get_field(name).column) for name in fields)
    selected = ", ".join(quote(f"row_{name}") for name in fields)
    rows_sql, params = rows.query.sql_with_params()
    # WHERE true: without a WHERE, SQLite would read ON CONFLICT as part of the SELECT's join.
    sql = (f"INSERT INTO {quote(into._meta.db_table)} ({columns})"
           f" SELECT {selected} FROM ({rows_sql}) selected_rows WHERE true {on_conflict}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
