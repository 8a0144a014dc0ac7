"""Plain builders of the pricing rules' dataclasses: tests of the rules need no database."""

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from mercato.core.money import Money, to_money
from mercato.pricing.rules import (
    Address,
    DeliveryMethodRule,
    DeliveryRateRule,
    DeliveryZoneRule,
    PricingConfig,
    PricingLine,
    PromotionKind,
    PromotionRule,
    PromotionScope,
    Quote,
    QuoteRequest,
    TaxRateRule,
    price_quote,
)

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
GERMANY = Address("DE")
DE_STANDARD = TaxRateRule("DE", "", "standard", Decimal(19), "VAT 19%")
DE_REDUCED = TaxRateRule("DE", "", "reduced", Decimal(7), "VAT 7%")
DE_RATES = (DE_STANDARD, DE_REDUCED)


def money(amount: str | int, currency: str = "EUR") -> Money:
    return to_money(Decimal(str(amount)), currency)


def line(sku: str = "SKU-1", *, price: str = "10.00", quantity: int = 1, currency: str = "EUR",
         product_id: int = 1, product_type_id: int = 1, categories: tuple[int, ...] = (),
         weight_grams: int = 0) -> PricingLine:
    return PricingLine(sku=sku, quantity=quantity, unit_price=money(price, currency),
                       product_id=product_id, product_type_id=product_type_id,
                       category_ids=frozenset(categories), weight_grams=weight_grams)


def request(*lines: PricingLine, currency: str = "EUR", inclusive: bool = True,
            address: Address | None = None, delivery: str | None = None,
            coupons: tuple[str, ...] = (), customer_id: int | None = None,
            now: datetime = NOW, shown: tuple[int, ...] = ()) -> QuoteRequest:
    return QuoteRequest(currency=currency, lines=tuple(lines), now=now,
                        prices_include_tax=inclusive, shop_country="DE", address=address,
                        delivery_method=delivery, coupon_codes=coupons, customer_id=customer_id,
                        previously_applied_promotion_ids=frozenset(shown))


def config(**fields: object) -> PricingConfig:
    fields.setdefault("tax_rates", DE_RATES)
    return PricingConfig(**fields)


def quote(*lines: PricingLine, config_fields: dict | None = None, **request_fields: object
          ) -> Quote:
    return price_quote(request(*lines, **request_fields), config(**(config_fields or {})))


def percent_off(percentage: str | int, *, id: int = 1, name: str = "Sale", **fields: object
                ) -> PromotionRule:
    return PromotionRule(id=id, name=name, kind=PromotionKind.PERCENTAGE,
                         percentage=Decimal(str(percentage)), **fields)


def amount_off(amount: str, *, id: int = 1, name: str = "Voucher", currency: str = "EUR",
               **fields: object) -> PromotionRule:
    return PromotionRule(id=id, name=name, kind=PromotionKind.FIXED_AMOUNT,
                         amount=money(amount, currency), currency=currency, **fields)


def buy_get(buy: int, get: int, *, id: int = 1, name: str = "3 for 2", **fields: object
            ) -> PromotionRule:
    return PromotionRule(id=id, name=name, kind=PromotionKind.BUY_X_GET_Y, buy_quantity=buy,
                         get_quantity=get, **fields)


def free_delivery(*, id: int = 1, name: str = "Free shipping", **fields: object
                  ) -> PromotionRule:
    return PromotionRule(id=id, name=name, kind=PromotionKind.FREE_DELIVERY, **fields)


def on_products(promotion: PromotionRule, *product_ids: int) -> PromotionRule:
    return replace(promotion, scope=PromotionScope.PRODUCTS, product_ids=frozenset(product_ids))


def on_categories(promotion: PromotionRule, *category_ids: int) -> PromotionRule:
    return replace(promotion, scope=PromotionScope.CATEGORIES,
                   category_ids=frozenset(category_ids))


def zone(*countries: str, id: int = 1, regions: tuple[str, ...] = ()) -> DeliveryZoneRule:
    return DeliveryZoneRule(id=id, name="-".join(countries), countries=frozenset(countries),
                            regions=frozenset(regions))


def rate(price: str, *, in_zone: DeliveryZoneRule | None = None, currency: str = "EUR",
         free_over: str | None = None, min_value: str | None = None,
         max_value: str | None = None, min_weight: int = 0,
         max_weight: int | None = None) -> DeliveryRateRule:
    def optional(amount: str | None) -> Money | None:
        return None if amount is None else money(amount, currency)

    return DeliveryRateRule(
        zone=in_zone or zone("DE"), price=money(price, currency),
        min_weight_grams=min_weight, max_weight_grams=max_weight,
        min_order_value=optional(min_value), max_order_value=optional(max_value),
        free_over=optional(free_over),
    )


def method(code: str, *rates: DeliveryRateRule, id: int = 1, tax_class: str = "standard",
           excluded: tuple[int, ...] = ()) -> DeliveryMethodRule:
    return DeliveryMethodRule(id=id, code=code, name=code.title(), rates=rates,
                              tax_class=tax_class, excluded_category_ids=frozenset(excluded),
                              estimated_days_min=1, estimated_days_max=3)
