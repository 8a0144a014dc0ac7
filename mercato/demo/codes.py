"""SKUs, barcodes and prices of the demo catalog: pure functions."""

from decimal import ROUND_CEILING, Decimal

SKU_PREFIX = "MRC"
# GS1 prefix 20-29 is reserved for in-store numbering: demo barcodes never clash with real goods.
BARCODE_PREFIX = "20"
CENT = Decimal("0.01")


def ean13_check_digit(first_twelve: str) -> str:
    """The GS1 check digit: digits weighted 1,3,1,3... from the left, rounded up to ten."""
    if len(first_twelve) != 12 or not first_twelve.isdigit():
        raise ValueError(f"An EAN-13 needs 12 digits before its check digit, got {first_twelve!r}")
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(first_twelve))
    return str((10 - total % 10) % 10)


def ean13(sequence: int) -> str:
    body = f"{BARCODE_PREFIX}{sequence:010d}"
    return body + ean13_check_digit(body)


def is_valid_ean13(code: str) -> bool:
    return len(code) == 13 and code.isdigit() and ean13_check_digit(code[:12]) == code[12]


def variant_sku(*, product_number: int, option_codes: tuple[str, ...]) -> str:
    """'MRC-000123-RED-M': the product number, then one code per option."""
    return "-".join((SKU_PREFIX, f"{product_number:06d}", *option_codes))


def charm_price(amount: Decimal) -> Decimal:
    """Round up to the next whole unit, minus a cent: 41.30 -> 41.99, 41.00 -> 40.99."""
    return amount.to_integral_value(rounding=ROUND_CEILING) - CENT


def converted_price(amount: Decimal, rate: Decimal) -> Decimal:
    return charm_price(amount * rate)
