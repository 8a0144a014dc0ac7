"""Sending transactional email, once per event.

Each send runs in one transaction that first inserts the SentEmail row (unique per event and
kind), then hands the message to the mail server, then records that it was sent. A failure
before the server accepts the message rolls the row back and the outbox retries later.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import to_locale

from mercato.core.events import SYSTEM, record
from mercato.notifications.events import OrderConfirmationSent, ShipmentShippedEmailSent
from mercato.notifications.models import EmailKind, SentEmail
from mercato.notifications.rules import (
    address_lines,
    format_amount,
    format_day,
    line_title,
    order_confirmation_subject,
    shipment_shipped_subject,
    tracking_link,
)
from mercato.orders.models import AddressKind, Order, Shipment
from mercato.orders.rules import ADDRESS_FIELDS
from mercato.orders.selectors import order_detail
from mercato.orders.states import ShipmentStatus

TEMPLATES = "notifications/order_confirmation"
SHIPPED_TEMPLATES = "notifications/shipment_shipped"


def send_order_confirmation(*, event_id: int, order_public_id: str) -> SentEmail | None:
    """Email the order confirmation for the OrderPlaced event `event_id`, once.

    Returns the SentEmail row, or None when this event's confirmation was already sent (a
    repeated delivery). At-least-once, not exactly-once: if the process or the database dies
    after the mail server accepted the message but before the transaction commits (this block
    runs nested in the worker's delivery transaction, which commits right after), the row is
    rolled back and the retry sends the confirmation a second time. SMTP has no idempotency
    key, so that window (one INSERT and a COMMIT) is documented rather than closed. The send
    holds the transaction open for at most EMAIL_TIMEOUT."""
    with transaction.atomic():
        kind = EmailKind.ORDER_CONFIRMATION
        if SentEmail.objects.filter(event_id=event_id, kind=kind).exists():
            return None
        order = order_detail(public_id=order_public_id)
        message = order_confirmation_message(order)
        sent = _claim(event_id=event_id, kind=kind, to=order.email, subject=message.subject)
        if sent is None:
            return None
        message.send()
        record(OrderConfirmationSent(aggregate_id=order.public_id, number=order.number,
                                     to=order.email, event_id=event_id), by=SYSTEM)
    return sent


def send_shipment_shipped(*, event_id: int, order_public_id: str,
                          shipment_public_id: str) -> SentEmail | None:
    """Email the customer that a parcel shipped, with its carrier and tracking link, for the
    ShipmentShipped event `event_id`, once (as send_order_confirmation: at least once, with
    the same small window). None when already sent."""
    with transaction.atomic():
        kind = EmailKind.SHIPMENT_SHIPPED
        if SentEmail.objects.filter(event_id=event_id, kind=kind).exists():
            return None
        order = order_detail(public_id=order_public_id)
        shipment = next((s for s in order.shipments.all() if s.public_id == shipment_public_id),
                        None)
        if shipment is None:
            raise LookupError(f"Order {order.number} has no shipment {shipment_public_id}.")
        message = shipment_shipped_message(order, shipment)
        sent = _claim(event_id=event_id, kind=kind, to=order.email, subject=message.subject)
        if sent is None:
            return None
        message.send()
        record(ShipmentShippedEmailSent(aggregate_id=order.public_id, number=order.number,
                                        shipment_number=shipment.number, to=order.email,
                                        event_id=event_id), by=SYSTEM)
    return sent


def _claim(*, event_id: int, kind: str, to: str, subject: str) -> SentEmail | None:
    """Insert the row before sending: a concurrent sender of the same event waits on the
    unique index and then finds it taken, so only one of them sends."""
    try:
        with transaction.atomic():
            return SentEmail.objects.create(event_id=event_id, kind=kind, to=to,
                                            subject=subject, sent_at=timezone.now())
    except IntegrityError:
        return None


def order_confirmation_message(order: Order) -> EmailMultiAlternatives:
    """The confirmation as a multipart/alternative message: a text part and an HTML part."""
    context = order_confirmation_context(order)
    subject = order_confirmation_subject(shop_name=context["shop_name"], number=order.number)
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"{TEMPLATES}.txt", context), to=[order.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(render_to_string(f"{TEMPLATES}.html", context), "text/html")
    return message


def order_confirmation_context(order: Order) -> dict[str, Any]:
    """Everything the templates show, already formatted for the customer's locale."""
    locale = to_locale(settings.LANGUAGE_CODE)

    def money(amount: Decimal) -> str:
        return format_amount(amount, order.currency, locale=locale)

    addresses = {address.kind: _address(address) for address in order.addresses.all()}
    return {
        "shop_name": settings.MERCATO_SHOP_NAME,
        "order": order,
        "date": format_day(timezone.localtime(order.created_at).date(), locale=locale),
        "lines": [
            {"title": line_title(title=line.product_title, variant_name=line.variant_name),
             "variant_name": line.variant_name, "sku": line.sku, "quantity": line.quantity,
             "unit_price": money(line.unit_price),
             # Before discounts, so the lines add up to the subtotal; discounts follow it.
             "total": money(line.amount + line.discount_amount)}
            for line in order.lines.all()
        ],
        "subtotal": money(order.subtotal),
        "discounts": [{"name": d.name, "amount": money(d.amount)}
                      for d in order.discounts.all()],
        "delivery": {"name": order.delivery_method_name, "amount": money(order.delivery_total)},
        "tax": {"label": "Included tax" if order.prices_include_tax else "Tax",
                "amount": money(order.tax_total)},
        "total": money(order.total),
        "billing_address": addresses.get(AddressKind.BILLING, []),
        "shipping_address": addresses.get(AddressKind.SHIPPING, []),
        "shipments": _shipments(order, money),
    }


def _address(address: object) -> list[str]:
    return address_lines({name: getattr(address, name, "") for name in ADDRESS_FIELDS})


def _shipments(order: Order, money: Callable[[Decimal], str]) -> list[dict[str, Any]]:
    """Each parcel's number, ship-to, method, fee and lines, when the order ships in several
    (split by address or by warehouse); one parcel is the order itself, already shown."""
    shipments = list(order.shipments.all())  # prefetched with their lines by order_detail
    if len(shipments) < 2:
        return []
    return [
        {"number": shipment.number, "delivery_method_name": shipment.delivery_method_name,
         "delivery_amount": money(shipment.delivery_amount), "address": _address(shipment),
         "lines": [
             {"title": line_title(title=line.order_line.product_title,
                                  variant_name=line.order_line.variant_name),
              "sku": line.order_line.sku, "quantity": line.quantity}
             for line in shipment.lines.all()
         ]}
        for shipment in shipments
    ]


def shipment_shipped_message(order: Order, shipment: Shipment) -> EmailMultiAlternatives:
    """The shipping notice as a multipart/alternative message: a text part and an HTML part."""
    context = shipment_shipped_context(order, shipment)
    subject = shipment_shipped_subject(shop_name=context["shop_name"], number=order.number,
                                       is_last_parcel=not context["parcels_to_come"])
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"{SHIPPED_TEMPLATES}.txt", context),
        to=[order.email], headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(render_to_string(f"{SHIPPED_TEMPLATES}.html", context),
                               "text/html")
    return message


def shipment_shipped_context(order: Order, shipment: Shipment) -> dict[str, Any]:
    """The parcel, its tracking and contents, and how many other parcels are still to come
    (order and shipment as read by order_detail: shipments and their lines prefetched)."""
    locale = to_locale(settings.LANGUAGE_CODE)
    shipped_at = shipment.shipped_at or timezone.now()
    finished = {ShipmentStatus.SHIPPED, ShipmentStatus.CANCELLED}
    return {
        "shop_name": settings.MERCATO_SHOP_NAME,
        "order": order,
        "shipment": shipment,
        "date": format_day(timezone.localtime(shipped_at).date(), locale=locale),
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "tracking_url": tracking_link(shipment.tracking_url),
        "address": _address(shipment),
        "lines": [
            {"title": line_title(title=line.order_line.product_title,
                                 variant_name=line.order_line.variant_name),
             "sku": line.order_line.sku, "quantity": line.quantity}
            for line in shipment.lines.all()
        ],
        "parcels_to_come": sum(1 for other in order.shipments.all()
                               if other.pk != shipment.pk and other.status not in finished),
    }
