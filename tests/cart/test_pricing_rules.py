"""The pure rules joining a cart review with its quote, without a database."""

import pytest

from mercato.cart.errors import InvalidCountry
from mercato.cart.rules import (
    LineFacts,
    checked_address,
    holds_code,
    merged_codes,
    price_cart,
    pricing_items,
    quote_messages,
    review_cart,
    without_code,
)
from mercato.core.money import Money
from mercato.pricing.rules import Address, Message, MessageCode
from tests.pricing.builders import line, percent_off, quote


def facts(line_id: int, *, available: int = 10, price: str = "10.00") -> LineFacts:
    return LineFacts(line_id=line_id, variant_id=100 + line_id, sku=f"SKU-{line_id}",
                     label=f"Item {line_id}", quantity=2, seen_unit_price=Money(price, "EUR"),
                     current_unit_price=Money(price, "EUR"), available=available,
                     is_published=True)


def test_only_counted_lines_are_priced_at_their_current_price():
    review = review_cart(currency="EUR", lines=[facts(1), facts(2, available=0), facts(3)])

    assert pricing_items(review) == [(101, 2, Money("10.00", "EUR")),
                                     (103, 2, Money("10.00", "EUR"))]


def test_quote_lines_are_matched_to_the_counted_lines():
    review = review_cart(currency="EUR", lines=[facts(1), facts(2, available=0), facts(3)])
    priced_quote = quote(line("SKU-1", quantity=2), line("SKU-3", quantity=2))

    priced = price_cart(review=review, quote=priced_quote, shown_promotion_ids=[])

    assert [p.quote.sku if p.quote else None for p in priced.lines] == ["SKU-1", None, "SKU-3"]
    assert priced.messages == ("Item 2 is out of stock.",)


def test_the_promotions_applied_are_stored_only_when_they_changed():
    review = review_cart(currency="EUR", lines=[facts(1)])
    sale = quote(line("SKU-1", quantity=2), config_fields={"promotions": (percent_off(10, id=7),)})

    assert price_cart(review=review, quote=sale, shown_promotion_ids=[]).shown_promotion_ids \
        == [7]
    assert price_cart(review=review, quote=sale, shown_promotion_ids=[7]).shown_promotion_ids \
        is None


def test_a_coupon_problem_is_said_once_for_the_coupon_and_its_promotion():
    messages = [
        Message(MessageCode.COUPON_NOT_APPLICABLE, "Code X cannot be used.", promotion_id=7,
                coupon_code="X"),
        Message(MessageCode.PROMOTION_NO_LONGER_APPLIES, "Ten off no longer applies.",
                promotion_id=7),
        Message(MessageCode.PROMOTION_NO_LONGER_APPLIES, "Sale no longer applies.",
                promotion_id=8),
    ]

    assert quote_messages(messages) == ["Code X cannot be used.", "Sale no longer applies."]


def test_codes_compare_whatever_their_case_and_blanks():
    assert holds_code(["SAVE10"], " save10 ")
    assert without_code(["SAVE10", "OTHER"], "Save10") == ["OTHER"]
    assert merged_codes(["SAVE10"], ["save10", "NEW"]) == ["SAVE10", "NEW"]


def test_an_estimate_address_has_upper_case_codes():
    assert checked_address(country=" de ", region="by") == Address("DE", "BY")


@pytest.mark.parametrize("country", ["", "XX", "DEU", "1"])
def test_an_estimate_address_needs_a_real_country(country):
    with pytest.raises(InvalidCountry) as raised:
        checked_address(country=country)

    assert "country" in raised.value.errors
