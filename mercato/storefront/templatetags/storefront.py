"""Template filters of the storefront: prices formatted for the shopper's locale by babel,
JSON-LD script elements."""

import json
from decimal import Decimal

from babel.numbers import format_currency
from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from mercato.core.money import Money

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

