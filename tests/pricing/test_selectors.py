"""Selectors: pricing lines from the catalog, the configuration and the quote from the database,
each in a bounded number of queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mercato.pricing.rules import Address, CouponStatus, MessageCode
from mercato.pricing.selectors import (
    CatalogPrice,
    delivery_methods_for,
    pricing_lines_for,
    quote_for_lines,
    shelf_prices_for,
)
from tests.factories import (
    CategoryFactory,
    ProductFactory,
    ProductTypeFactory,
    ProductVariantFactory,
)
from tests.pricing.builders import money
from tests.pricing.factories import (
    CouponFactory,
    DeliveryRateFactory,
    DeliveryZoneFactory,
    ProductTaxClassFactory,
    ProductTypeTaxClassFactory,
    PromotionFactory,
    PromotionUsageFactory,
    TaxClassFactory,
    TaxRateFactory,
)

pytestmark = pytest.mark.django_db
GERMANY = Address("DE")


@pytest.fixture
def german_vat():
    TaxRateFactory(tax_class=TaxClassFactory(code="standard"), rate=Decimal(19))
    TaxRateFactory(tax_class=TaxClassFactory(code="reduced"), rate=Decimal(7))


def variants(count: int, **product_fields):
    return [ProductVariantFactory(product=ProductFactory(**product_fields), weight_grams=250)
            for _ in range(count)]


def cart(variant_list, price: str = "10.00", quantity: int = 1, currency: str = "EUR"):
    return pricing_lines_for(items=[(v.pk, quantity, money(price, currency))
                                    for v in variant_list])


def count_queries(function, **kwargs) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        result = function(**kwargs)
    return len(queries), result


def test_pricing_lines_carry_category_ancestry_weight_and_ids(django_assert_num_queries):
    root = CategoryFactory()
    child = CategoryFactory(parent=root)
    variant = ProductVariantFactory(product=ProductFactory(category=child), weight_grams=300)

    with django_assert_num_queries(2):
        [line] = pricing_lines_for(items=[(variant.pk, 2, money("5.00"))])

    assert line.category_ids == {child.pk, root.pk}
    assert (line.sku, line.quantity, line.weight_grams) == (variant.sku, 2, 300)
    assert (line.product_id, line.product_type_id, line.variant_id) == (
        variant.product_id, variant.product.product_type_id, variant.pk)


def test_pricing_lines_refuse_an_unknown_variant():
    with pytest.raises(ValueError, match="no variant"):
        pricing_lines_for(items=[(987654, 1, money("1.00"))])


def test_quote_uses_the_tax_classes_of_product_types_and_products(german_vat):
    food_type = ProductTypeFactory(name="Food", slug="food")
    ProductTypeTaxClassFactory(product_type=food_type)
    bread, = variants(1, product_type=food_type)
    book, shirt = variants(2)
    ProductTaxClassFactory(product=book.product)

    result = quote_for_lines(currency="EUR", lines=cart([bread, book, shirt], price="10.70"),
                             address=GERMANY)

    assert [li.tax_class for li in result.lines] == ["reduced", "reduced", "standard"]


def test_region_rate_from_the_database_wins(german_vat):
    TaxRateFactory(country="US", region="", rate=Decimal(0))
    TaxRateFactory(country="US", region="NY", rate=Decimal("8.875"))
    lines = cart(variants(1), price="100.00", currency="USD")

    result = quote_for_lines(currency="USD", lines=lines, address=Address("US", "NY"),
                             prices_include_tax=False)

    assert result.tax_total == money("8.88", "USD")


def test_shop_settings_are_the_defaults(settings, german_vat):
    settings.MERCATO_PRICES_INCLUDE_TAX = False
    settings.MERCATO_SHOP_COUNTRY = "DE"

    result = quote_for_lines(currency="EUR", lines=cart(variants(1), price="100.00"))

    assert result.prices_include_tax is False
    assert result.tax_known is False
    assert result.total == money("119.00")


def test_category_promotion_reaches_products_in_sub_categories(german_vat):
    parent = CategoryFactory()
    promotion = PromotionFactory(scope="categories", percentage=Decimal(50))
    promotion.categories.add(parent)
    inside, = variants(1, category=CategoryFactory(parent=parent))
    outside, = variants(1)

    result = quote_for_lines(currency="EUR", lines=cart([inside, outside]))

    assert [li.discount_total for li in result.lines] == [money("5.00"), money("0.00")]


def test_only_live_promotions_apply(german_vat):
    now = timezone.now()
    PromotionFactory(name="Later", starts_at=now + timedelta(days=1))
    PromotionFactory(name="Over", ends_at=now - timedelta(seconds=1),
                     starts_at=now - timedelta(days=3))
    PromotionFactory(name="Off", is_active=False)
    PromotionFactory(name="Used up", usage_limit=2, times_used=2)
    PromotionFactory(name="Pounds", kind="fixed_amount", percentage=None,
                     amount=Decimal(5), currency="GBP")
    live = PromotionFactory(name="Live")

    result = quote_for_lines(currency="EUR", lines=cart(variants(1)))

    assert result.applied_promotion_ids == (live.pk,)


def test_a_promotion_shown_before_that_ended_is_reported(german_vat):
    ended = PromotionFactory(name="Spring sale", starts_at=timezone.now() - timedelta(days=9),
                             ends_at=timezone.now() - timedelta(days=1))

    result = quote_for_lines(currency="EUR", lines=cart(variants(1)),
                             previously_applied_promotion_ids=[ended.pk])

    assert [m.code for m in result.messages] == [MessageCode.PROMOTION_NO_LONGER_APPLIES]
    assert "Spring sale" in result.messages[0].text


def test_per_customer_usage_is_counted_from_the_usage_ledger(german_vat):
    once = PromotionFactory(usage_limit_per_customer=1)
    PromotionUsageFactory(promotion=once, customer_id=41)
    lines = cart(variants(1))

    assert quote_for_lines(currency="EUR", lines=lines, customer_id=41).applied_promotion_ids == ()
    assert quote_for_lines(currency="EUR", lines=lines, customer_id=42).applied_promotion_ids == (
        once.pk,)


def test_coupon_codes_unlock_their_promotion_in_any_letter_case(german_vat):
    coupon = CouponFactory(code="Summer25", promotion__percentage=Decimal(25))

    result = quote_for_lines(currency="EUR", lines=cart(variants(1), price="20.00"),
                             coupon_codes=["SUMMER25"])

    assert result.applied_promotion_ids == (coupon.promotion_id,)
    assert result.coupons[0].status == CouponStatus.APPLIED
    assert result.total == money("15.00")


def test_delivery_is_quoted_for_the_address_and_method(german_vat):
    rate = DeliveryRateFactory(price=Decimal("4.90"), free_over=Decimal("50.00"),
                               method__code="standard")

    cheap = quote_for_lines(currency="EUR", lines=cart(variants(1), price="20.00"),
                            address=GERMANY, delivery_method="standard")
    big = quote_for_lines(currency="EUR", lines=cart(variants(1), price="60.00"),
                          address=GERMANY, delivery_method="standard")

    assert cheap.delivery.price == money("4.90")
    assert cheap.total == money("24.90")
    assert big.delivery.price == money("0.00")
    assert rate.method.name == cheap.delivery.name


def test_delivery_methods_for_an_address_and_cart():
    zone = DeliveryZoneFactory(countries=["DE"])
    DeliveryRateFactory(method__code="standard", method__position=1, zone=zone, price=Decimal(5))
    DeliveryRateFactory(method__code="express", method__position=2, zone=zone, price=Decimal(15),
                        method__estimated_days_max=1)
    DeliveryRateFactory(method__code="nordic", zone=DeliveryZoneFactory(countries=["SE"]))
    DeliveryRateFactory(method__code="off", method__is_active=False, zone=zone)
    no_batteries = DeliveryRateFactory(method__code="air", zone=zone).method
    batteries = CategoryFactory()
    no_batteries.excluded_categories.add(batteries)
    battery, = variants(1, category=CategoryFactory(parent=batteries))

    plain = delivery_methods_for(currency="EUR", address=GERMANY, lines=cart(variants(1)))
    with_battery = delivery_methods_for(currency="EUR", address=GERMANY, lines=cart([battery]))

    assert [(o.code, o.fee) for o in plain] == [
        ("air", money("4.90")), ("standard", money("5.00")), ("express", money("15.00"))]
    assert [o.code for o in with_battery] == ["standard", "express"]


def _catalog_with_promotions(promotion_count: int) -> None:
    category = CategoryFactory()
    for index in range(promotion_count):
        promotion = PromotionFactory(scope="categories" if index % 2 else "products",
                                     percentage=Decimal(1))
        promotion.categories.add(category)
        CouponFactory(promotion=promotion, code=f"BOUND{promotion_count}-{index}")


def _full_quote(lines, codes):
    return quote_for_lines(currency="EUR", lines=lines, address=GERMANY,
                           delivery_method="standard", coupon_codes=codes, customer_id=5,
                           previously_applied_promotion_ids=[1, 2])


def test_quote_query_count_does_not_grow_with_lines(german_vat):
    DeliveryRateFactory(method__code="standard", zone=DeliveryZoneFactory(countries=["DE"]))
    _catalog_with_promotions(3)
    few, many = cart(variants(2)), cart(variants(30))

    small, _ = count_queries(_full_quote, lines=few, codes=["BOUND3-0"])
    large, result = count_queries(_full_quote, lines=many, codes=["BOUND3-0"])

    assert small == large <= 10
    assert len(result.lines) == 30


def test_quote_query_count_does_not_grow_with_promotions_and_coupons(german_vat):
    DeliveryRateFactory(method__code="standard", zone=DeliveryZoneFactory(countries=["DE"]))
    lines = cart(variants(5))
    _catalog_with_promotions(2)
    small, _ = count_queries(_full_quote, lines=lines, codes=["BOUND2-0", "BOUND2-1"])
    _catalog_with_promotions(20)

    large, result = count_queries(_full_quote, lines=lines,
                                  codes=[f"BOUND20-{i}" for i in range(20)])

    assert small == large <= 10
    assert len(result.coupons) == 20


def test_pricing_lines_query_count_does_not_grow_with_lines():
    few, many = variants(2), variants(30)

    small, _ = count_queries(cart, variant_list=few)
    large, _ = count_queries(cart, variant_list=many)

    assert small == large == 2


def _shelf(products, price: str = "50.00"):
    return [CatalogPrice(product_id=product.pk, category_id=product.category_id,
                         price=money(price)) for product in products]


def test_shelf_prices_apply_category_promotions_to_sub_categories_in_four_queries(
        django_assert_num_queries):
    parent = CategoryFactory(slug="outer")
    products = [ProductFactory(category=CategoryFactory(slug=f"coats-{n}", parent=parent))
                for n in range(20)]
    sale = PromotionFactory(name="Coats", scope="categories", percentage=Decimal(20))
    sale.categories.add(parent)
    PromotionFactory(name="With code", percentage=Decimal(50), requires_coupon=True)
    PromotionFactory(name="Over 100", percentage=Decimal(10), min_order_value=Decimal(100),
                     currency="EUR")
    with django_assert_num_queries(4):
        shelf = shelf_prices_for(items=_shelf(products))
    assert {price.price for price in shelf.prices} == {money("40.00")}
    assert {price.was for price in shelf.prices} == {money("50.00")}


def test_shelf_prices_without_promotions_take_one_query(django_assert_num_queries):
    products = [ProductFactory() for _ in range(5)]
    with django_assert_num_queries(1):
        shelf = shelf_prices_for(items=_shelf(products))
    assert [price.price for price in shelf.prices] == [money("50.00")] * 5
    assert shelf.seconds_valid() is None


def test_shelf_prices_know_when_a_promotion_starts(django_assert_num_queries):
    product = ProductFactory()
    now = timezone.now()
    PromotionFactory(starts_at=now + timedelta(seconds=30))
    shelf = shelf_prices_for(items=_shelf([product]), now=now)
    assert shelf.prices[0].price == money("50.00")
    assert shelf.seconds_valid() == 30
    later = shelf_prices_for(items=_shelf([product]), now=now + timedelta(seconds=31))
    assert later.prices[0].price == money("45.00")
