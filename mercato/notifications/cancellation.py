"""The email telling a customer their order was cancelled, once per OrderCancelled event."""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import to_locale

from mercato.core.events import SYSTEM, record
from mercato.notifications.events import OrderCancelledEmailSent
from mercato.notifications.models import EmailKind, SentEmail
from mercato.notifications.rules import format_amount, line_title, order_cancelled_subject
from mercato.notifications.services import _claim
from mercato.orders.models import Order
from mercato.orders.selectors import order_detail

TEMPLATES = "notifications/order_cancelled"


def send_order_cancelled(*, event_id: int, order_public_id: str,
                         reason: str = "") -> SentEmail | None:
    """Email the cancellation for the OrderCancelled event `event_id`, once (at least once, as
    services.send_order_confirmation explains). None when already sent."""
    with transaction.atomic():
        kind = EmailKind.ORDER_CANCELLED
        if SentEmail.objects.filter(event_id=event_id, kind=kind).exists():
            return None
        order = order_detail(public_id=order_public_id)
        message = order_cancelled_message(order)
        sent = _claim(event_id=event_id, kind=kind, to=order.email, subject=message.subject)
        if sent is None:
            return None
        message.send()
        record(OrderCancelledEmailSent(aggregate_id=order.public_id, number=order.number,
                                       to=order.email, event_id=event_id), by=SYSTEM)
    return sent


def order_cancelled_message(order: Order) -> EmailMultiAlternatives:
    context = order_cancelled_context(order)
    message = EmailMultiAlternatives(
        subject=order_cancelled_subject(shop_name=context["shop_name"], number=order.number),
        body=render_to_string(f"{TEMPLATES}.txt", context), to=[order.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(render_to_string(f"{TEMPLATES}.html", context), "text/html")
    return message


def order_cancelled_context(order: Order) -> dict[str, Any]:
    locale = to_locale(settings.LANGUAGE_CODE)
    return {
        "shop_name": settings.MERCATO_SHOP_NAME,
        "order": order,
        "lines": [{"title": line_title(title=line.product_title, variant_name=line.variant_name),
                   "sku": line.sku, "quantity": line.quantity}
                  for line in order.lines.all()],
        "total": format_amount(order.total, order.currency, locale=locale),
    }
