"""Money is py-moneyed's Money; rounding to a currency's minor unit happens here and only here."""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from babel.numbers import get_currency_precision
from moneyed import Currency, Money, get_currency

__all__ = ["Currency", "Money", "minor_unit", "minor_units", "money_sum", "round_money", "to_money",
           "zero"]


@cache
def minor_unit(currency_code: str) -> Decimal:
    """The smallest amount of a currency: 0.01 for EUR, 1 for JPY, 0.001 for KWD."""
    return Decimal(1).scaleb(-get_currency_precision(currency_code))


def minor_units(money: Money) -> int:
    """The amount as a whole number of minor units, as providers want it: 10.50 EUR is 1050,
    500 JPY is 500. An amount finer than the minor unit is a bug upstream, never rounded here."""
    units = money.amount / minor_unit(money.currency.code)
    if units != units.to_integral_value():
        raise ValueError(f"{money} is not a whole number of {money.currency.code} minor units.")
    return int(units)


def round_money(money: Money) -> Money:
    """Round half up to the currency's minor unit (the one rounding rule of the shop)."""
    code = money.currency.code
    return Money(money.amount.quantize(minor_unit(code), rounding=ROUND_HALF_UP), code)


def to_money(amount: Decimal | int | str, currency_code: str) -> Money:
    return Money(Decimal(amount), get_currency(currency_code).code)


def zero(currency_code: str) -> Money:
    return round_money(Money(0, currency_code))


def money_sum(amounts: Iterable[Money], currency_code: str) -> Money:
    total = zero(currency_code)
    for amount in amounts:
        total += amount
    return total
