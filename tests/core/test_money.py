from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from moneyed import Money

from mercato.core.money import minor_unit, minor_units, money_sum, round_money, to_money, zero


@pytest.mark.parametrize(
    ("currency", "unit"),
    [("EUR", Decimal("0.01")), ("JPY", Decimal("1")), ("KWD", Decimal("0.001"))],
)
def test_minor_unit_follows_the_currency(currency, unit):
    assert minor_unit(currency) == unit


@pytest.mark.parametrize(
    ("amount", "currency", "units"),
    [("10.50", "EUR", 1050), ("10", "EUR", 1000), ("500", "JPY", 500), ("1.234", "KWD", 1234),
     ("0.01", "USD", 1)],
)
def test_minor_units_counts_the_currencys_smallest_unit(amount, currency, units):
    assert minor_units(Money(amount, currency)) == units


@pytest.mark.parametrize(("amount", "currency"), [("10.005", "EUR"), ("500.5", "JPY")])
def test_minor_units_refuses_an_amount_finer_than_the_minor_unit(amount, currency):
    with pytest.raises(ValueError, match="minor units"):
        minor_units(Money(amount, currency))


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["EUR", "JPY", "KWD"]))
def test_minor_units_undoes_scaling_by_the_minor_unit(units, currency):
    assert minor_units(Money(units * minor_unit(currency), currency)) == units


def test_round_money_rounds_half_up_to_the_minor_unit():
    assert round_money(Money("10.005", "EUR")) == Money("10.01", "EUR")
    assert round_money(Money("10.004", "EUR")) == Money("10.00", "EUR")
    assert round_money(Money("99.5", "JPY")) == Money("100", "JPY")


def test_money_sum_of_nothing_is_zero_in_the_currency():
    assert money_sum([], "GBP") == zero("GBP")
    assert money_sum([Money("1.10", "GBP"), Money("2.20", "GBP")], "GBP") == Money("3.30", "GBP")


def test_to_money_refuses_an_unknown_currency():
    with pytest.raises(Exception):  # noqa: B017 - py-moneyed raises its own CurrencyDoesNotExist
        to_money("1", "XXXX")


@given(st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False))
def test_rounding_is_idempotent_and_never_moves_more_than_half_a_unit(amount):
    rounded = round_money(Money(amount, "EUR"))
    assert round_money(rounded) == rounded
    assert abs(rounded.amount - amount) <= Decimal("0.005")
