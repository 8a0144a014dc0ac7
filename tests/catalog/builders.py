"""Builders for catalog tests, on top of tests/factories.py."""

from decimal import Decimal

from mercato.catalog.models import AttributeValue, Product
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
    return variant


def slugs(response: object) -> list[str]:
    return [item["slug"] for item in response.json()["items"]]
