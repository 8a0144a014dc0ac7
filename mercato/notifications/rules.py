"""Pure pieces of the emails: amounts, dates, addresses and subjects as the customer reads them."""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from babel.dates import format_date
from moneyed.l10n import format_money

from mercato.core.money import round_money, to_money
from mercato.customers.rules import postal_lines


def format_amount(amount: Decimal, currency: str, *, locale: str) -> str:
    """An amount in the order's currency, rounded to its minor unit ("€19.90", "¥1,200")."""
    return format_money(round_money(to_money(amount, currency)), locale=locale)


def format_day(day: date, *, locale: str) -> str:
    return format_date(day, format="long", locale=locale)


def order_confirmation_subject(*, shop_name: str, number: str) -> str:
    return f"Your order {number} at {shop_name}"


def shipment_shipped_subject(*, shop_name: str, number: str, is_last_parcel: bool) -> str:
    if is_last_parcel:
        return f"Your order {number} from {shop_name} has shipped"
    return f"Part of your order {number} from {shop_name} has shipped"


def order_cancelled_subject(*, shop_name: str, number: str) -> str:
    return f"Your order {number} from {shop_name} has been cancelled"


def tracking_link(url: str) -> str:
    """The tracking URL if it is a web address (a link in an email must not be anything else)."""
    return url if url.startswith(("https://", "http://")) else ""


def line_title(*, title: str, variant_name: str) -> str:
    return f"{title} ({variant_name})" if variant_name and variant_name != title else title


def address_lines(address: Mapping[str, str]) -> list[str]:
    """An order address as the post writes it for its country, then the phone number."""
    return postal_lines(address, with_phone=True)

