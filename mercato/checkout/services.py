"""Checkout completion: a cart becomes a numbered, paid (or authorized) order — exactly once.

`complete_checkout`, step by step:
1. Claim the Idempotency-Key (a CheckoutAttempt row). A finished attempt answers again as it
   did (the same order, or the same problem); the key with another request is refused; a key
   whose request is still running gets 409, and one whose request died (lease over) resumes.
2. Check the request against the cart: bad input (422), short stock (409 out-of-stock) or a
   price that changed since the shopper last saw the cart (409 cart-changed) stop here, before
   anything is charged. The amount to authorize is the total the shopper reviewed.
3. Authorize the payments. Each gateway call runs in its own committed transaction with a key
   derived from the attempt, so a retry reuses an authorization instead of charging twice, and
   no row lock is held while a provider answers.
4. One transaction: price the cart (a total other than the one reviewed, or a promotion or
   coupon that stopped applying, is 409 cart-changed), place the order (stock rows locked in
   primary-key order and allocated, shipments created), point the payments at the order
   number, count promotion and coupon use, convert the cart, complete the attempt; events go to
   the outbox with it.
5. If step 4 fails (stock sold meanwhile, a promotion used up, the cart already ordered) or a
   payment is declined, every authorization is voided (a gift card gets its balance back) and
   the problem is stored, so a retry with the same key gets it again.
6. With MERCATO_CAPTURE_MODE=order the payments are captured when the outbox delivers
   OrderPlaced (checkout.handlers), never in the request; a refused capture leaves the payment
   Authorized for staff to capture (it is in the ledger).
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from mercato.cart.models import Cart
from mercato.cart.services import convert_cart
from mercato.checkout.errors import (
    CartChanged,
    CheckoutAbandoned,
    CheckoutInProgress,
    IdempotencyKeyNeeded,
    IdempotencyKeyReused,
    PaymentActionRequired,
    PaymentDeclined,
    replayed_problem,
)
from mercato.checkout.events import CheckoutCompleted, CheckoutFailed
from mercato.checkout.models import CheckoutAttempt
from mercato.checkout.rules import (
    CASH_ON_DELIVERY,
    CheckoutRequest,
    PaymentChoice,
    fingerprint,
    payment_amounts,
)
from mercato.checkout.selectors import PricedCheckout, check_checkout, price_checkout
from mercato.checkout.states import AttemptStatus
from mercato.core.events import SYSTEM, Actor, record
from mercato.core.money import Money
from mercato.core.problems import Problem
from mercato.customers.models import Address, User
from mercato.customers.services import add_address
from mercato.orders.models import Order
from mercato.orders.rules import ShipmentPlan
from mercato.orders.services import place_order
from mercato.payments.models import Payment
from mercato.payments.services import (
    assign_reference,
    authorize_or_confirm,
    create_payment,
    void_payment,
)
from mercato.payments.states import PaymentStatus
from mercato.pricing.services import record_promotion_usage

logger = logging.getLogger(__name__)
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Completion:
    order: Order
    created: bool  # False: a retry answered with the order the key already made


def complete_checkout(*, cart: Cart, customer: User | None, request: CheckoutRequest,
                      idempotency_key: str, by: Actor) -> Completion:
    """Turn the cart into an order for `request` once per key; see the module docstring."""
    attempt, done = _claim(key=_checked_key(idempotency_key), cart=cart, customer=customer,
                           digest=fingerprint(request, cart_token=cart.token))
    if done is not None:
        return Completion(order=done, created=False)
    try:
        order = _complete(attempt=attempt, cart=cart, customer=customer, request=request, by=by)
    except PaymentActionRequired:
        _release(attempt)  # the shopper confirms at the provider, then retries with this key
        raise
    except Problem as problem:
        if problem.status == 422 and not attempt.payment_ids:
            attempt.delete()  # bad input, nothing charged: the key is free for the fixed request
            raise
        _void_payments(attempt=attempt, by=by)
        _fail(attempt=attempt, problem=problem, by=by)
        raise
    except Exception:
        # Unexpected (a lost database connection...): a retry with the key resumes and reuses
        # the authorizations; left alone, they lapse at the provider.
        _release(attempt)
        raise
    return Completion(order=order, created=True)


def _checked_key(key: str | None) -> str:
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise IdempotencyKeyNeeded(
            "Send an Idempotency-Key header (1 to 255 characters, e.g. a UUID) with each "
            "order you place; send the same key again when you retry it.")
    return key


def _claim(*, key: str, cart: Cart, customer: User | None,
           digest: str) -> tuple[CheckoutAttempt, Order | None]:
    now = timezone.now()
    lease = now + settings.MERCATO_CHECKOUT_LEASE
    try:
        with transaction.atomic():
            attempt = CheckoutAttempt.objects.create(
                idempotency_key=key, request_fingerprint=digest, cart=cart, customer=customer,
                lease_until=lease)
        return attempt, None
    except IntegrityError:
        pass  # the key was used before: answer as it was answered, or resume it
    attempt = CheckoutAttempt.objects.select_related("order").get(idempotency_key=key)
    if attempt.request_fingerprint != digest:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used for a different checkout request; use a "
            "new key for a new request.")
    if attempt.status == AttemptStatus.COMPLETED:
        return attempt, attempt.order
    if attempt.status == AttemptStatus.FAILED:
        raise replayed_problem(attempt.problem or {})
    taken = CheckoutAttempt.objects.filter(
        pk=attempt.pk, status=AttemptStatus.PROCESSING, lease_until__lte=now,
    ).update(lease_until=lease)
    if not taken:
        raise CheckoutInProgress("This order is being placed right now; retry in a few seconds "
                                 "with the same Idempotency-Key to get its result.")
    attempt.refresh_from_db()
    return attempt, None


def _complete(*, attempt: CheckoutAttempt, cart: Cart, customer: User | None,
              request: CheckoutRequest, by: Actor) -> Order:
    checked = check_checkout(cart=cart, customer=customer, request=request, strict=True)
    total = _total_to_pay(cart=cart, customer=customer, request=request)
    amounts = payment_amounts(request.payments, total.amount)
    _authorize(attempt=attempt, choices=request.payments, amounts=amounts,
               currency=total.currency.code, by=by)
    with transaction.atomic():
        priced = price_checkout(cart=cart, customer=customer, request=request, strict=True)
        _check_total(priced, total)
        order = place_order(
            quote=priced.quote, customer_id=customer.pk if customer else None,
            email=checked.email, billing_address=priced.billing_address, by=by,
            shipments=_shipment_plans(priced))
        assign_reference(payment_ids=attempt.payment_ids, reference=order.number, by=by)
        record_promotion_usage(
            promotion_ids=priced.quote.applied_promotion_ids,
            coupon_codes=priced.quote.applied_coupon_codes,
            customer_id=customer.pk if customer else None, order_reference=order.number, by=by)
        convert_cart(cart_id=cart.pk, order_number=order.number, by=by)
        if customer is not None and request.save_addresses:
            _save_addresses(customer, request, priced)
        CheckoutAttempt.objects.filter(pk=attempt.pk).update(
            status=AttemptStatus.COMPLETED, order=order, lease_until=timezone.now())
        record(CheckoutCompleted(attempt.public_id, order_number=order.number,
                                 payments=",".join(attempt.payment_ids)), by=by)
    return order


def _total_to_pay(*, cart: Cart, customer: User | None, request: CheckoutRequest) -> Money:
    """What the payments authorize: the total the shopper reviewed. The cart is priced once,
    inside the order's transaction, where a different total stops the order (and the
    authorizations are voided); without `expected_total` it is priced here first."""
    if request.expected_total is not None:
        return Money(request.expected_total, cart.currency)
    return price_checkout(cart=cart, customer=customer, request=request, strict=True).quote.total


def _check_total(priced: PricedCheckout, expected: Money) -> None:
    total = priced.quote.total
    if total != expected:
        message = (f"The total is now {total}, not {expected} as shown: review the order "
                   "again.")
        raise CartChanged(message, errors={"expected_total": [message]},
                          total=str(total.amount))


def _shipment_plans(priced: PricedCheckout) -> list[ShipmentPlan]:
    return [ShipmentPlan(address=address, delivery=delivery, quantities=quantities)
            for address, delivery, quantities in zip(
                priced.shipment_addresses, priced.quote.shipment_deliveries,
                priced.quantities, strict=True)]


def _save_addresses(customer: User, request: CheckoutRequest, priced: PricedCheckout) -> None:
    """Typed-in addresses join the customer's address book (once each)."""
    typed = [(request.billing_address, priced.billing_address)] + [
        (shipment.address, address)
        for shipment, address in zip(request.shipments, priced.shipment_addresses, strict=True)]
    seen: list[dict[str, str]] = []
    for choice, fields in typed:
        if choice.address_id or fields in seen:
            continue
        seen.append(fields)
        if not Address.objects.filter(customer=customer, **fields).exists():
            add_address(customer=customer, data=fields)


# --- payments ---------------------------------------------------------------------------------

def _authorize(*, attempt: CheckoutAttempt, choices: tuple[PaymentChoice, ...],
               amounts: list[Decimal], currency: str, by: Actor) -> None:
    """Create (once) and authorize each payment in request order; a gift card first takes its
    part off the balance. Declined: PaymentDeclined; confirmation needed: PaymentActionRequired."""
    for index, (choice, amount) in enumerate(zip(choices, amounts, strict=True)):
        payment = _payment(attempt=attempt, index=index, choice=choice,
                           amount=Money(amount, currency), by=by)
        if choice.method == CASH_ON_DELIVERY or payment.status != PaymentStatus.PENDING:
            continue
        # the shopper sent to confirm comes back with the same key: the provider is asked
        result = authorize_or_confirm(payment_id=payment.public_id, token=choice.token, by=by,
                                      idempotency_key=f"{attempt.public_id}:{index}:authorize")
        txn = result.transaction
        if txn.succeeded:
            continue
        if result.action_url:
            raise PaymentActionRequired(
                "Confirm the payment with your bank or provider, then place the order again.",
                payment_id=payment.public_id, action_url=result.action_url)
        raise PaymentDeclined(txn.error_message or "The payment was declined.",
                              payment_id=payment.public_id, decline_code=txn.error_code,
                              errors={f"payments.{index}": [txn.error_message]})


def _payment(*, attempt: CheckoutAttempt, index: int, choice: PaymentChoice, amount: Money,
             by: Actor) -> Payment:
    if index < len(attempt.payment_ids):
        return Payment.objects.get(public_id=attempt.payment_ids[index])
    payment = create_payment(reference=f"checkout:{attempt.public_id}", method=choice.method,
                             amount=amount, by=by)
    attempt.payment_ids.append(payment.public_id)
    CheckoutAttempt.objects.filter(pk=attempt.pk).update(payment_ids=attempt.payment_ids)
    return payment


def _void_payments(*, attempt: CheckoutAttempt, by: Actor) -> None:
    """Give back every authorization of a checkout that did not become an order."""
    for index, payment_id in enumerate(attempt.payment_ids):
        payment = Payment.objects.get(public_id=payment_id)
        if payment.status == PaymentStatus.AUTHORIZED:
            void_payment(payment_id=payment_id, by=by,
                         idempotency_key=f"{attempt.public_id}:{index}:void")


def abandon_stale_attempts(*, older_than: timedelta, by: Actor = SYSTEM) -> int:
    """Give back what checkouts left half-way hold (a 3-D Secure never confirmed, a client
    that never retried after a crash): their authorizations are voided, gift card balances
    restored, and a retry with their key gets 409 checkout-abandoned."""
    cutoff = timezone.now() - older_than
    stale = CheckoutAttempt.objects.filter(status=AttemptStatus.PROCESSING,
                                           lease_until__lt=cutoff, created_at__lt=cutoff)
    count = 0
    for attempt in stale.order_by("pk"):
        taken = CheckoutAttempt.objects.filter(
            pk=attempt.pk, status=AttemptStatus.PROCESSING, lease_until=attempt.lease_until,
        ).update(lease_until=timezone.now() + settings.MERCATO_CHECKOUT_LEASE)
        if not taken:
            continue  # a retry took it over meanwhile
        _void_payments(attempt=attempt, by=by)
        _fail(attempt=attempt, by=by, problem=CheckoutAbandoned(
            "This checkout was not finished in time; its payments were released. Place the "
            "order again."))
        count += 1
    return count


# --- the attempt's outcome ----------------------------------------------------------------------

def _release(attempt: CheckoutAttempt) -> None:
    CheckoutAttempt.objects.filter(pk=attempt.pk, status=AttemptStatus.PROCESSING).update(
        lease_until=timezone.now())


def _fail(*, attempt: CheckoutAttempt, problem: Problem, by: Actor) -> None:
    with transaction.atomic():
        CheckoutAttempt.objects.filter(pk=attempt.pk).update(
            status=AttemptStatus.FAILED, problem=problem.as_dict(), lease_until=timezone.now())
        record(CheckoutFailed(attempt.public_id, problem=problem.slug, detail=problem.detail),
               by=by)

