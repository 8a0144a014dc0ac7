"""Checkout steps: email → shipping address → delivery → payment → review → place → done.

Each step checks and prices with the checkout app's own selectors (check_checkout,
price_checkout, shipment_options) and places the order with complete_checkout, so the pages
and the API always agree; their problems are shown with the API's messages. What the shopper
chose is kept in the session (views/checkout_state.py); the cart stays the cart.
"""

import contextlib
import re
import time
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from mercato.cart import services as cart_services
from mercato.cart.api import Caller
from mercato.cart.api import reply as cart_reply
from mercato.cart.models import Cart
from mercato.cart.rules import CartReview
from mercato.cart.selectors import current_cart, lines_review
from mercato.checkout.api import actor_of
from mercato.checkout.errors import (
    CartChanged,
    CheckoutInProgress,
    EmptyCart,
    PaymentActionRequired,
    PaymentDeclined,
)
from mercato.checkout.rules import (
    AddressChoice,
    ShipmentChoice,
    fingerprint,
    payment_amounts,
    split_lines,
)
from mercato.checkout.selectors import (
    CheckedCheckout,
    PricedCheckout,
    ShipmentOptions,
    cart_for_completion,
    check_checkout,
    price_checkout,
    shipment_options,
    shortages,
)
from mercato.checkout.services import Completion, complete_checkout
from mercato.core.money import Money
from mercato.core.problems import Problem
from mercato.customers.auth import customer_from_request
from mercato.customers.models import User
from mercato.customers.selectors import addresses_for_customer
from mercato.inventory.errors import OutOfStock
from mercato.orders.selectors import customer_order_detail, order_for_guest
from mercato.payments.gateways import get_gateway
from mercato.storefront.forms_shop import (
    AddressForm,
    DeliveryChoiceForm,
    EmailForm,
    PaymentForm,
    SplitForm,
    add_problem,
)
from mercato.storefront.views import checkout_state as st
from mercato.storefront.views.cart import NOT_BOUGHT_CODES, is_htmx, shopper, with_cookies

STEPS = [("Email", "/checkout/"), ("Address", "/checkout/address/"),
         ("Delivery", "/checkout/delivery/"), ("Payment", "/checkout/payment/"),
         ("Review", "/checkout/review/")]
ACTION_PATH = re.compile(r"/(?:3ds/(?P<reference>[^/]+)/complete|approvals/(?P<token>[^/]+)/"
                         r"approve)/?$")
IN_PROGRESS_RETRIES = 20
IN_PROGRESS_WAIT = 0.25


class StepNeeded(Exception):
    """An earlier step is missing or no longer fits the cart: go back there."""

    def __init__(self, url: str, message: str = "") -> None:
        super().__init__(message)
        self.url, self.message = url, message


class Shop(SimpleNamespace):
    request: HttpRequest
    caller: Caller
    cookies: HttpResponse
    cart: Cart
    customer: User | None
    state: dict[str, Any]


def shop_of(request: HttpRequest, *, needs: tuple[str, ...] = ()) -> Shop:
    """The shopper, their cart and checkout choices; StepNeeded when something is missing."""
    caller, cookies = shopper(request)
    cart = current_cart(customer_id=caller.customer_id, token=caller.token)
    if cart is None:
        raise StepNeeded("/cart/", "Your cart is empty: add a product before checking out.")
    customer = customer_from_request(request)
    state = st.state(request.session)
    if customer is not None and not state.get("email"):
        state = st.save(request.session, email=customer.email)
    for need, url in [("email", "/checkout/"), ("shipments", "/checkout/address/"),
                      ("methods", "/checkout/delivery/"), ("payments", "/checkout/payment/")]:
        if need in needs and not has(state, need):
            raise StepNeeded(url)
    return Shop(request=request, caller=caller, cookies=cookies, cart=cart, customer=customer,
                state=state)


def has(state: dict[str, Any], need: str) -> bool:
    if need == "methods":
        return bool(state.get("shipments")) and all(s.get("method") for s in state["shipments"])
    return bool(state.get(need))


def step(view: Any) -> Any:
    """Send the shopper back to the step that is missing, with its message."""
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except StepNeeded as needed:
            if needed.message:
                messages.error(request, needed.message)
            return redirect(needed.url)
        except EmptyCart as problem:  # nothing left to buy: the cart says why, once
            messages.error(request, problem.detail)
            return redirect("/cart/")
    wrapped.__name__ = view.__name__
    wrapped.__module__ = view.__module__
    wrapped.__doc__ = view.__doc__
    return wrapped


def page(shop: Shop, template: str, current: str, **context: Any) -> HttpResponse:
    response = render(shop.request, f"storefront/checkout/{template}",
                      {"steps": STEPS, "current_step": current, "state": shop.state, **context})
    return with_cookies(response, shop.cookies)


def nothing_to_buy(review: CartReview) -> str | None:
    """Why checkout cannot start: no line of the cart can be bought (the cart review's own
    reasons), or None."""
    if any(line.is_counted for line in review.lines):
        return None
    reasons = [issue.message for line in review.lines for issue in line.issues]
    return " ".join(["Nothing in your cart can be bought right now.", *reasons])


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


def problem_text(problem: Problem) -> str:
    details = [message for messages_ in problem.errors.values() for message in messages_]
    return " ".join([problem.detail, *[d for d in details if d != problem.detail]])


# --- 1. email -------------------------------------------------------------------------------------

@step
def start(request: HttpRequest) -> HttpResponse:
    """Email for the confirmation, a link to log in, or straight on for a customer."""
    shop = shop_of(request)
    if reason := nothing_to_buy(lines_review(cart=shop.cart)):
        raise StepNeeded("/cart/", reason)
    if shop.customer is not None:
        return redirect("/checkout/address/")
    form = EmailForm(request.POST or None, initial={"email": shop.state.get("email", "")})
    if request.method == "POST" and form.is_valid():
        st.save(request.session, email=form.cleaned_data["email"])
        return redirect("/checkout/address/")
    login_url = "/account/login/?" + urlencode({"next": "/checkout/"})
    return page(shop, "email.html", "Email", form=form, login_url=login_url)


# --- 2. shipping address --------------------------------------------------------------------------

def saved_choices(customer: User | None) -> list[tuple[str, str]]:
    if customer is None:
        return []
    return [(address.public_id, one_line(vars(address)))
            for address in addresses_for_customer(customer=customer)]


def one_line(address: dict[str, Any]) -> str:
    parts = [f"{address.get('first_name', '')} {address.get('last_name', '')}".strip(),
             address.get("street_address_1", ""), address.get("postal_code", ""),
             address.get("city", ""), address.get("country", "")]
    return ", ".join(str(part) for part in parts if part)


def address_initial(stored: dict[str, Any] | None) -> dict[str, Any]:
    stored = stored or {}
    if stored.get("address_id"):
        return {"address_id": stored["address_id"]}
    return dict(stored.get("fields") or {})


def checked(shop: Shop, shipments: list[dict[str, Any]]) -> CheckedCheckout:
    """The checkout app's check of these shipments against the cart (no pricing)."""
    request = st.checkout_request(shop.state | {"shipments": shipments})
    return check_checkout(cart=shop.cart, customer=shop.customer, request=request)


def stored_address(choice: dict[str, Any], normalised: dict[str, str]) -> dict[str, Any]:
    """A saved address by its id; a typed one as the address validation normalised it."""
    return choice if choice.get("address_id") else {"fields": normalised}


@step
def address(request: HttpRequest) -> HttpResponse:
    """The shipping address; with htmx the delivery methods for it appear beside it as it is
    entered (see `delivery_options`), and the one picked there is preselected on the next
    step. Without JavaScript the delivery step shows them."""
    shop = shop_of(request, needs=("email",))
    shipments = shop.state.get("shipments") or []
    form = AddressForm(request.POST or None, saved=saved_choices(shop.customer),
                       initial=address_initial(shipments[0]["address"] if shipments else None))
    if request.method == "POST" and form.is_valid():
        choice = form.choice()
        method = DeliveryChoiceForm(request.POST)
        wanted = [{"address": choice, "lines": [],
                   "method": method.cleaned_data["delivery_method"] if method.is_valid() else ""}]
        try:
            result = checked(shop, wanted)
        except Problem as problem:
            add_problem(form, problem, prefix="shipments.0.address.", skip="billing_address.")
        else:
            wanted[0]["address"] = stored_address(choice, result.shipment_addresses[0])
            st.save(request.session, shipments=wanted, payments=[],
                    save_address=bool(form.cleaned_data.get("save_address")))
            return redirect("/checkout/delivery/")
    return page(shop, "address.html", "Address", form=form)


def address_options(shop: Shop, choice: dict[str, Any]) -> tuple[ShipmentOptions, str]:
    """The delivery methods (with fees for the cart) for an address being entered, and a note
    when there are none to show yet. A complete address is checked as the delivery step
    checks it; an incomplete one is priced by its country (and region), all that delivery
    zones and tax go by."""
    fields = choice.get("fields") or {}
    if not choice.get("address_id") and not fields.get("country"):
        return [], "Choose the country to see the delivery methods and their fees."
    try:
        result = checked(shop, [{"address": choice, "method": "", "lines": []}])
    except EmptyCart:
        raise
    except Problem as problem:
        if choice.get("address_id"):
            return [], problem_text(problem)
        result = by_country(shop, fields)
    options = shipment_options(cart=shop.cart, checked=result)[0]
    return options, "" if options else "No delivery method reaches this address."


def by_country(shop: Shop, fields: dict[str, str]) -> CheckedCheckout:
    """The cart's lines in one shipment to a country (and region) not yet a whole address."""
    review = lines_review(cart=shop.cart)
    counted = [(line.facts.sku, line.quantity) for line in review.lines if line.is_counted]
    if not counted:
        raise EmptyCart("The cart is empty: add a product before checking out.")
    place = {"country": fields["country"].upper(),
             "country_area": (fields.get("country_area") or "").strip()}
    plan = split_lines(counted, [ShipmentChoice(address=AddressChoice(), delivery_method="")])
    return CheckedCheckout(email="", billing_address=place, shipment_addresses=[place],
                           quantities=plan, review=review)


def delivery_options(request: HttpRequest) -> HttpResponse:
    """htmx (GET or POST of the address form): the delivery methods for the address as it
    stands, as a fragment of the address step."""
    data = request.POST if request.method == "POST" else request.GET
    try:
        shop = shop_of(request)
        form = AddressForm(data, saved=saved_choices(shop.customer))
        form.is_valid()  # shape only: what is there is priced, the step checks the rest
        options, note = address_options(shop, form.choice())
    except (StepNeeded, EmptyCart) as stop:
        message = stop.message if isinstance(stop, StepNeeded) else stop.detail
        url = stop.url if isinstance(stop, StepNeeded) else "/cart/"
        if message:
            messages.error(request, message)
        response = HttpResponse(status=204) if is_htmx(request) else redirect(url)
        response["HX-Redirect"] = url
        return response
    stored = (shop.state.get("shipments") or [{}])[0].get("method", "")
    codes = [option.code for option in options]
    wanted = data.get("delivery_method") or stored
    chosen = wanted if wanted in codes else (codes[0] if codes else "")
    response = render(request, "storefront/checkout/_delivery_options.html",
                      {"options": options, "note": note, "chosen": chosen})
    return with_cookies(response, shop.cookies)


# --- 3. delivery ----------------------------------------------------------------------------------

def shipments_view(shop: Shop, result: CheckedCheckout) -> list[dict[str, Any]]:
    """Each shipment: where it goes, what it sends, the methods it could use with their fees."""
    counted = [line for line in result.review.lines if line.is_counted]
    options = shipment_options(cart=shop.cart, checked=result)
    stored = shop.state["shipments"]
    return [{"number": n + 1, "index": n, "address": result.shipment_addresses[n],
             "address_text": one_line(result.shipment_addresses[n]),
             "lines": [(counted[i].facts.label, counted[i].facts.sku, q)
                       for i, q in result.quantities[n]],
             "methods": options[n], "chosen": chosen_of(options[n], stored[n])}
            for n in range(len(stored))]


def chosen_of(options: ShipmentOptions, stored: dict[str, Any]) -> str:
    """The stored method if this shipment can still use it (else none: the first is
    preselected)."""
    method = stored.get("method", "")
    return method if any(option.code == method for option in options) else ""


@step
def delivery(request: HttpRequest) -> HttpResponse:
    shop = shop_of(request, needs=("email", "shipments"))
    try:
        result = checked(shop, shop.state["shipments"])
    except EmptyCart:
        raise
    except Problem as problem:  # the cart changed under a split: start the address again
        raise StepNeeded("/checkout/address/", problem_text(problem)) from problem
    counted = [line for line in result.review.lines if line.is_counted]
    split_form = SplitForm(request.POST if request.POST.get("action") == "split" else None,
                           prefix="split", saved=saved_choices(shop.customer),
                           lines=[(line.facts.sku, line.facts.label, line.quantity)
                                  for line in counted])
    errors: list[str] = []
    if request.method == "POST" and (done := delivery_posted(shop, split_form, errors)):
        return done
    return page(shop, "delivery.html", "Delivery", shipments=shipments_view(shop, result),
                split_form=split_form, errors=errors,
                is_split=len(shop.state["shipments"]) > 1)


def delivery_posted(shop: Shop, split_form: SplitForm,
                    errors: list[str]) -> HttpResponse | None:
    """Add a second address, go back to one, or choose the methods and go on to payment."""
    action = shop.request.POST.get("action", "continue")
    if action == "split":
        return split_delivery(shop, split_form) if split_form.is_valid() else None
    if action == "unsplit":
        first = shop.state["shipments"][0] | {"lines": []}
        st.save(shop.request.session, shipments=[first], payments=[])
        return redirect("/checkout/delivery/")
    return choose_methods(shop, errors)


def split_delivery(shop: Shop, form: SplitForm) -> HttpResponse | None:
    quantities = form.quantities()
    if not quantities:
        form.add_error(None, "Choose how many units of which items go to the second address.")
        return None
    first = shop.state["shipments"][0] | {"lines": []}
    second = {"address": form.choice(), "method": "", "lines": quantities}
    try:
        result = checked(shop, [first, second])
    except Problem as problem:
        add_problem(form, problem, prefix="shipments.1.address.", skip="billing_address.")
        return None
    second["address"] = stored_address(second["address"], result.shipment_addresses[1])
    st.save(shop.request.session, shipments=[first, second], payments=[])
    return redirect("/checkout/delivery/")


def choose_methods(shop: Shop, errors: list[str]) -> HttpResponse | None:
    shipments = [shipment | {"method": shop.request.POST.get(f"method_{n}", "")}
                 for n, shipment in enumerate(shop.state["shipments"])]
    if not all(shipment["method"] for shipment in shipments):
        errors.append("Choose a delivery method for every shipment.")
        return None
    request = st.checkout_request(shop.state | {"shipments": shipments})
    try:
        price_checkout(cart=shop.cart, customer=shop.customer, request=request)
    except Problem as problem:
        errors.append(problem_text(problem))
        return None
    st.save(shop.request.session, shipments=shipments, payments=[])
    return redirect("/checkout/payment/")


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
    match = ACTION_PATH.search(action_url)
    back = urlencode({"return": "/checkout/review/"})
    if match is None:
        return "/checkout/review/"
    if match["reference"]:
        return f"/test-gateway/3ds/{match['reference']}/?{back}"
    return f"/test-gateway/approve/{match['token']}/?{back}"


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
