from decimal import Decimal

from mercato.catalog.schemas import MoneyOut
from mercato.core.money import Money


def test_money_out_is_a_string_amount_in_the_currency_minor_unit():
    assert MoneyOut.from_money(Money(Decimal("19.9000"), "EUR")).model_dump() == {
        "amount": "19.90", "currency": "EUR",
    }
    assert MoneyOut.from_money(Money(Decimal("1500"), "JPY")).amount == "1500"
    assert MoneyOut.from_money(Money(Decimal("0.005"), "EUR")).amount == "0.01"


def test_money_out_from_a_missing_amount_is_none():
    assert MoneyOut.from_amount(None, "EUR") is None
