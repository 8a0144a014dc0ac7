"""Paying the price difference of a dearer exchange from a return's page (customer or guest).

The card is tokenised in the browser by checkout.js, as on the checkout's payment page: the card
fields have no name and only the token is posted. A card that needs 3-D Secure, or PayPal (an
approval for what is left to pay), sends the shopper to the provider's page, which brings them
back to the return's page; the token waits in the session (per RMA) and "Complete payment"
sends it, which authorizes or confirms the payment (returns.services.pay_difference).
"""

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from mercato.checkout.errors import PaymentActionRequired
from mercato.core.events import Actor
from mercato.core.money import Money
from mercato.core.problems import Problem
from mercato.payments.gateways import get_gateway
from mercato.payments.rules import payment_label
from mercato.returns import selectors as return_selectors
from mercato.returns.models import ReturnRequest
from mercato.returns.services import difference_unpaid, pay_difference
from mercato.returns.states import OPEN_STATUSES
from mercato.storefront.templatetags.storefront import money
from mercato.storefront.views import provider

PENDING = "storefront_return_payments"  # session key: RMA -> payment awaiting the shopper
NO_CARD = ("Enter your card details (JavaScript is needed to send them safely to the payment "
           "provider).")
NOTHING_TO_CONFIRM = "No payment is waiting for your confirmation: pay with your card below."
# A difference payment says more than payments.rules.payment_label about these two statuses.
DIFFERENCE_STATUS_TEXT = {
    "Pending": "Waiting for your confirmation",
    "Authorized": "Paid (taken from your card when the replacement ships)",
}


class DifferencePaymentForm(forms.Form):
    """The card's token only: checkout.js gets it from the provider (see PaymentForm)."""

    method = forms.ChoiceField(label="Pay by", choices=[("card", "Card"), ("paypal", "PayPal")],
                               initial="card", widget=forms.RadioSelect)
    card_token = forms.CharField(max_length=120, required=False, widget=forms.HiddenInput)
    card_label = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)


@dataclass(frozen=True)
class PaymentRow:
    method: str
    status: str
    amount: Decimal


@dataclass(frozen=True)
class Difference:
    """A return's price difference as its page shows it."""

    currency: str
    charge: Decimal
    unpaid: Decimal
    waived: bool
    payable: bool
    awaiting_confirmation: bool
    payments: list[PaymentRow]
    form: DifferencePaymentForm


def difference_of(request: HttpRequest, ret: ReturnRequest) -> Difference:
    """The difference of a return read by returns.selectors.return_detail (its lines and
    payments are already there: no query)."""
    payments = return_selectors.difference_payments(ret)
    due = return_selectors.difference_of(ret)
    payable = due.unpaid > 0 and ret.status in OPEN_STATUSES
    return Difference(
        currency=ret.order.currency, charge=due.charge, unpaid=due.unpaid,
        waived=ret.difference_waived, payable=payable,
        awaiting_confirmation=payable and ret.rma in request.session.get(PENDING, {}),
        payments=[PaymentRow(p.get_method_display(),
                             DIFFERENCE_STATUS_TEXT.get(p.status) or payment_label(p.status),
                             p.amount)
                  for p in payments],
        form=DifferencePaymentForm())


def pay(request: HttpRequest, ret: ReturnRequest, *, actor: Actor, customer_id: int | None,
        email: str | None, detail_url: str) -> HttpResponse:
    """Pay what is left of the difference with the posted card token, or by PayPal (approved
    at the provider first), or ("confirm") with the payment waiting for the shopper's bank or
    PayPal approval; back to the return's page with the outcome."""
    chosen, missing = posted_payment(request, ret)
    if chosen is None:
        messages.error(request, missing)
        return redirect(detail_url)
    if chosen.needs_approval:  # PayPal: approve at the provider, then "Complete payment"
        remember(request.session, ret.rma, chosen)
        return redirect(provider.provider_page(chosen.action_url, back=detail_url) or detail_url)
    before = difference_unpaid(ret)
    try:
        paid = pay_difference(rma=ret.rma, method=chosen.method, token=chosen.token, by=actor,
                              customer_id=customer_id, email=email)
    except PaymentActionRequired as problem:
        remember(request.session, ret.rma, chosen)
        return redirect(provider_page(request, problem.extra.get("action_url", ""),
                                      back=detail_url))
    except Problem as problem:
        forget(request.session, ret.rma)
        messages.error(request, problem.detail)
        return redirect(detail_url)
    forget(request.session, ret.rma)
    amount = money(before - difference_unpaid(paid), ret.order.currency)
    messages.success(request, f"Thank you: we received your payment of {amount}.")
    return redirect(detail_url)


@dataclass(frozen=True)
class ChosenPayment:
    method: str
    token: str
    action_url: str = ""  # a PayPal approval to ask for before paying

    @property
    def needs_approval(self) -> bool:
        return bool(self.action_url)


def posted_payment(request: HttpRequest, ret: ReturnRequest) -> tuple[ChosenPayment | None, str]:
    """(how to pay, else why it cannot be done): the posted card token, a new PayPal approval
    for what is left to pay, or ("confirm") the payment waiting for the shopper."""
    if "confirm" in request.POST:
        waiting = request.session.get(PENDING, {}).get(ret.rma)
        return (ChosenPayment(**waiting) if waiting else None), NOTHING_TO_CONFIRM
    form = DifferencePaymentForm(request.POST)
    if not form.is_valid():
        return None, NO_CARD
    if form.cleaned_data["method"] == "paypal":
        unpaid = Money(difference_unpaid(ret), ret.order.currency)
        token, url = get_gateway("test").create_approval(unpaid)
        return ChosenPayment("paypal", token, url), ""
    token = form.cleaned_data["card_token"]
    return (ChosenPayment("card", token) if token else None), NO_CARD


def provider_page(request: HttpRequest, action_url: str, *, back: str) -> str:
    """The simulated provider's page for the confirmation the payment waits for, which sends
    the shopper `back`."""
    page = provider.provider_page(action_url, back=back)
    if page is None:
        messages.info(request, "Confirm the payment with your bank, then complete it here.")
    return page or back


def remember(session: SessionBase, rma: str, chosen: ChosenPayment) -> None:
    waiting = {"method": chosen.method, "token": chosen.token}
    session[PENDING] = session.get(PENDING, {}) | {rma: waiting}


def forget(session: SessionBase, rma: str) -> None:
    pending = session.get(PENDING, {})
    if rma in pending:
        session[PENDING] = {key: value for key, value in pending.items() if key != rma}
