"""seed_demo's pricing: tax, delivery, promotions and coupons that the engine prices with."""

import io
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from mercato.catalog.models import Category
from mercato.core.money import to_money
from mercato.demo import pricing_plan
from mercato.demo.plan import category_plans
from mercato.pricing.models import (
    Coupon,
    DeliveryMethod,
    DeliveryRate,
    DeliveryZone,
    ProductTypeTaxClass,
    Promotion,
    PromotionUsage,
    TaxRate,
)
from mercato.pricing.rules import Address, CouponStatus
from mercato.pricing.selectors import delivery_methods_for, pricing_lines_for, quote_for_lines
from tests.factories import ProductTypeFactory, make_sellable_variant

PRICING_MODELS = (TaxRate, ProductTypeTaxClass, DeliveryZone, DeliveryMethod, DeliveryRate,
                  Promotion, Coupon, PromotionUsage)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MERCATO_PRICES_INCLUDE_TAX = True


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def demo(db) -> str:
    return seed(products=5)


def product_in(slug: str, *, price: str, currency: str = "EUR", weight: int = 500,
               type_slug: str = "apparel"):
    variant = make_sellable_variant(price=price, currency=currency,
                                    category=Category.objects.get(slug=slug),
                                    product_type=ProductTypeFactory(slug=type_slug))
    variant.weight_grams = weight
    variant.save(update_fields=["weight_grams"])
    return variant


def lines(*variants, quantity: int = 1, currency: str = "EUR"):
    return pricing_lines_for(items=[
        (v.pk, quantity, to_money(v.prices.get(currency=currency).amount, currency))
        for v in variants])


def fees(variants, *, country: str = "DE", region: str = "", currency: str = "EUR",
         quantity: int = 1) -> dict[str, Decimal]:
    options = delivery_methods_for(currency=currency, address=Address(country, region),
                                   lines=lines(*variants, quantity=quantity, currency=currency))
    return {option.code: option.fee.amount for option in options}


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in PRICING_MODELS}


def test_tax_rates_per_country_with_us_states_of_their_own(demo):
    rates = {(str(r.country), r.region, r.tax_class.code): r.rate
             for r in TaxRate.objects.select_related("tax_class")}

    assert [rates["DE", "", code] for code in ("standard", "reduced", "zero")] == [19, 7, 0]
    assert [rates["GB", "", code] for code in ("standard", "reduced", "zero")] == [20, 5, 0]
    assert [rates["FR", "", code] for code in ("standard", "reduced", "zero")] == [
        20, Decimal("5.5"), 0]
    assert (rates["US", "CA", "standard"], rates["US", "NY", "standard"],
            rates["US", "", "standard"]) == (Decimal("7.25"), 4, 0)


def test_homeware_is_taxed_at_the_reduced_rate_and_apparel_at_the_standard_one(demo):
    classes = dict(ProductTypeTaxClass.objects.values_list("product_type__slug",
                                                           "tax_class__code"))
    candle = product_in("home-living-candles", price="21.40", type_slug="homeware")
    shirt = product_in("men-tops-t-shirts", price="23.80", type_slug="apparel")

    quote = quote_for_lines(currency="EUR", lines=lines(candle, shirt), address=Address("DE"))

    assert classes == {"apparel": "standard", "shoes": "standard",
                       "accessories": "standard", "homeware": "reduced"}
    assert [(line.tax_rate, line.tax.amount) for line in quote.lines] == [
        (7, Decimal("1.40")), (19, Decimal("3.80"))]


def test_first_class_is_free_in_germany_from_50_eur_and_express_never(demo):
    cheap = product_in("men-tops-shirts", price="30.00")
    dear = product_in("men-tops-shirts", price="60.00")

    assert fees([cheap]) == {"first-class": Decimal("4.90"), "express": Decimal("9.90")}
    assert fees([dear]) == {"first-class": 0, "express": Decimal("9.90")}


def test_heavy_carts_pay_more_and_express_carries_at_most_10_kg(demo):
    coat = product_in("men-outerwear-coats", price="20.00", weight=1500)

    assert fees([coat], quantity=2) == {"first-class": Decimal("6.90"),
                                        "express": Decimal("14.90")}
    assert fees([coat], quantity=7) == {"first-class": 0}  # 10.5 kg, 140 EUR


def test_express_is_not_offered_for_lamps(demo):
    lamp = product_in("home-bedroom-lamps", price="30.00", type_slug="homeware")
    shirt = product_in("men-tops-shirts", price="30.00")

    assert set(fees([lamp, shirt])) == {"first-class"}


def test_every_zone_is_served_in_every_currency(demo):
    shirt = product_in("men-tops-shirts", price="30.00")
    for currency, rate in (("GBP", "25.99"), ("USD", "32.99")):
        shirt.prices.create(currency=currency, amount=Decimal(rate))

    assert fees([shirt], country="GB", currency="GBP") == {
        "first-class": Decimal("8.99"), "express": Decimal("17.99")}
    assert fees([shirt], country="US", region="CA", currency="USD") == {
        "first-class": Decimal("16.99"), "express": Decimal("32.99")}
    assert fees([shirt], country="FR") == {"first-class": Decimal("9.90"),
                                           "express": Decimal("19.90")}
    zones = set(DeliveryRate.objects.values_list("zone__name", "currency", "method__code"))
    assert len(zones) == 4 * 3 * 2


def test_promotions_run_now_lie_ahead_or_have_ended(demo):
    now = timezone.now()
    promotions = {p.name: p for p in Promotion.objects.all()}

    assert promotions["Winter sale"].starts_at < now < promotions["Winter sale"].ends_at
    weekend = promotions["Free delivery weekend"]
    assert now < weekend.starts_at
    assert timezone.localtime(weekend.starts_at).weekday() == 5
    assert weekend.ends_at - weekend.starts_at == timedelta(days=2)
    assert promotions["Summer sale"].ends_at < now


def test_winter_sale_takes_20_percent_off_knitwear_and_the_ended_summer_sale_nothing(demo):
    jumper = product_in("women-tops-knitwear", price="80.00")
    dress = product_in("women-dresses-day-dresses", price="15.00")

    quote = quote_for_lines(currency="EUR", lines=lines(jumper, dress))

    assert [(d.name, d.amount.amount) for d in quote.discounts] == [
        ("Winter sale", Decimal("16.00"))]
    assert quote.lines[1].discounts == ()


def test_three_t_shirts_cost_two_and_orders_over_100_get_10_percent_more(demo):
    shirt = product_in("men-tops-t-shirts", price="20.00")
    coat = product_in("men-outerwear-coats", price="150.00")

    three = quote_for_lines(currency="EUR", lines=lines(shirt, quantity=3))
    big = quote_for_lines(currency="EUR", lines=lines(shirt, coat))

    assert [(d.name, d.amount.amount) for d in three.discounts] == [
        ("Buy 2 get 1 free", Decimal("20.00"))]
    assert [(d.name, d.amount.amount) for d in big.discounts] == [
        ("Winter sale", Decimal("30.00")), ("10 % off orders over 100", Decimal("14.00"))]


def test_demo_coupons_apply_free_delivery_or_are_used_up(demo):
    shirt = product_in("men-tops-shirts", price="30.00")

    quote = quote_for_lines(currency="EUR", lines=lines(shirt), address=Address("DE"),
                            delivery_method="express",
                            coupon_codes=["welcome10", "FREESHIP", "THANKYOU5"])

    assert [c.status for c in quote.coupons] == [
        CouponStatus.APPLIED, CouponStatus.APPLIED, CouponStatus.USED_UP]
    assert (quote.delivery.price.amount, quote.delivery.amount.amount) == (Decimal("9.90"), 0)
    assert quote.total.amount == Decimal("27.00")


def test_coupon_uses_are_in_the_usage_ledger_and_the_counters(demo):
    uses = {c.code: (c.times_used, c.usage_limit, c.usages.count(), c.promotion.times_used)
            for c in Coupon.objects.select_related("promotion")}

    assert uses == {"WELCOME10": (3, None, 3, 3), "FREESHIP": (1, None, 1, 1),
                    "THANKYOU5": (1, 1, 1, 1)}


def test_seed_demo_prints_the_pricing_it_created(demo):
    assert "Tax rates: 18 (DE, FR, GB, US, US-CA, US-NY, US-TX)" in demo
    assert "Homeware: reduced" in demo
    assert "Delivery methods: First class (3-5 days), Express (1-2 days) (48 rates)" in demo
    assert "Free delivery weekend (from " in demo
    assert "Summer sale (ended " in demo
    assert "THANKYOU5 (used up)" in demo


def test_adding_the_demo_pricing_again_adds_nothing(demo):
    before = counts()

    out = seed(pricing_only=True)

    assert counts() == before
    assert out.strip() == "Demo pricing already present: nothing added."


def test_staff_changes_to_demo_rows_survive_a_second_run(demo):
    Promotion.objects.filter(name="Winter sale").update(percentage=Decimal(30))
    TaxRate.objects.filter(country="DE", tax_class__code="standard").delete()

    out = seed(pricing_only=True)

    assert Promotion.objects.get(name="Winter sale").percentage == 30
    assert TaxRate.objects.get(country="DE", tax_class__code="standard").rate == 19
    assert out.splitlines() == ["Tax rates: 1 (DE)"]


@pytest.mark.django_db
def test_pricing_beside_a_hand_made_catalog_leaves_out_what_names_demo_categories():
    out = seed(pricing_only=True)

    assert "Winter sale" not in set(Promotion.objects.values_list("name", flat=True))
    assert {"10 % off orders over 100", "Free delivery weekend"} <= set(
        Promotion.objects.values_list("name", flat=True))
    assert not DeliveryMethod.objects.get(code="express").excluded_categories.exists()
    assert Coupon.objects.count() == 3
    assert "Delivery zones: Germany, European Union, United Kingdom, United States" in out


def test_every_category_the_pricing_plan_names_is_a_demo_category():
    slugs = {category.slug for category in category_plans()}
    named = {slug for p in pricing_plan.PROMOTIONS for slug in p.category_slugs}
    named |= {slug for m in pricing_plan.METHODS for slug in m.excluded_categories}

    assert named <= slugs


def test_fees_and_thresholds_convert_from_eur_at_the_demo_rates():
    assert pricing_plan.fee_in(Decimal("4.90"), "EUR") == Decimal("4.90")
    assert pricing_plan.fee_in(Decimal("4.90"), "GBP") == Decimal("4.99")
    assert pricing_plan.fee_in(Decimal("4.90"), "USD") == Decimal("5.99")
    assert pricing_plan.threshold_in(Decimal(50), "GBP") == 45
    assert pricing_plan.threshold_in(Decimal(50), "USD") == 55
    assert len(pricing_plan.rate_plans()) == 2 * 4 * 3 * 2


@pytest.mark.parametrize("day", range(1, 8))
def test_the_free_delivery_weekend_is_always_the_next_one_ahead(day):
    now = datetime(2025, 9, day, 15, 30, tzinfo=ZoneInfo("Europe/Berlin"))  # Mon 1st..Sun 7th

    starts, ends = pricing_plan.schedule_dates("next_weekend", now)

    assert starts > now
    assert starts.weekday() == 5 and (starts.hour, starts.minute) == (0, 0)
    assert starts - now < timedelta(days=7)
    assert ends == starts + timedelta(days=2)
