"""The pure cart rules, without a database."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from mercato.cart.rules import (
    IssueCode,
    LineFacts,
    LineUpdate,
    insufficient_stock_detail,
    is_expired,
    line_label,
    merged_quantity,
    review_cart,
    review_line,
)
from mercato.core.money import Money


def facts(**overrides: object) -> LineFacts:
    values = {
        "line_id": 1, "variant_id": 1, "sku": "SKU-1", "label": "Shirt", "quantity": 2,
        "seen_unit_price": Money("20.00", "EUR"), "current_unit_price": Money("20.00", "EUR"),
        "available": 10, "is_published": True,
    }
    return LineFacts(**{**values, **overrides})


def test_an_unchanged_line_has_no_issue_and_nothing_to_store():
    line = review_line(facts())

    assert line.issues == ()
    assert line.line_total == Money("40.00", "EUR")
    assert line.update() is None


def test_a_price_change_is_an_issue_and_stores_the_new_price():
    line = review_line(facts(current_unit_price=Money("18.00", "EUR")))

    assert [issue.code for issue in line.issues] == [IssueCode.PRICE_CHANGED]
    assert line.issues[0].message == "The price of Shirt changed from €20.00 to €18.00."
    assert line.update() == LineUpdate(line_id=1, quantity_was=2, quantity=2,
                                       seen_unit_amount=Decimal("18.00"))


def test_the_same_price_with_more_decimals_is_no_change():
    line = review_line(facts(seen_unit_price=Money("20.0000", "EUR")))

    assert line.issues == ()


def test_short_stock_caps_the_quantity():
    line = review_line(facts(quantity=5, available=3))

    assert line.quantity == 3
    assert line.line_total == Money("60.00", "EUR")
    assert line.has(IssueCode.QUANTITY_REDUCED)
    assert line.update() == LineUpdate(line_id=1, quantity_was=5, quantity=3,
                                       seen_unit_amount=Decimal("20.00"))


def test_no_stock_flags_the_line_and_leaves_it_uncounted():
    line = review_line(facts(available=0))

    assert line.has(IssueCode.OUT_OF_STOCK)
    assert not line.is_counted
    assert line.quantity == 2
    assert line.update() is None


@pytest.mark.parametrize("changes", [
    {"is_published": False, "current_unit_price": Money("18.00", "EUR")},
    {"current_unit_price": None},
])
def test_an_unpublished_or_unpriced_line_is_unavailable(changes):
    line = review_line(facts(**changes))

    assert [issue.code for issue in line.issues] == [IssueCode.UNAVAILABLE]
    assert not line.is_counted
    assert line.update() is None


def test_cart_totals_round_each_line_then_the_sum():
    lines = [facts(line_id=n, quantity=1, seen_unit_price=Money("0.005", "EUR"),
                   current_unit_price=Money("0.005", "EUR")) for n in range(3)]

    review = review_cart(currency="EUR", lines=lines)

    assert review.totals.subtotal == Money("0.03", "EUR")
    assert review.totals.total == review.totals.subtotal
    assert review.totals.item_count == 3


def test_an_empty_cart_totals_zero():
    review = review_cart(currency="JPY", lines=[])

    assert review.totals.total == Money(0, "JPY")
    assert review.messages == []


def test_cart_messages_list_every_line_issue_in_order():
    review = review_cart(currency="EUR", lines=[
        facts(line_id=1, label="A", available=0),
        facts(line_id=2, label="B", is_published=False),
    ])

    assert review.messages == ["A is out of stock.", "B is no longer available."]
    assert review.updates == ()


@pytest.mark.parametrize(("existing", "added", "available", "expected"), [
    (0, 2, 10, 2),   # a new line
    (2, 3, 10, 5),   # summed
    (2, 3, 4, 4),    # capped by stock
    (0, 5, 3, 3),    # capped by stock
    (3, 2, 1, 3),    # the customer's own quantity is not lowered by a merge
    (0, 2, 0, 1),    # out of stock: kept (and reported), not dropped
])
def test_merged_quantity(existing, added, available, expected):
    assert merged_quantity(existing=existing, added=added, available=available) == expected


def test_a_cart_expires_after_its_ttl():
    now = datetime(2026, 1, 10, tzinfo=UTC)
    ttl = timedelta(days=1)

    assert is_expired(updated_at=now - timedelta(days=2), now=now, ttl=ttl)
    assert not is_expired(updated_at=now - timedelta(hours=23), now=now, ttl=ttl)


def test_labels_and_stock_messages():
    assert line_label(title="Shirt", variant_name="Red / M") == "Shirt (Red / M)"
    assert line_label(title="Shirt", variant_name="") == "Shirt"
    assert insufficient_stock_detail(sku="SKU-1", available=3) == "Only 3 of SKU-1 are available."
    assert insufficient_stock_detail(sku="SKU-1", available=0) == "SKU-1 is out of stock."
