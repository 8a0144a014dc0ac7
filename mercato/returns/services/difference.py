"""The price difference of an exchange for a dearer variant.

The customer pays it by card or PayPal, authorized through the gateway interface as a checkout
payment is; the replacement ships only once it is secured (or staff waive it); it is captured
when the replacement ships (at once with MERCATO_CAPTURE_MODE=order) and voided when the return
is cancelled or rejected. Those captures and voids are made when the outbox delivers the
return's event (returns.handlers), never after a commit in the request: a crash in between
leaves the delivery pending, and each call is keyed by its payment, so it happens once.

The return's payments refer to it by its RMA number (Payment.reference), not by the order's
number, so the order's own settlement (orders.services.money: captures at shipping, refunds of
cancelled parcels) never touches them. Refunds of returns may go back to them (a replacement
returned again: refunds.py).

One payment per return is reused until it is secured: a second card after a decline is a new
authorization of the same payment, keyed by the payment and the token, so a retried or double
submitted request replays the first answer and never authorizes twice (payments._run locks the
payment and refuses a second authorization of an Authorized payment).
"""

import hashlib
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction

from mercato.checkout.errors import PaymentActionRequired, PaymentDeclined
from mercato.core.events import Actor, record
from mercato.core.models import Event
from mercato.core.money import Money
from mercato.core.states import IllegalTransition
from mercato.orders.models import Order
from mercato.payments.models import Payment, Transaction
from mercato.payments.services import (
    authorize_or_confirm,
    capture_payment,
    create_payment,
    void_payment,
)
from mercato.payments.states import PaymentStatus
from mercato.returns import errors, rules, selectors
from mercato.returns.events import (
    ReturnDifferencePaid,
    ReturnDifferenceWaived,
    ReturnPaidTwice,
    ReturnPaymentRecorded,
)
from mercato.returns.models import ReturnRequest
from mercato.returns.services.common import _about, _locked_return
from mercato.returns.states import OPEN_STATUSES

PAYABLE_METHODS = ("card", "paypal")
RETRYABLE = frozenset({PaymentStatus.PENDING, PaymentStatus.FAILED})

PaymentCall = Callable[[Payment], Transaction]


def return_payments(ret: ReturnRequest) -> list[Payment]:
    return list(Payment.objects.filter(reference=ret.rma).order_by("pk"))


def difference_charge(ret: ReturnRequest) -> Decimal:
    return selectors.difference_of(ret).charge


def secured_difference(ret: ReturnRequest) -> Decimal:
    return rules.secured_amount((p.status, p.amount) for p in return_payments(ret))


def difference_unpaid(ret: ReturnRequest) -> Decimal:
    return selectors.difference_of(ret).unpaid


def pay_difference(*, rma: str, method: str, token: str, by: Actor,
                   customer_id: int | None = None, email: str | None = None) -> ReturnRequest:
    """Authorize what the return's dearer replacements cost more (the customer's own return:
    `customer_id` or the order's `email`). PaymentDeclined (402), PaymentActionRequired (402,
    confirm at `action_url`, then send the same request again), NothingToPay (409)."""
    if method not in PAYABLE_METHODS:
        raise errors.InvalidReturn("Pay the difference by card or PayPal.",
                                   errors={"method": ["Choose card or paypal."]})
    with transaction.atomic():
        order, ret = _locked_return(rma)
        _check_owner(order, ret, customer_id=customer_id, email=email)
        if ret.status not in OPEN_STATUSES:
            raise IllegalTransition(f"Return {ret.rma} is {ret.status}: nothing to pay.",
                                    action="pay", current_status=ret.status)
        payments = return_payments(ret)  # one read: what is due and what to reuse agree
        unpaid = rules.difference_unpaid(
            charge=difference_charge(ret), waived=ret.difference_waived,
            secured=rules.secured_amount((p.status, p.amount) for p in payments))
        if unpaid <= 0:
            raise errors.NothingToPay(f"Nothing is left to pay for return {ret.rma}.")
        payment = _open_payment(ret, order, payments, method=method, amount=unpaid, by=by)
    _authorize(payment, token=token, by=by)
    _record_paid(ret, payment, by)
    return ret


def _record_paid(ret: ReturnRequest, payment: Payment, by: Actor) -> None:
    """Once per payment: a retried request replays the authorization, not the news. A payment
    authorized while another request paid with another payment (two tabs, two methods) is
    voided: the customer never pays the difference twice."""
    with transaction.atomic():
        order, _ = _locked_return(ret.rma)
        others = rules.secured_amount((p.status, p.amount) for p in return_payments(ret)
                                      if p.pk != payment.pk)
        paid_twice = others >= difference_charge(ret)
        told = Event.objects.filter(type=ReturnDifferencePaid.__name__,
                                    aggregate_id=order.public_id,
                                    payload__payment_id=payment.public_id).exists()
        if paid_twice:  # the outbox voids this one (returns.handlers)
            record(ReturnPaidTwice(**_about(ret), payment_id=payment.public_id), by=by)
        elif not told:
            record(ReturnDifferencePaid(**_about(ret), payment_id=payment.public_id,
                                        method=payment.method, amount=payment.amount,
                                        currency=payment.currency), by=by)
    if paid_twice:
        raise errors.NothingToPay(f"Return {ret.rma} was paid by another payment.")


def waive_difference(*, rma: str, by: Actor, reason: str) -> ReturnRequest:
    """Staff let the replacement go without the customer paying the rest of the difference."""
    with transaction.atomic():
        _, ret = _locked_return(rma)
        if ret.status not in OPEN_STATUSES:
            raise IllegalTransition(f"Return {ret.rma} is {ret.status}.", action="waive",
                                    current_status=ret.status)
        unpaid = difference_unpaid(ret)
        if unpaid <= 0:
            raise errors.NothingToPay(f"Nothing is left to pay for return {ret.rma}.")
        ret.difference_waived = True
        ret.save(update_fields=["difference_waived", "updated_at"])
        record(ReturnDifferenceWaived(**_about(ret), amount=unpaid,
                                      currency=ret.order.currency, reason=reason[:255]), by=by)
    return ret


def void_duplicate_payment(*, rma: str, payment_id: str, by: Actor) -> Transaction | None:
    """ReturnPaidTwice: give back the authorization of a payment made while another payment
    already secured the difference (None if it is no longer Authorized)."""
    payment = next((p for p in return_payments(_return_with_order(rma))
                    if p.public_id == payment_id), None)
    if payment is None or payment.status != PaymentStatus.AUTHORIZED:
        return None
    return void_payment(payment_id=payment_id, by=by,
                        idempotency_key=f"return:{payment_id}:void")


def _return_with_order(rma: str) -> ReturnRequest:
    return ReturnRequest.objects.select_related("order").get(rma=rma)


def capture_difference(*, rma: str, by: Actor) -> list[Transaction]:
    """Capture the return's authorized difference payments (the replacement shipped); a
    refused capture stays in the payment's ledger for staff to retry."""
    return _settle(rma=rma, kind="capture", by=by,
                   call=lambda p: capture_payment(payment_id=p.public_id, by=by,
                                                  idempotency_key=f"return:{p.public_id}:capture"))


def void_difference(*, rma: str, by: Actor) -> list[Transaction]:
    """Give back the authorizations of a return that was cancelled or rejected."""
    return _settle(rma=rma, kind="void", by=by,
                   call=lambda p: void_payment(payment_id=p.public_id, by=by,
                                               idempotency_key=f"return:{p.public_id}:void"))


def _settle(*, rma: str, kind: str, by: Actor, call: PaymentCall) -> list[Transaction]:
    """`call` each Authorized payment of the return (run by the outbox after the return's move:
    an error fails the delivery, which is retried; the keys make a retry replay the first
    answer)."""
    ret = _return_with_order(rma)
    done = []
    for payment in return_payments(ret):
        if payment.status != PaymentStatus.AUTHORIZED:
            continue
        txn = call(payment)
        with transaction.atomic():
            record(ReturnPaymentRecorded(**_about(ret), payment_id=payment.public_id,
                                         kind=kind, amount=txn.amount, currency=txn.currency,
                                         succeeded=txn.succeeded), by=by)
        done.append(txn)
    return done


def _check_owner(order: Order, ret: ReturnRequest, *, customer_id: int | None,
                 email: str | None) -> None:
    if (customer_id is not None and order.customer_id != customer_id) or (
            email is not None and order.email.lower() != email.strip().lower()):
        raise errors.ReturnNotFound(f"There is no return {ret.rma}.")


def _open_payment(ret: ReturnRequest, order: Order, payments: list[Payment], *, method: str,
                  amount: Decimal, by: Actor) -> Payment:
    """The return's payment still to be authorized for `amount` by `method`, else a new one."""
    for payment in reversed(payments):
        if payment.status in RETRYABLE and payment.method == method \
                and payment.amount == amount:
            return payment
    return create_payment(reference=ret.rma, method=method, amount=Money(amount, order.currency),
                          by=by)


def _authorize(payment: Payment, *, token: str, by: Actor) -> Transaction:
    """Authorize with `token` (or confirm its authorization the customer was sent to confirm);
    PaymentActionRequired / PaymentDeclined when it did not go through."""
    digest = hashlib.sha256(token.encode()).hexdigest()[:24]
    result = authorize_or_confirm(payment_id=payment.public_id, token=token, by=by,
                                  idempotency_key=f"return:{payment.public_id}:authorize:{digest}")
    txn = result.transaction
    if result.action_url:
        raise PaymentActionRequired(
            "Confirm the payment with your bank or provider, then send it again.",
            payment_id=payment.public_id, action_url=result.action_url)
    if not txn.succeeded:
        raise PaymentDeclined(txn.error_message or "The payment was declined.",
                              payment_id=payment.public_id, decline_code=txn.error_code,
                              errors={"token": [txn.error_message or "Declined."]})
    return txn
