"""The quote as a whole: totals, discounts by name, currencies, refusing mixed currencies."""

import ast
from decimal import Decimal
from pathlib import Path

import pytest

import mercato.pricing.rules
from mercato.pricing.rules import Address, TaxRateRule
from tests.pricing.builders import (
    GERMANY,
    amount_off,
    line,
    method,
    money,
    on_products,
    percent_off,
    quote,
    rate,
)


def test_an_empty_cart_costs_nothing():
    result = quote(address=GERMANY)

    assert (result.subtotal, result.tax_total, result.total) == (money(0), money(0), money(0))
    assert result.lines == result.discounts == result.taxes == ()


def test_each_discount_is_reported_once_with_its_name_across_lines():
    result = quote(line(price="20.00", product_id=1), line("B", price="20.00", product_id=2),
                   config_fields={"promotions": (
                       on_products(percent_off(10, id=1, name="Shirts -10%"), 1, 2),
                       amount_off("5.00", id=2, name="Welcome €5"))})

    assert [(d.name, d.amount) for d in result.discounts] == [
        ("Shirts -10%", money("4.00")), ("Welcome €5", money("5.00"))]
    assert result.discount_total == money("9.00")
    assert result.subtotal - result.discount_total == result.total == money("31.00")


def test_a_complete_quote_in_a_tax_exclusive_shop():
    result = quote(line(price="40.00", quantity=2), inclusive=False, address=GERMANY,
                   delivery="std",
                   config_fields={"delivery_methods": (method("std", rate("5.00")),),
                                  "promotions": (percent_off(10),)})

    assert result.subtotal == money("80.00")
    assert result.discount_total == money("8.00")
    assert result.delivery.price == money("5.00")
    assert result.net_total == money("77.00")
    assert result.tax_total == money("14.63")
    assert result.total == money("91.63")


def test_yen_discounts_and_allocations_are_whole_yen():
    japan = (TaxRateRule("JP", "", "standard", Decimal(10), "Consumption tax 10%"),)

    result = quote(line(price="999", currency="JPY"), line("B", price="333", currency="JPY",
                                                          product_id=2),
                   currency="JPY", address=Address("JP"),
                   config_fields={"tax_rates": japan, "promotions": (percent_off("12.5"),)})

    amounts = [d.amount.amount for li in result.lines for d in li.discounts]
    assert all(amount == amount.to_integral_value() for amount in amounts)
    assert result.discount_total == money("167", "JPY")  # 12.5 % of 1332 = 166.5, half up
    assert result.total == money("1165", "JPY")


def test_pound_promotion_applies_to_a_pound_quote_only():
    pounds = amount_off("5.00", currency="GBP")

    in_pounds = quote(line(price="20.00", currency="GBP"), currency="GBP",
                      config_fields={"promotions": (pounds,)})
    in_euros = quote(line(price="20.00"), config_fields={"promotions": (pounds,)})

    assert in_pounds.discount_total == money("5.00", "GBP")
    assert in_euros.discount_total == money("0")


def test_a_line_in_another_currency_is_refused():
    with pytest.raises(ValueError, match="priced in GBP"):
        quote(line(currency="GBP"))


def test_the_rules_read_no_database_and_no_settings():
    imported = set()
    for path in Path(mercato.pricing.rules.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                imported.add(node.module or "")
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)

    assert not {name for name in imported if name.startswith("django")}
    assert not {name for name in imported
                if name.startswith("mercato.") and not name.startswith(
                    ("mercato.core.money", "mercato.pricing.rules"))}
