"""Field types the API's request schemas share: one definition of what an email address, a page
number or a row id may be, validated and documented (OpenAPI) alike wherever it is taken in."""

from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

EMAIL_MAX_LENGTH = 254  # RFC 5321's limit on a forward path, as Django's EmailField
# Far beyond any listing, yet (page - 1) * page size stays inside a 64-bit OFFSET.
MAX_PAGE = 1_000_000
# Row ids are 64-bit on PostgreSQL and SQLite; a larger number is no row, not a server error.
MAX_ROW_ID = 2**63 - 1


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
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]
