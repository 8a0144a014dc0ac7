"""Emails about a return, one per step, sent once per event (as services.send_order_confirmation:
the SentEmail row is claimed first, at least once with the same small window).

Approval (or a return approved at once) attaches the return instructions PDF; receiving
attaches the receiving receipt. While a dearer exchange's price difference is unpaid, the request
and approval emails say how much is to pay and that the replacement ships once it is paid."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import to_locale

from mercato.core.events import SYSTEM, record
from mercato.core.models import Event
from mercato.notifications.events import ReturnEmailSent
from mercato.notifications.models import EmailKind, SentEmail
from mercato.notifications.rules import format_amount, line_title
from mercato.notifications.services import _claim
from mercato.returns.models import ReturnLine, ReturnRequest
from mercato.returns.pdf import receiving_receipt_pdf, return_instructions_pdf
from mercato.returns.selectors import difference_of, return_detail
from mercato.returns.states import OPEN_STATUSES, ReturnStatus

TEMPLATES = "notifications/return_update"

# Return event type -> what the subject says happened.
STEPS: dict[str, str] = {
    "ReturnRequested": "we received your return request",
    "ReturnApproved": "your return is approved",
    "ReturnRejected": "your return request was declined",
    "ReturnReceived": "your return has arrived",
    "ReturnRefunded": "your refund is on its way",
    "ReturnCompleted": "your return is complete",
    "ReturnCancelled": "your return was cancelled",
    "ReturnDifferencePaid": "we received your payment",
    "ReturnDifferenceWaived": "no payment needed for your exchange",
}
# Steps whose email asks for the price difference while it is unpaid.
ASKS_FOR_DIFFERENCE = frozenset({"ReturnRequested", "ReturnApproved"})


def send_return_update(*, event_id: int) -> SentEmail | None:
    """Email the customer the return step of event `event_id`, once; None if already sent."""
    with transaction.atomic():
        kind = EmailKind.RETURN_UPDATE
        if SentEmail.objects.filter(event_id=event_id, kind=kind).exists():
            return None
        event = Event.objects.get(pk=event_id)
        if event.type not in STEPS:
            raise LookupError(f"{event.type} is not a return step.")
        message = return_update_message(event)
        sent = _claim(event_id=event_id, kind=kind, to=message.to[0], subject=message.subject)
        if sent is None:
            return None
        message.send()
        record(ReturnEmailSent(aggregate_id=event.aggregate_id, rma=event.payload["rma"],
                               step=event.type, to=message.to[0], event_id=event_id),
               by=SYSTEM)
    return sent


def return_update_message(event: Event) -> EmailMultiAlternatives:
    ret = return_detail(event.payload["rma"])
    context = return_update_context(event, ret)
    message = EmailMultiAlternatives(
        subject=f"{context['shop_name']}: {STEPS[event.type]} ({ret.rma})",
        body=render_to_string(f"{TEMPLATES}.txt", context), to=[ret.order.email],
        headers={"Auto-Submitted": "auto-generated"})
    message.attach_alternative(render_to_string(f"{TEMPLATES}.html", context), "text/html")
    if context["with_instructions"]:
        message.attach(f"return-instructions-{ret.rma}.pdf",
                       return_instructions_pdf(rma=ret.rma), "application/pdf")
    if event.type == "ReturnReceived":
        number = event.payload["receipt_number"]
        message.attach(f"receiving-receipt-{number}.pdf",
                       receiving_receipt_pdf(number=number), "application/pdf")
    return message


def return_update_context(event: Event, ret: ReturnRequest) -> dict[str, Any]:
    locale = to_locale(settings.LANGUAGE_CODE)
    payload = event.payload
    amount = payload.get("amount")
    currency = ret.order.currency
    unpaid = difference_unpaid(ret) if event.type in ASKS_FOR_DIFFERENCE else Decimal(0)
    return {
        "shop_name": settings.MERCATO_SHOP_NAME,
        "step": event.type,
        "headline": STEPS[event.type][0].upper() + STEPS[event.type][1:],
        "ret": ret,
        "order": ret.order,
        "reason": payload.get("reason", ""),
        # the refund, the difference paid or the difference waived
        "amount": format_amount(_decimal(amount), payload["currency"], locale=locale)
        if amount is not None and "currency" in payload else "",
        "difference_to_pay": format_amount(unpaid, currency, locale=locale)
        if unpaid > 0 else "",
        "has_account": ret.order.customer_id is not None,
        "with_instructions": event.type == "ReturnApproved" or (
            event.type == "ReturnRequested"
            and payload.get("status") == ReturnStatus.AWAITING_STOCK_RETURN),
        "lines": [{"title": line_title(title=line.order_line.product_title,
                                       variant_name=line.order_line.variant_name),
                   "sku": line.order_line.sku, "quantity": line.quantity,
                   "resolution": line.get_resolution_display(),
                   "difference": _line_difference(line, currency, locale=locale)}
                  for line in ret.lines.all()],
    }


def difference_unpaid(ret: ReturnRequest) -> Decimal:
    """What is left to pay of an open return's price difference when the email is written
    (over the lines and payments return_detail read)."""
    if ret.status not in OPEN_STATUSES:
        return Decimal(0)
    return difference_of(ret).unpaid


def _line_difference(line: ReturnLine, currency: str, *, locale: str) -> str:
    if line.charge > 0:
        return f"+{format_amount(line.charge, currency, locale=locale)} price difference"
    if line.credit > 0:
        return f"{format_amount(line.credit, currency, locale=locale)} back"
    return ""


def _decimal(value: object) -> Decimal:
    return Decimal(str(value))
