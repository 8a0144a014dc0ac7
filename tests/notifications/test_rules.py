"""Formatting for the customer, without a database."""

from datetime import date
from decimal import Decimal

from mercato.notifications.rules import (
    address_lines,
    format_amount,
    format_day,
    line_title,
    order_confirmation_subject,
)

ADDRESS = {
    "first_name": "Ada", "last_name": "Lovelace", "company_name": "", "street_address_1":
    "Unter den Linden 1", "street_address_2": "", "city": "Berlin", "city_area": "",
    "postal_code": "10117", "country": "DE", "country_area": "", "phone": "",
}


def test_amounts_are_rounded_and_formatted_for_the_currency():
    assert format_amount(Decimal("19.9"), "EUR", locale="en_US") == "€19.90"
    assert format_amount(Decimal("1200.4"), "JPY", locale="en_US") == "¥1,200"
    assert format_amount(Decimal("19.905"), "EUR", locale="de_DE") == "19,91\xa0€"


def test_the_day_is_written_out_in_the_locale():
    assert format_day(date(2026, 3, 1), locale="en_US") == "March 1, 2026"


def test_subject_names_the_order_and_the_shop():
    assert order_confirmation_subject(shop_name="Mercato", number="MRC-1") == (
        "Your order MRC-1 at Mercato")


def test_line_title_adds_a_variant_name_that_says_something():
    assert line_title(title="Shirt", variant_name="Red / M") == "Shirt (Red / M)"
    assert line_title(title="Mug", variant_name="") == "Mug"
    assert line_title(title="Mug", variant_name="Mug") == "Mug"


def test_address_follows_the_country_format():
    assert address_lines(ADDRESS) == ["Ada Lovelace", "Unter den Linden 1", "10117 BERLIN",
                                      "GERMANY"]
    us = ADDRESS | {"company_name": "ACME", "street_address_2": "Suite 2", "city": "Austin",
                    "postal_code": "78701", "country": "US", "country_area": "TX",
                    "phone": "+1 512 555 0100"}
    assert address_lines(us) == ["Ada Lovelace", "ACME", "Unter den Linden 1", "Suite 2",
                                 "AUSTIN, TX 78701", "UNITED STATES", "+1 512 555 0100"]


def test_an_unknown_country_gets_a_plain_layout():
    assert address_lines(ADDRESS | {"country": "ZZ"}) == [
        "Ada Lovelace", "Unter den Linden 1", "10117 Berlin", "ZZ"]
