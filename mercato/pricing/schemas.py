"""The catalog API's product schemas with the sale price the pricing engine gives each price.

`price` keeps its meaning (the list price) and `compare_at_price`/`compare_at` theirs, for
existing clients; `sale_price` is new: what one unit costs the shopper now.
"""

from ninja import Field

from mercato.catalog.schemas import (
    MoneyOut,
    ProductDetailOut,
    ProductListItemOut,
    ProductListOut,
    VariantOut,
    VariantPriceOut,
)

SALE_PRICE = (
    "What one unit costs the shopper now: the price after the automatic promotions that need "
    "no coupon code and no basket condition (no minimum order value or quantity), as the cart "
    "charges it for one unit; equal to the price when none applies. A cart that meets a "
    "basket condition or holds a coupon may cost less. To strike an old price through, show "
    "the higher of the price and the compare-at price when it is above the sale price."
)


class SalePricedListItemOut(ProductListItemOut):
    sale_price: MoneyOut = Field(description=SALE_PRICE)
    sale_promotions: list[str] = Field(description="Names of the promotions in the sale price.")

    # pricing.selectors.shelf_prices_of_listings gave each row its `shelf_price`.
    @staticmethod
    def resolve_sale_price(obj: object) -> MoneyOut:
        return MoneyOut.from_money(obj.shelf_price.price)

    @staticmethod
    def resolve_sale_promotions(obj: object) -> list[str]:
        return list(obj.shelf_price.promotion_names)


class SalePricedListOut(ProductListOut):
    items: list[SalePricedListItemOut]


class SalePricedVariantPriceOut(VariantPriceOut):
    sale_price: MoneyOut = Field(description=SALE_PRICE)
    sale_promotions: list[str] = Field(description="Names of the promotions in the sale price.")

    # pricing.selectors.shelf_prices_of_variants gave each price its `shelf_price`.
    @staticmethod
    def resolve_sale_price(obj: object) -> MoneyOut:
        return MoneyOut.from_money(obj.shelf_price.price)

    @staticmethod
    def resolve_sale_promotions(obj: object) -> list[str]:
        return list(obj.shelf_price.promotion_names)


class SalePricedVariantOut(VariantOut):
    prices: list[SalePricedVariantPriceOut]


class SalePricedProductDetailOut(ProductDetailOut):
    variants: list[SalePricedVariantOut]
