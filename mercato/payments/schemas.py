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


class StripeWebhookOut(Schema):
    """What the shop did with a Stripe event; a redelivery gets the first outcome again."""

    event_id: str = Field(description="Stripe's event id (`evt_…`).")
    type: str
    outcome: str = Field(description="applied, already_known (the ledger had it), unmatched "
                                     "(no payment of ours), refused (the ledger does not allow "
                                     "it) or ignored (a type the shop does not handle).")
    replayed: bool = Field(description="True when this event id was received before.")


# Documented only: the body is read unparsed, because the signature covers its bytes.
STRIPE_EVENT_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {
        "title": "StripeEvent", "type": "object", "required": ["id", "type", "data"],
        "description": "A Stripe Event object, as Stripe sends it.",
        "properties": {
            "id": {"type": "string", "description": "Stripe's event id, `evt_…`."},
            "type": {"type": "string", "examples": ["payment_intent.succeeded"]},
            "created": {"type": "integer", "minimum": 0, "maximum": 2**53},
            "data": {"type": "object", "properties": {"object": {"type": "object"}}},
        },
    },
}}}}
