"""django-ninja schemas of the test payment provider's endpoints."""

from moneyed import CurrencyDoesNotExist, get_currency
from ninja import Schema
from pydantic import Field, SecretStr, field_validator

from mercato.core.schema_types import PositiveAmount, iso_currencies, whole_number_from


class CardIn(Schema):
    # Secret: never shown in a repr, a log line or an error; only the provider reads it.
    number: SecretStr = Field(max_length=40, description="Card number; spaces allowed.")
    # Bounded to what the field can hold; the provider judges the expiry (invalid-card).
    exp_month: whole_number_from(0, 99) = Field(description="1 to 12.")
    exp_year: whole_number_from(0, 9999) = Field(description="Four digits, e.g. 2030.")
    cvc: SecretStr = Field(max_length=8, description="3 or 4 digits.")


class CardTokenOut(Schema):
    token: str = Field(description="Pass it to the shop as the payment token.")
    brand: str
    last4: str


class ApprovalIn(Schema):
    amount: PositiveAmount = Field(description='The amount to approve, e.g. "12.34".')
    currency: str = Field(min_length=3, max_length=3, json_schema_extra=iso_currencies,
                          description="ISO 4217 code.")

    @field_validator("currency")
    @classmethod
    def known_currency(cls, value: str) -> str:
        try:
            return get_currency(value.upper()).code
        except CurrencyDoesNotExist:
            raise ValueError(f"{value} is not an ISO 4217 currency code.") from None


class ApprovalOut(Schema):
    approval_token: str = Field(description="Pass it to the shop as the payment token.")
    approve_url: str = Field(description="Where the shopper approves (POST).")


class ApprovedOut(Schema):
    approval_token: str
    is_approved: bool


class ActionCompletedOut(Schema):
    reference: str
    is_completed: bool
