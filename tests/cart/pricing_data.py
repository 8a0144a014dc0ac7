"""Pricing rows the cart tests price against, built with tests/pricing/factories.py."""

from decimal import Decimal

from mercato.catalog.models import Category
from mercato.pricing.models import DeliveryMethod, Promotion, TaxRate
from tests.cart.conftest import token_header
from tests.pricing.factories import (
    DeliveryMethodFactory,
    DeliveryRateFactory,
    DeliveryZoneFactory,
    PromotionFactory,
    TaxClassFactory,
    TaxRateFactory,
)


def german_vat(rate: str = "19") -> TaxRate:
    return TaxRateFactory(country="DE", tax_class=TaxClassFactory(code="standard"),
                          rate=Decimal(rate), name=f"VAT {rate}%")


def standard_delivery(*, code: str = "standard", price: str = "4.90",
                      free_over: str | None = "50.00", countries: tuple[str, ...] = ("DE", "AT"),
                      days: tuple[int, int] = (2, 4), position: int = 0) -> DeliveryMethod:
    """A method with one EUR rate in a zone of `countries`, free from `free_over` on."""
    method = DeliveryMethodFactory(code=code, name=code.title(), description=f"{code} parcel",
                                   estimated_days_min=days[0], estimated_days_max=days[1],
                                   position=position)
    DeliveryRateFactory(method=method, zone=DeliveryZoneFactory(countries=list(countries)),
                        price=Decimal(price),
                        free_over=None if free_over is None else Decimal(free_over))
    return method


def percent_off(name: str, percentage: str, *, categories: tuple[Category, ...] = (),
                **fields: object) -> Promotion:
    """A percentage promotion on the whole order, or on `categories` when given."""
    scope = "categories" if categories else "order"
    promotion = PromotionFactory(name=name, kind="percentage", scope=scope,
                                 percentage=Decimal(percentage), **fields)
    promotion.categories.add(*categories)
    return promotion


def amount_off(name: str, amount: str, **fields: object) -> Promotion:
    """A fixed amount in EUR off the whole order."""
    return PromotionFactory(name=name, kind="fixed_amount", scope="order", percentage=None,
                            amount=Decimal(amount), currency="EUR", **fields)


def read(api, token: str) -> dict:
    response = api.get("/cart", **token_header(token))
    assert response.status_code == 200, response.content
    return response.json()


def eur(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}
