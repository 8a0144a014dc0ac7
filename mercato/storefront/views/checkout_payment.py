"""Checkout's last steps: payment → review → place → done, and the round trips to the payment
provider (PayPal approval, 3-D Secure) that payment and placing can need.

Placing goes through complete_checkout once per Idempotency-Key (the review page's key): a
double submit gets the same order, and a second click while the first is being placed waits
for it. The shared step machinery (shop_of, step, page, StepNeeded) is in views/checkout.py.
"""

import contextlib
import time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from mercato.cart import services as cart_services
from mercato.cart.api import reply as cart_reply
from mercato.cart.models import Cart
from mercato.cart.selectors import lines_review
from mercato.checkout.api import actor_of
from mercato.checkout.errors import (
    CartChanged,
    CheckoutInProgress,
    EmptyCart,
    PaymentActionRequired,
    PaymentDeclined,
)
from mercato.checkout.rules import fingerprint, payment_amounts
from mercato.checkout.selectors import (
    PricedCheckout,
    cart_for_completion,
    price_checkout,
    shortages,
)
from mercato.checkout.services import Completion, complete_checkout
from mercato.core.money import Money
from mercato.core.problems import Problem
from mercato.customers.auth import customer_from_request
from mercato.inventory.errors import OutOfStock
from mercato.orders.selectors import customer_order_detail, order_for_guest
from mercato.payments.gateways import get_gateway
from mercato.storefront.forms_shop import PaymentForm, add_problem
from mercato.storefront.views import checkout_state as st
from mercato.storefront.views import provider
from mercato.storefront.views.cart import NOT_BOUGHT_CODES, with_cookies
from mercato.storefront.views.checkout import (
    STEPS,
    Shop,
    StepNeeded,
    page,
    problem_text,
    shop_of,
    step,
)

REVIEW = "/checkout/review/"
IN_PROGRESS_RETRIES = 20
IN_PROGRESS_WAIT = 0.25


def stock_message(problem: OutOfStock, labels: dict[str, str], *, placing: bool = False) -> str:
    """OutOfStock in the shopper's words: each short product by its name, not its SKU (and,
    when `placing` failed, that nothing happened)."""
    texts = []
    for short in problem.extra.get("shortages") or []:
        name = labels.get(short["sku"], short["sku"])
        texts.append(f"{name} is out of stock." if short["available"] <= 0 else
                     f"Only {short['available']} of {name} are available "
                     f"({short['requested']} asked for).")
    if not texts:
        return problem_text(problem)
    names = ", ".join(labels.get(short["sku"], short["sku"])
                      for short in problem.extra["shortages"])
    outcome = " Your order was not placed and nothing was charged." if placing else ""
    return " ".join([f"Not enough stock of {names}.{outcome}", *texts])


# --- 4. payment -----------------------------------------------------------------------------------

def priced_for(shop: Shop, *, back: str = "/checkout/delivery/") -> PricedCheckout:
    try:
        return price_checkout(cart=shop.cart, customer=shop.customer,
                              request=st.checkout_request(shop.state))
    except EmptyCart:
        raise
    except Problem as problem:
        raise StepNeeded(back, problem_text(problem)) from problem


@step
def payment(request: HttpRequest) -> HttpResponse:
    shop = shop_of(request, needs=("email", "shipments", "methods"))
    total = priced_for(shop).quote.total
    chosen = (shop.state.get("payments") or [{}])[0].get("method", "card")
    form = PaymentForm(request.POST or None, initial={"method": chosen})
    if request.method == "POST" and form.is_valid():
        payments = payments_chosen(form, total)
        if payments is not None:
            st.save(request.session, payments=payments,
                    card_label=form.cleaned_data.get("card_label", ""))
            if payments[0]["method"] == "paypal":
                return redirect(f"/test-gateway/approve/{payments[0]['token']}/?"
                                + urlencode({"return": "/checkout/review/"}))
            return redirect("/checkout/review/")
    return page(shop, "payment.html", "Payment", form=form, total=total)


def payments_chosen(form: PaymentForm, total: Money) -> list[dict[str, Any]] | None:
    """The tenders as the checkout request takes them, checked with the checkout rule that
    splits the total; PayPal gets its approval started at the provider."""
    data = form.cleaned_data
    method, card = data["method"], {"method": "card", "token": data.get("card_token", "")}
    if method == "card":
        return [card]
    if method == "cash_on_delivery":
        return [{"method": "cash_on_delivery"}]
    if method == "paypal":
        token, _url = get_gateway("test").create_approval(total)
        return [{"method": "paypal", "token": token}]
    payments = [{"method": "gift_card", "token": data["gift_card_code"],
                 "amount": str(data["gift_card_amount"])}]
    if card["token"]:
        payments.append(card)
    try:
        payment_amounts(st.payment_choices({"payments": payments}), total.amount)
    except Problem as problem:
        add_problem(form, problem)
        return None
    return payments


# --- 5. review and place --------------------------------------------------------------------------

@step
def review(request: HttpRequest) -> HttpResponse:
    """Every line, shipment, fee, tax and the total; that total is what the order expects."""
    shop = shop_of(request, needs=("email", "shipments", "methods", "payments"))
    changes = list(cart_reply(shop.cart, shop.cookies, wrote=False).messages)
    shop.cart.refresh_from_db(fields=["shown_promotion_ids"])  # just stored as shown
    priced = priced_for(shop)
    total = priced.quote.total
    request_ = st.checkout_request(shop.state, expected_total=total.amount)
    key = st.key_for(request.session, fingerprint(request_, cart_token=shop.cart.token))
    labels = {line.facts.sku: line.facts.label for line in priced.review.lines}
    dropped = [line for line in priced.review.lines if not line.is_counted]
    short = [s for s in shortages(priced.review) if s[0] not in {d.facts.sku for d in dropped}]
    not_bought = [next((issue.message for issue in line.issues if issue.code in NOT_BOUGHT_CODES),
                       f"{line.facts.label} cannot be bought now.") for line in dropped]
    return page(shop, "review.html", "Review", priced=priced, quote=priced.quote, total=total,
                changes=[text for text in changes if text not in not_bought], key=key,
                labels=labels, not_bought=not_bought,
                not_bought_skus=[line.facts.sku for line in dropped],
                out_of_stock=stock_message(OutOfStock.for_shortages(short), labels)
                if short else None,
                lines=[(labels.get(line.sku, line.sku), line) for line in priced.quote.lines],
                shipments=list(zip(priced.shipment_addresses, priced.quote.shipment_deliveries,
                                   [[(labels.get(priced.quote.lines[i].sku), q)
                                     for i, q in plan] for plan in priced.quantities],
                                   strict=True)))


@require_POST
@step
def place(request: HttpRequest) -> HttpResponse:
    """Place the order once per Idempotency-Key (a double submit gets the same order)."""
    key = request.POST.get("idempotency_key", "").strip()
    if number := st.placed_order(request.session, key):
        return redirect(f"/checkout/done/{number}/")
    try:
        expected = Decimal(request.POST.get("expected_total", ""))
    except InvalidOperation:
        raise StepNeeded("/checkout/review/", "Review your order, then place it.") from None
    shop = shop_of(request, needs=("email", "shipments", "methods", "payments"))
    drop_not_bought(shop, request.POST.getlist("not_bought"))
    cart = cart_for_completion(customer_id=shop.caller.customer_id, token=shop.caller.token,
                               idempotency_key=key) or shop.cart
    try:
        completion = completed(shop, cart=cart, key=key, expected=expected)
    except Problem as problem:
        return placement_failed(shop, problem)
    order = completion.order
    st.remember_order(request.session, key=key, number=order.number, email=order.email)
    return with_cookies(redirect(f"/checkout/done/{order.number}/"), shop.cookies)


def drop_not_bought(shop: Shop, skus: list[str]) -> None:
    """The lines the review showed as not bought (sold out, no longer sold) leave the cart, so
    the order is placed for the rest, as reviewed."""
    for sku in skus:
        with contextlib.suppress(Problem):  # already gone
            cart_services.remove_line(customer_id=shop.caller.customer_id,
                                      token=shop.caller.token, sku=sku)


def completed(shop: Shop, *, cart: Cart, key: str, expected: Decimal) -> Completion:
    """complete_checkout; while the same key is being placed by a first click, wait for it."""
    request = st.checkout_request(shop.state, expected_total=expected)
    for _ in range(IN_PROGRESS_RETRIES):
        try:
            return complete_checkout(cart=cart, customer=shop.customer, request=request,
                                     idempotency_key=key, by=actor_of(shop.customer))
        except CheckoutInProgress:
            time.sleep(IN_PROGRESS_WAIT)
    return complete_checkout(cart=cart, customer=shop.customer, request=request,
                             idempotency_key=key, by=actor_of(shop.customer))


def placement_failed(shop: Shop, problem: Problem) -> HttpResponse:
    """Say why with the API's message and go where the shopper can fix it."""
    session = shop.request.session
    if isinstance(problem, PaymentActionRequired):
        return with_cookies(redirect(provider_page(problem.extra.get("action_url", ""))),
                            shop.cookies)
    st.forget_key(session)  # the attempt failed for good: a new try is a new request
    if isinstance(problem, OutOfStock):  # the cart shows what is left: change it there
        labels = {line.facts.sku: line.facts.label
                  for line in lines_review(cart=shop.cart).lines}
        messages.error(shop.request, stock_message(problem, labels, placing=True))
        return with_cookies(redirect("/cart/"), shop.cookies)
    messages.error(shop.request, problem_text(problem))
    if isinstance(problem, PaymentDeclined) or any(
            name.startswith("payments") for name in problem.errors):
        st.save(session, payments=[])
        return redirect("/checkout/payment/")
    if isinstance(problem, CartChanged):
        return redirect("/checkout/review/")
    if any(name.startswith(("shipments", "billing")) for name in problem.errors):
        return redirect("/checkout/address/")
    return redirect("/checkout/review/")


def provider_page(action_url: str) -> str:
    """The simulated provider's page for the confirmation the payment waits for."""
    return provider.provider_page(action_url, back=REVIEW) or REVIEW


# --- 6. confirmation ------------------------------------------------------------------------------

def done(request: HttpRequest, number: str) -> HttpResponse:
    """The confirmation, for the customer who ordered or the session that placed it."""
    customer = customer_from_request(request)
    try:
        if customer is not None:
            order = customer_order_detail(number=number, customer_id=customer.pk)
        elif email := st.order_email(request.session, number):
            order = order_for_guest(number=number, email=email)
        else:
            raise Http404("No such order.")
    except Problem:
        raise Http404("No such order.") from None
    addresses = {address.kind: address for address in order.addresses.all()}
    return render(request, "storefront/checkout/done.html",
                  {"order": order, "addresses": addresses, "steps": STEPS})
