"""Template filters of the storefront: prices formatted for the shopper's locale by babel,
JSON-LD script elements, and the statuses of orders, parcels, payments and returns in the
shopper's words (the flow apps' label rules; the back office keeps the state names)."""

import json
from decimal import Decimal

from babel.numbers import format_currency
from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from mercato.core.money import Money
from mercato.orders import rules as order_rules
from mercato.orders import selectors as order_selectors
from mercato.orders.models import Order, Shipment
from mercato.payments import rules as payment_rules
from mercato.payments.models import Payment
from mercato.returns import rules as return_rules
from mercato.returns.models import ReturnRequest

register = template.Library()
DEFAULT_LOCALE = "en_US"


def shopper_locale() -> str:
    """The active Django language as a babel locale (en-gb -> en_GB)."""
    language = translation.get_language() or ""
    if not language:
        return DEFAULT_LOCALE
    parts = language.replace("-", "_").split("_")
    return "_".join([parts[0].lower(), *(part.upper() for part in parts[1:])])


@register.filter
def money(value: Money | Decimal | str | None, currency: str = "") -> str:
    """`{{ price|money }}` for a Money, `{{ amount|money:"EUR" }}` for an amount."""
    if value is None or value == "":
        return ""
    if isinstance(value, Money):
        amount, code = value.amount, value.currency.code
    else:
        amount, code = Decimal(str(value)), currency
    return format_currency(amount, code, locale=shopper_locale())


# What may not appear raw inside a <script> element (Django's json_script escapes the same).
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(data: object) -> str:
    """`{{ data|json_ld }}`: a whole `<script type="application/ld+json">` element."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html('<script type="application/ld+json">{}</script>',
                       mark_safe(payload.translate(_SCRIPT_ESCAPES)))  # escaped above



@register.filter
def order_label(order: Order) -> str:
    """`{{ order|order_label }}`: Processing, Partly shipped, Shipped, Delivered, Cancelled."""
    return order_selectors.status_label(order)


@register.filter
def shipment_label(shipment: Shipment) -> str:
    """`{{ shipment|shipment_label }}`: Preparing, Shipped, Delivered, Cancelled."""
    return order_rules.shipment_label(shipment.status,
                                      is_delivered=shipment.delivered_at is not None)


@register.filter
def payment_label(payment: Payment) -> str:
    """`{{ payment|payment_label }}`: Paid, Authorized, not charged yet, Refunded, ..."""
    return payment_rules.payment_label(payment.status)


@register.filter
def return_label(ret: ReturnRequest) -> str:
    """`{{ ret|return_label }}`: Requested, Approved: send the items back, Received, ..."""
    return return_rules.return_label(ret.status)
