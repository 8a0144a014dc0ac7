"""Writes the demo pricing of pricing_plan.py in a few bulk queries, none per product.

Idempotent: rows are found by their natural keys (a tax rate by country, region and class, a
product type's class by type, a zone by name, a method by code, a promotion by name, a coupon
by code in any case) and only the missing ones are created; rows staff changed stay as they
are. A method's rates, a promotion's categories and a coupon's usages are written only together
with the row they belong to. What names a category or product type the shop does not have is
left out, so this also runs beside a hand-made catalog.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from mercato.catalog.models import Category, ProductType
from mercato.demo import pricing_plan as plan
from mercato.pricing.models import (
    Coupon,
    DeliveryMethod,
    DeliveryRate,
    DeliveryZone,
    ProductTypeTaxClass,
    Promotion,
    PromotionUsage,
    TaxClass,
    TaxRate,
)

TAX_CLASSES = (("standard", "Standard rate"), ("reduced", "Reduced rate"), ("zero", "Zero rate"))


@dataclass
class PricingSummary:
    """What one run created (nothing, when the demo pricing is already there)."""

    tax_rates: list[str] = field(default_factory=list)  # "DE", "US-CA", ...
    product_types: list[str] = field(default_factory=list)  # "Homeware: reduced"
    zones: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    delivery_rates: int = 0
    promotions: list[str] = field(default_factory=list)  # with their schedule
    coupons: list[str] = field(default_factory=list)

    @property
    def created_anything(self) -> bool:
        return any((self.tax_rates, self.product_types, self.zones, self.methods,
                    self.delivery_rates, self.promotions, self.coupons))

    def report(self) -> list[str]:
        places = sorted(set(self.tax_rates))
        lines = [
            f"Tax rates: {len(self.tax_rates)} ({', '.join(places)})" if places else "",
            f"Tax classes: {', '.join(self.product_types)}" if self.product_types else "",
            f"Delivery zones: {', '.join(self.zones)}" if self.zones else "",
            (f"Delivery methods: {', '.join(self.methods)} ({self.delivery_rates} rates)"
             if self.methods else ""),
            "\n  ".join(["Promotions:", *self.promotions]) if self.promotions else "",
            f"Coupons: {', '.join(self.coupons)}" if self.coupons else "",
        ]
        return [line for line in lines if line]


def seed_demo_pricing(*, now: datetime | None = None) -> PricingSummary:
    """The demo tax rates, delivery methods, promotions and coupons, in one transaction."""
    now = timezone.localtime(now or timezone.now())
    summary = PricingSummary()
    with transaction.atomic():
        tax_classes = ensure_tax_classes()
        assign_product_types(tax_classes, summary)
        ensure_tax_rates(tax_classes, summary)
        categories = _category_ids()
        ensure_delivery(categories, summary)
        promotions = ensure_promotions(categories, now=now, summary=summary)
        ensure_coupons(promotions, summary)
    return summary


def ensure_tax_classes() -> dict[str, int]:
    """The three classes (a data migration creates them, but `flush` empties the table)."""
    TaxClass.objects.bulk_create([TaxClass(code=code, name=name) for code, name in TAX_CLASSES],
                                 ignore_conflicts=True)
    return dict(TaxClass.objects.values_list("code", "pk"))


def assign_product_types(tax_classes: dict[str, int], summary: PricingSummary) -> None:
    wanted = {**dict.fromkeys(plan.STANDARD_PRODUCT_TYPES, "standard"),
              **dict.fromkeys(plan.REDUCED_PRODUCT_TYPES, "reduced")}
    types = ProductType.objects.filter(slug__in=wanted).exclude(
        pk__in=ProductTypeTaxClass.objects.values("product_type_id"))
    rows = [(product_type, wanted[product_type.slug]) for product_type in types]
    ProductTypeTaxClass.objects.bulk_create([
        ProductTypeTaxClass(product_type=product_type, tax_class_id=tax_classes[code])
        for product_type, code in rows
    ])
    summary.product_types = [f"{product_type.name}: {code}"
                             for product_type, code in sorted(rows, key=lambda r: r[0].slug)]


def ensure_tax_rates(tax_classes: dict[str, int], summary: PricingSummary) -> None:
    existing = set(TaxRate.objects.values_list("country", "region", "tax_class_id"))
    new = [
        TaxRate(country=country, region=region, tax_class_id=tax_classes[code],
                rate=Decimal(rate), name=name)
        for country, region, code, rate, name in plan.TAX_RATES
        if (country, region, tax_classes[code]) not in existing
    ]
    TaxRate.objects.bulk_create(new)
    summary.tax_rates = [f"{rate.country}-{rate.region}" if rate.region else str(rate.country)
                         for rate in new]


def _category_ids() -> dict[str, int]:
    slugs = {slug for promotion in plan.PROMOTIONS for slug in promotion.category_slugs}
    slugs |= {slug for method in plan.METHODS for slug in method.excluded_categories}
    return dict(Category.objects.filter(slug__in=slugs).values_list("slug", "pk"))


def _missing(names: Iterable[str], existing: Iterable[str]) -> list[str]:
    known = set(existing)
    return [name for name in names if name not in known]


def ensure_delivery(categories: dict[str, int], summary: PricingSummary) -> None:
    """Zones, and the methods with their rates and excluded categories."""
    zone_names = _missing([name for name, _ in plan.ZONES],
                          DeliveryZone.objects.values_list("name", flat=True))
    countries = dict(plan.ZONES)
    DeliveryZone.objects.bulk_create([DeliveryZone(name=name, countries=list(countries[name]))
                                      for name in zone_names])
    zones = dict(DeliveryZone.objects.values_list("name", "pk"))
    codes = _missing([method.code for method in plan.METHODS],
                     DeliveryMethod.objects.values_list("code", flat=True))
    new = [method for method in plan.METHODS if method.code in codes]
    DeliveryMethod.objects.bulk_create([
        DeliveryMethod(code=m.code, name=m.name, description=m.description,
                       estimated_days_min=m.days[0], estimated_days_max=m.days[1],
                       position=m.position)
        for m in new
    ])
    methods = dict(DeliveryMethod.objects.filter(code__in=codes).values_list("code", "pk"))
    DeliveryMethod.excluded_categories.through.objects.bulk_create([
        DeliveryMethod.excluded_categories.through(deliverymethod_id=methods[m.code],
                                                   category_id=categories[slug])
        for m in new for slug in m.excluded_categories if slug in categories
    ])
    rates = DeliveryRate.objects.bulk_create([
        DeliveryRate(method_id=methods[r.method], zone_id=zones[r.zone], currency=r.currency,
                     min_weight_grams=r.min_weight_grams, max_weight_grams=r.max_weight_grams,
                     price=r.price, free_over=r.free_over)
        for r in plan.rate_plans() if r.method in methods and r.zone in zones
    ])
    summary.zones, summary.delivery_rates = zone_names, len(rates)
    summary.methods = [f"{m.name} ({m.days[0]}-{m.days[1]} days)" for m in new]


def ensure_promotions(categories: dict[str, int], *, now: datetime,
                      summary: PricingSummary) -> dict[str, int]:
    """{name: pk} of the demo promotions there are (created now or before)."""
    names = _missing([p.name for p in plan.PROMOTIONS],
                     Promotion.objects.values_list("name", flat=True))
    new = [p for p in plan.PROMOTIONS if p.name in names
           and (not p.category_slugs or any(slug in categories for slug in p.category_slugs))]
    rows = [_promotion_row(p, now=now) for p in new]
    Promotion.objects.bulk_create(rows)
    wanted = [p.name for p in plan.PROMOTIONS]
    ids = dict(Promotion.objects.filter(name__in=wanted).order_by("pk").values_list("name", "pk"))
    Promotion.categories.through.objects.bulk_create([
        Promotion.categories.through(promotion_id=ids[p.name], category_id=categories[slug])
        for p in new for slug in p.category_slugs if slug in categories
    ])
    summary.promotions = [f"{row.name} ({plan.describe_schedule(row.starts_at, row.ends_at, now)})"
                          for row in rows]
    return {name: ids[name] for name in wanted if name in ids}


def _promotion_row(promotion: plan.PromotionPlan, *, now: datetime) -> Promotion:
    starts_at, ends_at = plan.schedule_dates(promotion.schedule, now)
    return Promotion(
        name=promotion.name, description=promotion.description, kind=promotion.kind,
        scope=promotion.scope, percentage=promotion.percentage, amount=promotion.amount,
        currency=promotion.currency, buy_quantity=promotion.buy_quantity,
        get_quantity=promotion.get_quantity, min_order_value=promotion.min_order_value,
        starts_at=starts_at, ends_at=ends_at, priority=promotion.priority,
        stacks=promotion.stacks, requires_coupon=promotion.requires_coupon,
    )


def ensure_coupons(promotions: dict[str, int], summary: PricingSummary) -> None:
    """The demo coupons with the demo orders that used them (their usage ledger)."""
    existing = Coupon.objects.annotate(lower=Lower("code")).values_list("lower", flat=True)
    codes = _missing([c.code.lower() for c in plan.COUPONS], existing)
    new = [c for c in plan.COUPONS if c.code.lower() in codes and c.promotion in promotions]
    coupons = Coupon.objects.bulk_create([
        Coupon(code=c.code, promotion_id=promotions[c.promotion], usage_limit=c.usage_limit,
               times_used=len(c.used_by_orders))
        for c in new
    ])
    PromotionUsage.objects.bulk_create([
        PromotionUsage(promotion_id=coupon.promotion_id, coupon=coupon, order_reference=order)
        for coupon, c in zip(coupons, new, strict=True) for order in c.used_by_orders
    ], ignore_conflicts=True)
    recount_uses(promotion_ids={coupon.promotion_id for coupon in coupons})
    summary.coupons = [f"{c.code} ({plan.coupon_kind(c)})" for c in new]


def recount_uses(*, promotion_ids: set[int]) -> None:
    """Promotions' use counters from their usage ledger, as checkout would have moved them."""
    if not promotion_ids:
        return
    uses = (PromotionUsage.objects.filter(promotion_id=OuterRef("pk")).order_by()
            .values("promotion_id").annotate(count=Count("pk")).values("count"))
    Promotion.objects.filter(pk__in=promotion_ids).update(
        times_used=Coalesce(Subquery(uses[:1]), 0))
