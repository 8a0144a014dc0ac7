"""Reads for pricing: the configuration one quote needs, the quote, the delivery options.

`quote_for_lines` is the one entry the cart (and later checkout and orders) call. Shop settings
are read here and passed to the pure rules: MERCATO_PRICES_INCLUDE_TAX (catalog prices include
tax, EU style, or not, US style) and MERCATO_SHOP_COUNTRY (where tax is estimated while there is
no address). Loading a quote's configuration takes a bounded number of queries (at most 10),
whatever the number of lines, promotions, coupons or delivery methods.

Usage limits: a promotion's and a coupon's total use is their `times_used` counter (moved only
by services.record_promotion_usage, under a row lock); a customer's use of a promotion is
counted from the PromotionUsage ledger.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from math import ceil

from django.conf import settings
from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from mercato.catalog.models import (
    Category,
    Product,
    ProductListing,
    ProductVariant,
    VariantPrice,
)
from mercato.catalog.rules import ancestors_of
from mercato.catalog.selectors import category_parents
from mercato.core.money import Money, round_money, to_money
from mercato.pricing.models import (
    Coupon,
    DeliveryMethod,
    DeliveryRate,
    ProductTaxClass,
    ProductTypeTaxClass,
    Promotion,
    PromotionUsage,
    TaxRate,
)
from mercato.pricing.rules import (
    Address,
    CouponRule,
    DeliveryMethodRule,
    DeliveryOption,
    DeliveryRateRule,
    DeliveryZoneRule,
    PricingConfig,
    PricingLine,
    PromotionKind,
    PromotionRule,
    PromotionScope,
    Quote,
    QuoteRequest,
    ShipmentRequest,
    TaxRateRule,
    delivery_options,
    price_quote,
)
from mercato.pricing.rules.coupons import entered_codes
from mercato.pricing.rules.preview import PreviewCart, lines_per_cart, preview_promotions
from mercato.pricing.rules.shelf import (
    SHELF_KINDS,
    ShelfItem,
    ShelfPrice,
    next_shelf_change,
    shelf_prices,
)
from mercato.pricing.rules.types import STANDARD_TAX_CLASS, normalize_code

# (variant id, quantity, unit price in the quote's currency)
LineItem = tuple[int, int, Money]


def pricing_lines_for(*, items: Sequence[LineItem]) -> list[PricingLine]:
    """PricingLines (in the order of `items`) with each product's tax-relevant ids, category
    ancestry and weight: two queries. Raises ValueError for an unknown variant id."""
    variants = ProductVariant.objects.select_related("product").only(
        "sku", "weight_grams", "product__product_type_id", "product__category_id",
    ).in_bulk([variant_id for variant_id, _, _ in items])
    parents = category_parents()
    lines = []
    for variant_id, quantity, unit_price in items:
        variant = variants.get(variant_id)
        if variant is None:
            raise ValueError(f"There is no variant {variant_id}.")
        category_id = variant.product.category_id
        categories = [] if category_id is None else [category_id,
                                                      *ancestors_of(category_id, parents)]
        lines.append(PricingLine(
            sku=variant.sku, quantity=quantity, unit_price=unit_price,
            product_id=variant.product_id, product_type_id=variant.product.product_type_id,
            category_ids=frozenset(categories), weight_grams=variant.weight_grams,
            variant_id=variant.pk,
        ))
    return lines


def tax_rates_for(country: str) -> tuple[TaxRateRule, ...]:
    rows = TaxRate.objects.filter(country=country.upper()).values_list(
        "country", "region", "tax_class__code", "rate", "name")
    return tuple(TaxRateRule(*row) for row in rows)


def tax_classes_for(lines: Sequence[PricingLine]) -> tuple[dict[int, str], dict[int, str]]:
    """(tax class code per product, per product type) of the lines' products: two queries."""
    products = ProductTaxClass.objects.filter(
        product_id__in={line.product_id for line in lines}
    ).values_list("product_id", "tax_class__code")
    types = ProductTypeTaxClass.objects.filter(
        product_type_id__in={line.product_type_id for line in lines}
    ).values_list("product_type_id", "tax_class__code")
    return dict(products), dict(types)


def coupons_for(codes: Iterable[str]) -> list[Coupon]:
    wanted = {normalize_code(code) for code in entered_codes(list(codes))}
    if not wanted:
        return []
    return list(Coupon.objects.annotate(code_lower=Lower("code")).filter(code_lower__in=wanted))


def _customer_uses(customer_id: int | None) -> Coalesce | Value:
    if customer_id is None:
        return Value(0, output_field=IntegerField())
    uses = (PromotionUsage.objects.filter(promotion=OuterRef("pk"), customer_id=customer_id)
            .order_by().values("promotion").annotate(count=Count("pk")).values("count"))
    return Coalesce(Subquery(uses[:1]), 0)


def live_promotions(*, currency: str, now: datetime) -> Q:
    """Promotions that may apply to a cart now without a coupon."""
    return (
        Q(is_active=True, requires_coupon=False)
        & (Q(starts_at__isnull=True) | Q(starts_at__lte=now))
        & (Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        & (Q(currency="") | Q(currency=currency))
        & (Q(usage_limit__isnull=True) | Q(times_used__lt=F("usage_limit")))
    )


def promotion_rule(row: Promotion, *, product_ids: frozenset[int],
                   category_ids: frozenset[int]) -> PromotionRule:
    def money(amount: object) -> Money | None:
        return None if amount is None else to_money(amount, row.currency)

    return PromotionRule(
        id=row.pk, name=row.name, kind=PromotionKind(row.kind), scope=PromotionScope(row.scope),
        percentage=row.percentage, amount=money(row.amount),
        buy_quantity=row.buy_quantity or 0, get_quantity=row.get_quantity or 0,
        product_ids=product_ids, category_ids=category_ids, currency=row.currency,
        min_order_value=money(row.min_order_value), min_quantity=row.min_quantity,
        starts_at=row.starts_at, ends_at=row.ends_at, usage_limit=row.usage_limit,
        usage_limit_per_customer=row.usage_limit_per_customer, times_used=row.times_used,
        customer_times_used=row.customer_times_used, priority=row.priority, stacks=row.stacks,
        requires_coupon=row.requires_coupon, is_active=row.is_active,
    )


def _targets(through: type, column: str, *, promotion_ids: list[int],
             wanted: set[int]) -> dict[int, set[int]]:
    """{promotion id: targeted ids among `wanted`}: only what can match these lines is read."""
    found: dict[int, set[int]] = {}
    if not promotion_ids or not wanted:
        return found
    rows = through.objects.filter(promotion_id__in=promotion_ids, **{f"{column}__in": wanted})
    for promotion_id, target_id in rows.values_list("promotion_id", column):
        found.setdefault(promotion_id, set()).add(target_id)
    return found


def promotions_for(*, request: QuoteRequest, extra_ids: Iterable[int]) -> tuple[PromotionRule, ...]:
    """Live promotions, plus those of `extra_ids` (unlocked by a coupon, or shown before)
    whatever their state so the rules can say why they do not apply: three queries."""
    rows = list(
        Promotion.objects.filter(live_promotions(currency=request.currency, now=request.now)
                                 | Q(pk__in=set(extra_ids)))
        .annotate(customer_times_used=_customer_uses(request.customer_id))
    )
    return rules_with_targets(rows, product_ids={line.product_id for line in request.lines},
                              category_ids=set().union(*(line.category_ids
                                                         for line in request.lines)))


def rules_with_targets(rows: Sequence[Promotion], *, product_ids: set[int],
                       category_ids: set[int]) -> tuple[PromotionRule, ...]:
    """The rows as rules, with those of their targets among the ids: two queries at most."""
    ids = [row.pk for row in rows]
    products = _targets(Promotion.products.through, "product_id", promotion_ids=ids,
                        wanted=product_ids)
    categories = _targets(Promotion.categories.through, "category_id", promotion_ids=ids,
                          wanted=category_ids)
    return tuple(
        promotion_rule(row, product_ids=frozenset(products.get(row.pk, ())),
                       category_ids=frozenset(categories.get(row.pk, ())))
        for row in rows
    )


@dataclass(frozen=True)
class CatalogPrice:
    """A price as the catalog stores it: a variant's, or a listing row's cheapest."""

    product_id: int
    category_id: int | None
    price: Money
    compare_at: Money | None = None


@dataclass(frozen=True)
class ShelfPrices:
    prices: list[ShelfPrice]  # in the order of the catalog prices asked for
    priced_at: datetime
    changes_at: datetime | None  # when a shelf promotion next starts or ends

    def seconds_valid(self) -> int | None:
        """How long these prices stay right (None: until someone edits a promotion)."""
        if self.changes_at is None:
            return None
        return max(0, ceil((self.changes_at - self.priced_at).total_seconds()))


def _shelf_candidates(*, currencies: set[str], now: datetime) -> Q:
    # Narrows the rows only; rules/shelf.py decides which count. Promotions that have not
    # started are read too: when they start, the prices change.
    return (
        Q(is_active=True, requires_coupon=False, kind__in=[kind.value for kind in SHELF_KINDS])
        & (Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        & (Q(currency="") | Q(currency__in=currencies))
        & (Q(usage_limit__isnull=True) | Q(times_used__lt=F("usage_limit")))
    )


def shelf_prices_for(*, items: Sequence[CatalogPrice],
                     now: datetime | None = None) -> ShelfPrices:
    """What each catalog price costs the shopper now, with the automatic promotions that need
    no code and no basket condition (rules/shelf.py), and until when that holds: four queries
    at most (one when no promotion may count, none without items), however many items and
    currencies."""
    now = now or timezone.now()
    if not items:
        return ShelfPrices(prices=[], priced_at=now, changes_at=None)
    currencies = {item.price.currency.code for item in items}
    rows = list(Promotion.objects.filter(_shelf_candidates(currencies=currencies, now=now))
                .annotate(customer_times_used=Value(0, output_field=IntegerField())))
    parents = category_parents() if rows else {}
    categories = {item.category_id: frozenset([item.category_id,
                                               *ancestors_of(item.category_id, parents)])
                  for item in items if item.category_id is not None}
    promotions = rules_with_targets(rows, product_ids={item.product_id for item in items},
                                    category_ids=set().union(*categories.values()))
    shelf_items = [ShelfItem(product_id=item.product_id,
                             category_ids=categories.get(item.category_id, frozenset()),
                             price=item.price, compare_at=item.compare_at) for item in items]
    return ShelfPrices(prices=shelf_prices(shelf_items, promotions, now=now), priced_at=now,
                       changes_at=next_shelf_change(promotions, now=now))


def shelf_prices_of_listings(rows: Sequence[ProductListing]) -> ShelfPrices:
    """`shelf_prices_for` the listing rows; each row also carries its own as
    `row.shelf_price`, the way an annotation would, for the API's schemas."""
    shelf = shelf_prices_for(items=[
        CatalogPrice(product_id=row.product_id, category_id=row.category_id,
                     price=Money(row.price_amount, row.currency),
                     compare_at=(None if row.compare_at_amount is None
                                 else Money(row.compare_at_amount, row.currency)))
        for row in rows
    ])
    for row, price in zip(rows, shelf.prices, strict=True):
        row.shelf_price = price
    return shelf


def shelf_prices_of_variants(product: Product, prices: Sequence[VariantPrice]) -> ShelfPrices:
    """`shelf_prices_for` the product's variant prices (in any currencies); each price also
    carries its own as `price.shelf_price`."""
    shelf = shelf_prices_for(items=[
        CatalogPrice(product_id=product.pk, category_id=product.category_id,
                     price=price.price, compare_at=price.compare_at)
        for price in prices
    ])
    for price, shelf_price in zip(prices, shelf.prices, strict=True):
        price.shelf_price = shelf_price
    return shelf


def _zone_rule(rate: DeliveryRate) -> DeliveryZoneRule:
    zone = rate.zone
    return DeliveryZoneRule(id=zone.pk, name=zone.name,
                            countries=frozenset(country.code for country in zone.countries),
                            regions=zone.region_codes)


def _rate_rule(rate: DeliveryRate) -> DeliveryRateRule:
    def money(amount: object) -> Money | None:
        return None if amount is None else round_money(to_money(amount, rate.currency))

    return DeliveryRateRule(
        zone=_zone_rule(rate), price=round_money(to_money(rate.price, rate.currency)),
        min_weight_grams=rate.min_weight_grams, max_weight_grams=rate.max_weight_grams,
        min_order_value=money(rate.min_order_value), max_order_value=money(rate.max_order_value),
        free_over=money(rate.free_over),
    )


def delivery_methods_in(currency: str) -> tuple[DeliveryMethodRule, ...]:
    """Active methods with their rates in the currency, zones and exclusions: three queries."""
    methods = DeliveryMethod.objects.filter(is_active=True).select_related("tax_class")
    methods = methods.prefetch_related(
        Prefetch("rates", queryset=DeliveryRate.objects.filter(currency=currency)
                 .select_related("zone").order_by("pk")),
        Prefetch("excluded_categories", queryset=Category.objects.only("pk")),
    )
    return tuple(
        DeliveryMethodRule(
            id=method.pk, code=method.code, name=method.name, description=method.description,
            rates=tuple(_rate_rule(rate) for rate in method.rates.all()),
            estimated_days_min=method.estimated_days_min,
            estimated_days_max=method.estimated_days_max,
            tax_class=method.tax_class.code if method.tax_class else STANDARD_TAX_CLASS,
            excluded_category_ids=frozenset(c.pk for c in method.excluded_categories.all()),
        )
        for method in methods
    )


def pricing_config_for(*, request: QuoteRequest, with_delivery: bool) -> PricingConfig:
    """What the rules need to price `request`: at most 10 queries, however big the cart."""
    coupons = coupons_for(request.coupon_codes)
    extra_ids = {c.promotion_id for c in coupons} | set(request.previously_applied_promotion_ids)
    country = (request.address.country if request.address else request.shop_country)
    product_classes, type_classes = tax_classes_for(request.lines)
    return PricingConfig(
        tax_rates=tax_rates_for(country),
        product_tax_classes=product_classes, product_type_tax_classes=type_classes,
        delivery_methods=delivery_methods_in(request.currency) if with_delivery else (),
        promotions=promotions_for(request=request, extra_ids=extra_ids),
        coupons=tuple(CouponRule(code=c.code, promotion_id=c.promotion_id,
                                 usage_limit=c.usage_limit, times_used=c.times_used,
                                 expires_at=c.expires_at, is_active=c.is_active)
                      for c in coupons),
    )


def quote_request(*, currency: str, lines: Sequence[PricingLine], address: Address | None = None,
                  delivery_method: str | None = None, coupon_codes: Sequence[str] = (),
                  customer_id: int | None = None, now: datetime | None = None,
                  prices_include_tax: bool | None = None,
                  previously_applied_promotion_ids: Iterable[int] = (),
                  shipments: Sequence[ShipmentRequest] = ()) -> QuoteRequest:
    """A QuoteRequest with the shop settings filled in."""
    if prices_include_tax is None:
        prices_include_tax = settings.MERCATO_PRICES_INCLUDE_TAX
    return QuoteRequest(
        currency=currency, lines=tuple(lines), now=now or timezone.now(),
        prices_include_tax=prices_include_tax, shop_country=settings.MERCATO_SHOP_COUNTRY,
        address=address, delivery_method=delivery_method or None,
        coupon_codes=tuple(coupon_codes), customer_id=customer_id,
        previously_applied_promotion_ids=frozenset(previously_applied_promotion_ids),
        shipments=tuple(shipments),
    )


def quote_for_lines(*, currency: str, lines: Sequence[PricingLine], address: Address | None = None,
                    delivery_method: str | None = None, coupon_codes: Sequence[str] = (),
                    customer_id: int | None = None, now: datetime | None = None,
                    prices_include_tax: bool | None = None,
                    previously_applied_promotion_ids: Iterable[int] = (),
                    shipments: Sequence[ShipmentRequest] = ()) -> Quote:
    """The price of these lines now: discounts, delivery (with an address and a method, or per
    shipment), tax and total. Problems (a bad coupon, a promotion that ended, a method not
    offered) come back as `quote.messages`, never as exceptions."""
    request = quote_request(
        currency=currency, lines=lines, address=address, delivery_method=delivery_method,
        coupon_codes=coupon_codes, customer_id=customer_id, now=now,
        prices_include_tax=prices_include_tax,
        previously_applied_promotion_ids=previously_applied_promotion_ids, shipments=shipments,
    )
    with_delivery = request.address is not None and (request.delivery_method is not None
                                                      or bool(request.shipments))
    return price_quote(request, pricing_config_for(request=request, with_delivery=with_delivery))


def delivery_methods_for(*, currency: str, address: Address, lines: Sequence[PricingLine],
                         coupon_codes: Sequence[str] = (), customer_id: int | None = None,
                         now: datetime | None = None,
                         prices_include_tax: bool | None = None) -> list[DeliveryOption]:
    """The delivery methods offered for this address and cart, each with its fee and
    estimated delivery time (a free-delivery promotion makes every fee zero)."""
    request = quote_request(currency=currency, lines=lines, address=address,
                            coupon_codes=coupon_codes, customer_id=customer_id, now=now,
                            prices_include_tax=prices_include_tax)
    return delivery_options(request, pricing_config_for(request=request, with_delivery=True))


def quotes_with_promotion_running(*, promotion_id: int, carts: Sequence[PreviewCart],
                                  now: datetime | None = None,
                                  prices_include_tax: bool | None = None) -> dict[int, Quote]:
    """Each cart's quote (by its key) as if promotion `promotion_id` were running now, beside
    the promotions live now (see rules/preview.py). No address: tax is estimated for the shop's
    country. At most 6 queries plus 3 per currency, however many carts and lines."""
    now = now or timezone.now()
    all_lines = pricing_lines_for(items=[item for cart in carts for item in cart.items])
    product_classes, type_classes = tax_classes_for(all_lines)
    tax_rates = tax_rates_for(settings.MERCATO_SHOP_COUNTRY)
    promotions = {
        currency: promotions_for(
            request=quote_request(currency=currency, now=now, lines=[
                line for line in all_lines if line.unit_price.currency.code == currency]),
            extra_ids={promotion_id})
        for currency in sorted({cart.currency for cart in carts})
    }
    uses = (PromotionUsage.objects.filter(
        promotion_id__in={p.id for rules in promotions.values() for p in rules},
        customer_id__in={cart.customer_id for cart in carts} - {None},
    ).order_by().values_list("promotion_id", "customer_id").annotate(count=Count("pk")))
    customer_uses = {(row[0], row[1]): row[2] for row in uses}
    quotes = {}
    for cart, lines in lines_per_cart(carts, all_lines):
        config = PricingConfig(
            tax_rates=tax_rates, product_tax_classes=product_classes,
            product_type_tax_classes=type_classes,
            promotions=preview_promotions(promotions[cart.currency], promotion_id=promotion_id,
                                          customer_id=cart.customer_id,
                                          customer_uses=customer_uses),
        )
        request = quote_request(currency=cart.currency, lines=lines, now=now,
                                customer_id=cart.customer_id,
                                prices_include_tax=prices_include_tax)
        quotes[cart.key] = price_quote(request, config)
    return quotes
