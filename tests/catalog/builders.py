"""Builders for catalog tests, on top of tests/factories.py."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from mercato.catalog.models import AttributeValue, Product
from mercato.catalog.services import refresh_listings
from tests.factories import (
    AttributeFactory,
    AttributeValueFactory,
    ProductVariantFactory,
    StockFactory,
    VariantPriceFactory,
    make_sellable_variant,
)


def attribute_value(attribute: str, value: str) -> AttributeValue:
    """The value `value` of attribute `attribute` (slugs; names are the capitalised slugs)."""
    return AttributeValueFactory(
        attribute=AttributeFactory(slug=attribute, name=attribute.capitalize()),
        slug=value, name=value.capitalize(),
    )


def listed_product(*, price: str = "19.90", currency: str = "EUR", on_hand: int = 10,
                   allocated: int = 0, options: tuple[str, ...] = (),
                   attributes: tuple[str, ...] = (), **fields: object) -> Product:
    """A published product with one priced, stocked variant.

    `options` ("colour:red") go on the variant, `attributes` on the product.
    """
    variant = make_sellable_variant(price=price, currency=currency, on_hand=on_hand, **fields)
    if allocated:
        variant.stock_levels.update(allocated=allocated)
    variant.option_values.add(*(attribute_value(*item.split(":")) for item in options))
    product = variant.product
    product.attribute_values.add(*(attribute_value(*item.split(":")) for item in attributes))
    refresh_listings(product_ids=[product.pk])  # as the back office does after such changes
    return product


def add_variant(product: Product, *, prices: dict[str, str], on_hand: int = 0,
                options: tuple[str, ...] = (), compare_at: str | None = None) -> object:
    """Another variant of the product with prices per currency and optional stock."""
    variant = ProductVariantFactory(product=product)
    for currency, amount in prices.items():
        VariantPriceFactory(variant=variant, currency=currency, amount=Decimal(amount),
                            compare_at_amount=Decimal(compare_at) if compare_at else None)
    if on_hand:
        StockFactory(variant=variant, on_hand=on_hand)
    variant.option_values.add(*(attribute_value(*item.split(":")) for item in options))
    refresh_listings(product_ids=[product.pk])  # as the back office does after such changes
    return variant


def created_days_ago(product: Product, days: int, *, now: datetime | None = None) -> None:
    """Backdate the product (created_at is auto_now_add) and its listing rows."""
    created_at = (now or timezone.now()) - timedelta(days=days)
    Product.objects.filter(pk=product.pk).update(created_at=created_at)
    refresh_listings(product_ids=[product.pk])


def slugs(response: object) -> list[str]:
    return [item["slug"] for item in response.json()["items"]]
