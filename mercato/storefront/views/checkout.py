"""Checkout steps: email → shipping address → delivery → payment → review → place → done.

This module holds what every step shares (the shopper and their choices: `shop_of`, `step`,
`page`, StepNeeded) and the first steps: email, shipping address (with the htmx delivery
options) and delivery. Payment, review, placing the order, the provider round trips (3-D
Secure, PayPal approval) and the confirmation are in views/checkout_payment.py.

Each step checks and prices with the checkout app's own selectors (check_checkout,
price_checkout, shipment_options) and places the order with complete_checkout, so the pages
and the API always agree; their problems are shown with the API's messages. What the shopper
chose is kept in the session (views/checkout_state.py); the cart stays the cart.
"""

from types import SimpleNamespace
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode

from mercato.cart.api import Caller
from mercato.cart.models import Cart
from mercato.cart.rules import CartReview
from mercato.cart.selectors import current_cart, lines_review
from mercato.checkout.errors import EmptyCart
from mercato.checkout.rules import AddressChoice, ShipmentChoice, split_lines
from mercato.checkout.selectors import (
    CheckedCheckout,
    ShipmentOptions,
    check_checkout,
    price_checkout,
    shipment_options,
)
from mercato.core.problems import Problem
from mercato.customers.auth import customer_from_request
from mercato.customers.models import User
from mercato.customers.selectors import (
    AddressBook,
    address_book_for_customer,
    addresses_for_customer,
)
from mercato.storefront.forms_shop import (
    NEW_ADDRESS,
    AddressForm,
    BillingForm,
    DeliveryChoiceForm,
    EmailForm,
    SplitForm,
    add_address_problem,
    add_problem,
)
from mercato.storefront.views import checkout_state as st
from mercato.storefront.views.cart import is_htmx, shopper, with_cookies

STEPS = [("Email", "/checkout/"), ("Address", "/checkout/address/"),
         ("Delivery", "/checkout/delivery/"), ("Payment", "/checkout/payment/"),
         ("Review", "/checkout/review/")]


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


# --- 2. shipping and billing address --------------------------------------------------------------

def saved_choices(customer: User | None) -> list[tuple[str, str]]:
    if customer is None:
        return []
    return choices_of(addresses_for_customer(customer=customer))


def choices_of(addresses: list[Any]) -> list[tuple[str, str]]:
    return [(address.public_id, one_line(vars(address))) for address in addresses]


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


def checked(shop: Shop, shipments: list[dict[str, Any]], **changes: Any) -> CheckedCheckout:
    """The checkout app's check of these shipments (and other `changes` of the choices, such
    as the billing address) against the cart (no pricing)."""
    request = st.checkout_request(shop.state | {"shipments": shipments, **changes})
    return check_checkout(cart=shop.cart, customer=shop.customer, request=request)


def stored_address(choice: dict[str, Any], normalised: dict[str, str]) -> dict[str, Any]:
    """A saved address by its id; a typed one as the address validation normalised it."""
    return choice if choice.get("address_id") else {"fields": normalised}


@step
def address(request: HttpRequest) -> HttpResponse:
    """The shipping and the billing address ("same as shipping" unless unticked); with htmx
    the delivery methods for the shipping address appear beside it as it is entered (see
    `delivery_options`), and the one picked there is kept through every redraw (the page
    carries it) and preselected on the next step. Without JavaScript the delivery step shows
    them."""
    shop = shop_of(request, needs=("email",))
    form, billing_form = address_forms(shop)
    method = method_wanted(shop)
    if request.method == "POST" and form.is_valid() and billing_form.is_valid() and (
            done := address_posted(shop, form, billing_form, method)):
        return done
    return page(shop, "address.html", "Address", form=form, billing_form=billing_form,
                delivery_method=method)


def method_wanted(shop: Shop) -> str:
    """The delivery method just posted beside the address, else the one chosen before."""
    posted = DeliveryChoiceForm(shop.request.POST)
    stored = (shop.state.get("shipments") or [{}])[0].get("method", "")
    return (posted.cleaned_data["delivery_method"] if posted.is_valid() else "") or stored


def address_forms(shop: Shop) -> tuple[AddressForm, BillingForm]:
    """The shipping and billing address forms, bound to the post, or showing what was chosen
    before (the first time: a customer's default shipping and billing addresses)."""
    book = address_book_for_customer(customer=shop.customer) if shop.customer else None
    saved = choices_of(book.addresses) if book else []
    shipping, billing = initial_addresses(shop.state, book)
    data = shop.request.POST or None
    return (AddressForm(data, saved=saved, initial=shipping),
            BillingForm(data, saved=saved, initial=billing))


def initial_addresses(state: dict[str, Any],
                      book: AddressBook | None) -> tuple[dict[str, Any], dict[str, Any]]:
    shipments = state.get("shipments") or []
    if shipments:
        billing = state.get("billing_address")
        return (address_initial(shipments[0]["address"]),
                {"same_as_shipping": not billing, **address_initial(billing)})
    if book is None:
        return {}, {}
    shipping, billing = book.default_shipping, book.default_billing
    return ({"address_id": shipping.public_id} if shipping else {},
            {"same_as_shipping": billing is None or billing == shipping,
             "address_id": billing.public_id if billing else NEW_ADDRESS})


def address_posted(shop: Shop, form: AddressForm, billing_form: BillingForm,
                   method: str) -> HttpResponse | None:
    """Both addresses checked as the checkout app checks them: kept, and on to delivery; or
    their problems shown beside their fields (nothing kept)."""
    wanted = [{"address": form.choice(), "lines": [], "method": method}]
    billing = billing_form.choice()
    try:
        result = checked(shop, wanted, billing_address=billing)
    except Problem as problem:
        add_address_problem(form, billing_form, problem, prefix="shipments.0.address.")
        return None
    wanted[0]["address"] = stored_address(wanted[0]["address"], result.shipment_addresses[0])
    st.save(shop.request.session, shipments=wanted, payments=[],
            billing_address=billing and stored_address(billing, result.billing_address),
            save_address=bool(form.cleaned_data.get("save_address")))
    return redirect("/checkout/delivery/")


def address_options(shop: Shop, choice: dict[str, Any]) -> tuple[ShipmentOptions, str]:
    """The delivery methods (with fees for the cart) for an address being entered, and a note
    when there are none to show yet. A complete address is checked as the delivery step
    checks it; an incomplete one is priced by its country (and region), all that delivery
    zones and tax go by."""
    fields = choice.get("fields") or {}
    if not choice.get("address_id") and not fields.get("country"):
        return [], "Choose the country to see the delivery methods and their fees."
    try:
        result = checked(shop, [{"address": choice, "method": "", "lines": []}],
                         billing_address=None)
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
             "methods": options[n], "chosen": chosen_of(options[n], shop, n)}
            for n in range(len(stored))]


def chosen_of(options: ShipmentOptions, shop: Shop, n: int) -> str:
    """The method just posted for shipment n (the page shown again with an error keeps it),
    else the stored one, if this shipment can use it (else none: the first is preselected)."""
    method = (shop.request.POST.get(f"method_{n}")
              or shop.state["shipments"][n].get("method", ""))
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
