"""Request and response bodies of the customers API."""

from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Field, Schema
from pydantic import StrictBool, field_validator
from pydantic_core import PydanticCustomError

from mercato.core.schema_types import NOT_BLANK_SCHEMA, EmailAddress
from mercato.customers.models import Address


def not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "This field is required.")
    return value.strip()


class CustomerOut(Schema):
    public_id: str
    email: str
    first_name: str
    last_name: str
    marketing_consent: bool


class RegisterIn(Schema):
    email: str = Field(max_length=254, json_schema_extra={"format": "email"},
                       examples=["erika@example.com"])
    password: str = Field(min_length=1, max_length=128, examples=["correct horse battery"])
    first_name: str = Field(min_length=1, max_length=150, json_schema_extra=NOT_BLANK_SCHEMA,
                            examples=["Erika"])
    last_name: str = Field(min_length=1, max_length=150, json_schema_extra=NOT_BLANK_SCHEMA,
                           examples=["Mustermann"])
    marketing_consent: StrictBool = False

    @field_validator("email")
    @classmethod
    def email_is_valid(cls, value: str) -> str:
        value = value.strip().lower()
        try:
            validate_email(value)
        except DjangoValidationError as error:
            raise PydanticCustomError("invalid_email", "Enter a valid email address.") from error
        return value

    _names_are_not_blank = field_validator("first_name", "last_name")(not_blank)


class CredentialsIn(Schema):
    email: EmailAddress
    password: str = Field(max_length=128)


class TokenIn(CredentialsIn):
    name: str = Field("", max_length=100)


class TokenOut(Schema):
    token: str = Field(description="Shown once: send it as 'Authorization: Bearer <token>'.")
    expires_at: datetime


def without_default(schema: dict) -> None:
    """A PATCH field left out is not changed: it has no default value to document."""
    schema.pop("default", None)


def not_blank_without_default(schema: dict) -> None:
    without_default(schema)
    schema.update(NOT_BLANK_SCHEMA)


class CustomerPatchIn(Schema):
    """Only the fields sent are changed."""

    first_name: str = Field(None, min_length=1, max_length=150,
                            json_schema_extra=not_blank_without_default)
    last_name: str = Field(None, min_length=1, max_length=150,
                           json_schema_extra=not_blank_without_default)
    marketing_consent: StrictBool = Field(None, json_schema_extra=without_default)

    _names_are_not_blank = field_validator("first_name", "last_name")(not_blank)


class AddressIn(Schema):
    """Checked against the country's address format; phone stored in E.164."""

    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    company_name: str = Field("", max_length=120)
    street_address_1: str = Field(max_length=200)
    street_address_2: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    city_area: str = Field("", max_length=100)
    postal_code: str = Field("", max_length=20)
    country: str = Field(max_length=2, description="ISO 3166-1 alpha-2 code, e.g. DE")
    country_area: str = Field("", max_length=100)
    phone: str = Field("", max_length=32)
    is_default_shipping: StrictBool = False
    is_default_billing: StrictBool = False


class AddressFieldsIn(Schema):
    """Every address field, each optional here: validation per country comes after."""

    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    company_name: str = Field("", max_length=120)
    street_address_1: str = Field("", max_length=200)
    street_address_2: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    city_area: str = Field("", max_length=100)
    postal_code: str = Field("", max_length=20)
    country: str = Field("", max_length=2, description="ISO 3166-1 alpha-2 code, e.g. DE")
    country_area: str = Field("", max_length=100)
    phone: str = Field("", max_length=32)


class AddressPatchIn(AddressFieldsIn):
    """Only the fields sent are changed; the whole address is validated again."""

    is_default_shipping: StrictBool = False
    is_default_billing: StrictBool = False


class AddressOut(Schema):
    public_id: str
    first_name: str
    last_name: str
    company_name: str
    street_address_1: str
    street_address_2: str
    city: str
    city_area: str
    postal_code: str
    country: str
    country_area: str
    phone: str
    is_default_shipping: bool
    is_default_billing: bool

    @staticmethod
    def resolve_country(obj: Address) -> str:
        return obj.country.code
