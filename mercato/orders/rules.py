"""Pure helpers of the orders app: number formatting, address snapshots."""

from collections.abc import Mapping

ADDRESS_FIELDS = (
    "first_name", "last_name", "company_name", "street_address_1", "street_address_2", "city",
    "city_area", "postal_code", "country", "country_area", "phone",
)
REQUIRED_ADDRESS_FIELDS = ("first_name", "last_name", "street_address_1", "country")


def format_order_number(*, prefix: str, value: int) -> str:
    return f"{prefix}{value}"


def address_errors(address: Mapping[str, object]) -> dict[str, list[str]]:
    """Field errors of an address snapshot: unknown fields and missing required ones.

    Per-country validation happens in checkout before the order is placed; this only guards
    the snapshot's shape."""
    errors: dict[str, list[str]] = {}
    for name in address:
        if name not in ADDRESS_FIELDS:
            errors[name] = ["Unknown address field."]
    for name in REQUIRED_ADDRESS_FIELDS:
        if not str(address.get(name) or "").strip():
            errors[name] = ["This field is required."]
    return errors


def address_snapshot(address: Mapping[str, object]) -> dict[str, str]:
    """The address as stored on the order: every field, blanks as "", the country upper case."""
    snapshot = {name: str(address.get(name) or "").strip() for name in ADDRESS_FIELDS}
    snapshot["country"] = snapshot["country"].upper()
    return snapshot
