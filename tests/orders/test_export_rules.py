"""The accounting export's pure parts: an order's row, the days' instants, the file name
(no database)."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from mercato.orders.rules import (
    EXPORT_COLUMNS,
    ExportedOrder,
    export_filename,
    export_row,
    placed_between,
)

BERLIN = ZoneInfo("Europe/Berlin")


def exported(**changes) -> ExportedOrder:
    values = {
        "number": "MRC-100001", "placed_at": datetime(2025, 3, 1, 10, 15, 30, tzinfo=BERLIN),
        "status": "Completed", "email": "ada@example.com", "billing_name": "Ada Lovelace",
        "billing_country": "DE", "currency": "EUR", "subtotal": Decimal("48.3000"),
        "discount": Decimal("4.8300"), "delivery": Decimal("4.9000"), "tax": Decimal("7.7258"),
        "total": Decimal("48.3700"), "prices_include_tax": True, "payment_status": "Captured",
        "payment_methods": ("card", "gift_card"), "captured": Decimal("48.37"),
        "refunded": Decimal("0"),
    }
    return ExportedOrder(**(values | changes))


def test_a_row_has_every_column_in_order_with_amounts_as_plain_decimals():
    row = dict(zip(EXPORT_COLUMNS, export_row(exported()), strict=True))

    assert row == {
        "number": "MRC-100001", "placed_at": "2025-03-01T10:15:30+01:00", "status": "Completed",
        "email": "ada@example.com", "customer_name": "Ada Lovelace", "billing_country": "DE",
        "currency": "EUR", "subtotal": "48.30", "discount": "4.83", "delivery": "4.90",
        "tax": "7.73", "total": "48.37", "prices_include_tax": "true",
        "payment_status": "Captured", "payment_methods": "card;gift_card", "captured": "48.37",
        "refunded": "0.00",
    }


def test_amounts_are_rounded_to_the_currencys_minor_unit():
    row = dict(zip(EXPORT_COLUMNS, export_row(exported(
        currency="JPY", total=Decimal("1500.0000"), tax=Decimal("136.3636"))), strict=True))

    assert (row["total"], row["tax"]) == ("1500", "136")


def test_text_a_spreadsheet_would_run_as_a_formula_is_made_plain_text():
    row = dict(zip(EXPORT_COLUMNS, export_row(exported(
        billing_name="=HYPERLINK(\"http://evil\")", email="+1@example.com")), strict=True))

    assert row["customer_name"] == "'=HYPERLINK(\"http://evil\")"
    assert row["email"] == "'+1@example.com"


def test_the_days_are_read_on_the_shops_clock_both_included():
    start, end = placed_between(date(2025, 3, 1), date(2025, 3, 31), BERLIN)

    assert start.astimezone(UTC) == datetime(2025, 2, 28, 23, 0, tzinfo=UTC)
    # Summer time began on 30 March: the last day ends at 22:00 UTC.
    assert end.astimezone(UTC) == datetime(2025, 3, 31, 22, 0, tzinfo=UTC)


def test_the_file_is_named_after_the_days_and_the_status():
    assert export_filename(placed_from=date(2025, 3, 1), placed_to=date(2025, 3, 31)) == (
        "orders-2025-03-01-to-2025-03-31.csv")
    assert export_filename(placed_from=date(2025, 3, 1), placed_to=date(2025, 3, 1),
                           status="Completed") == "orders-2025-03-01-to-2025-03-01-Completed.csv"
