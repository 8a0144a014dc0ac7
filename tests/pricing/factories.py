"""factory_boy factories of the pricing rows (the catalog's are in tests/factories.py)."""

from decimal import Decimal

import factory

from mercato.pricing.models import (
    Coupon,
    DeliveryMethod,
    DeliveryRate,
    DeliveryZone,
    ProductTaxClass,
    ProductTypeTaxClass,
    Promotion,
    PromotionUsage,
    TaxClass,
    TaxRate,
)
from tests.factories import CategoryFactory, ProductFactory, ProductTypeFactory


class TaxClassFactory(factory.django.DjangoModelFactory):
    """The standard, reduced and zero classes exist already (migration 0002)."""

    class Meta:
        model = TaxClass
        django_get_or_create = ("code",)

    code = "standard"
    name = factory.LazyAttribute(lambda o: f"{o.code.title()} rate")


class ProductTypeTaxClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductTypeTaxClass

    tax_class = factory.SubFactory(TaxClassFactory, code="reduced")
    product_type = factory.SubFactory(ProductTypeFactory,
                                      name=factory.Sequence(lambda n: f"Food {n}"),
                                      slug=factory.Sequence(lambda n: f"food-{n}"))


class ProductTaxClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductTaxClass

    tax_class = factory.SubFactory(TaxClassFactory, code="reduced")
    product = factory.SubFactory(ProductFactory)


class TaxRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxRate

    country = "DE"
    region = ""
    tax_class = factory.SubFactory(TaxClassFactory)
    rate = Decimal(19)
    name = factory.LazyAttribute(lambda o: f"VAT {o.rate}%")


class DeliveryZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliveryZone

    name = factory.Sequence(lambda n: f"Zone {n}")
    countries = ["DE", "AT"]


class DeliveryMethodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliveryMethod

    code = factory.Sequence(lambda n: f"method-{n}")
    name = factory.Sequence(lambda n: f"Method {n}")
    estimated_days_min = 1
    estimated_days_max = 3


class DeliveryRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliveryRate

    method = factory.SubFactory(DeliveryMethodFactory)
    zone = factory.SubFactory(DeliveryZoneFactory)
    currency = "EUR"
    price = Decimal("4.90")


class PromotionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Promotion

    name = factory.Sequence(lambda n: f"Promotion {n}")
    kind = "percentage"
    scope = "order"
    percentage = Decimal(10)


class CouponFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coupon

    code = factory.Sequence(lambda n: f"CODE{n:04d}")
    promotion = factory.SubFactory(PromotionFactory, requires_coupon=True)
    usage_limit = 1


class PromotionUsageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PromotionUsage

    promotion = factory.SubFactory(PromotionFactory)
    customer_id = None
    order_reference = factory.Sequence(lambda n: f"ORDER-{n:05d}")


def make_pricing_setup(*, country: str = "DE") -> dict[str, object]:
    """One row of every pricing model (what back-office page tests need); call it again with
    another country for more rows."""
    reduced = TaxClassFactory(code="reduced")
    ProductTypeTaxClassFactory(tax_class=reduced)
    ProductTaxClassFactory(tax_class=reduced)
    TaxRateFactory(country=country, tax_class=TaxClassFactory(code="standard"))
    TaxRateFactory(country=country, tax_class=reduced, rate=Decimal(7))
    rate = DeliveryRateFactory(free_over=Decimal("50.00"))
    rate.method.excluded_categories.add(CategoryFactory())
    promotion = PromotionFactory(scope="categories")
    promotion.categories.add(CategoryFactory())
    coupon = CouponFactory()
    PromotionUsageFactory(promotion=coupon.promotion, coupon=coupon)
    return {"promotion": promotion, "coupon": coupon, "delivery_rate": rate}
