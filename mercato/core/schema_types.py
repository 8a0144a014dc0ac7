"""Field types the API's request schemas share: one definition of what an email address, a page
number or a row id may be, validated and documented (OpenAPI) alike wherever it is taken in."""

from decimal import Decimal
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from moneyed import CURRENCIES
from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

EMAIL_MAX_LENGTH = 254  # RFC 5321's limit on a forward path, as Django's EmailField
# Far beyond any listing, yet (page - 1) * page size stays inside a 64-bit OFFSET.
MAX_PAGE = 1_000_000

# Documents what a check that strips, then refuses what is left empty, enforces: some
# character that is not white space as Python's str.strip() reads it. Spelled out, because
# JSON Schema's \S (ECMAScript's) differs: it calls U+FEFF white space and U+001C-U+001F not.
PYTHON_WHITE_SPACE = ("\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a"
                      "\u2028\u2029\u202f\u205f\u3000")
NOT_BLANK_SCHEMA = {"pattern": f"[^{PYTHON_WHITE_SPACE}]"}


def valid_email(value: str) -> str:
    """The address as given, without surrounding spaces, if Django's EmailValidator (which
    registration uses) accepts it."""
    value = value.strip()
    try:
        validate_email(value)
    except DjangoValidationError as error:
        raise PydanticCustomError("invalid_email", "Enter a valid email address.") from error
    return value


def valid_email_or_empty(value: str) -> str:
    return valid_email(value) if value.strip() else ""


_EMAIL_DOCS = {"format": "email"}


def _email_without_default(schema: dict) -> None:
    """Left out, the field is empty, which is no email address: the document names no default
    (one that does not match its own format is an invalid OpenAPI document)."""
    schema.pop("default", None)
    schema.update(_EMAIL_DOCS)

EmailAddress = Annotated[str, Field(max_length=EMAIL_MAX_LENGTH, json_schema_extra=_EMAIL_DOCS,
                                    examples=["erika@example.com"]),
                         AfterValidator(valid_email)]
# An address that may be left empty (a logged-in customer's own is used instead).
OptionalEmailAddress = Annotated[str, Field(max_length=EMAIL_MAX_LENGTH,
                                            json_schema_extra=_email_without_default,
                                            examples=["erika@example.com"]),
                                 AfterValidator(valid_email_or_empty)]
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE)]


def whole_number(value: object) -> object:
    """JSON has one number type: 3.0 is the integer 3 (as JSON Schema's `integer` says), while
    1.5, "2" and true are no count of anything and are refused by the strict int after this."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def whole_number_from(minimum: int, maximum: int) -> Any:
    """A JSON whole number from `minimum` to `maximum`: 3.0 is 3; "3", true and 1.5 are refused.
    The bounds sit inside the Annotated, so the document shows them as minimum and maximum."""
    return Annotated[int, Field(strict=True, ge=minimum, le=maximum),
                     BeforeValidator(whole_number)]


# Money amounts travel as decimal strings, as the API writes them ("12.34"): a JSON number is
# a binary float, and 0.1 + 0.2 is not what a shopper was shown. Up to 10 digits before the
# point and 4 after it (what the amount columns hold), no sign, no leading zeros.
AMOUNT_PATTERN = r"^(0|[1-9][0-9]{0,9})(\.[0-9]{1,4})?$"
# The same, above zero: a whole part from 1, or 0 and a fraction with a digit other than 0.
POSITIVE_AMOUNT_PATTERN = (r"^([1-9][0-9]{0,9}(\.[0-9]{1,4})?"
                           r"|0\.([1-9][0-9]{0,3}|0[1-9][0-9]{0,2}|00[1-9][0-9]?|000[1-9]))$")


def _amount(pattern: str, description: str) -> object:
    return Annotated[str, Field(pattern=pattern, max_length=15, examples=["12.34"],
                                description=description),
                     AfterValidator(Decimal)]


Amount = _amount(AMOUNT_PATTERN, 'A decimal string, e.g. "12.34".')
PositiveAmount = _amount(POSITIVE_AMOUNT_PATTERN, 'A decimal string above zero, e.g. "12.34".')


def _document_codes(schema: dict, codes: list) -> None:
    # A string field's own schema, or the string branch of `str | None`.
    branches = schema.get("anyOf", [schema])
    for branch in branches:
        if branch.get("type") == "string":
            branch.pop("minLength", None)
            branch.pop("maxLength", None)
            branch["enum"] = codes


# Currency codes are documented as the enum of those taken; the validators behind them also take
# lower case ("eur"), which the document leaves unsaid.
def sold_currencies(schema: dict) -> None:
    """The currencies this shop sells (MERCATO_CURRENCIES when the document is drawn); the
    field's validator reads the setting at each request."""
    _document_codes(schema, list(settings.MERCATO_CURRENCIES))


def sold_currencies_or_empty(schema: dict) -> None:
    """The same, or empty for the shop's default."""
    _document_codes(schema, [*settings.MERCATO_CURRENCIES, ""])


def iso_currencies(schema: dict) -> None:
    """Every ISO 4217 code py-moneyed knows."""
    _document_codes(schema, sorted(CURRENCIES))
