"""Account pages: register, log in and out, password reset, address book, order history, and
the guest order lookup. Each view is a form -> service or a selector -> template; the rules and
their messages are the customers and orders apps'.
"""

from collections.abc import Callable
from contextlib import suppress
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from mercato.cart import services as cart_services
from mercato.cart.errors import CartNotFound
from mercato.core.problems import NotFound, Problem
from mercato.core.schema_types import MAX_PAGE
from mercato.customers import selectors as customer_selectors
from mercato.customers import services as customer_services
from mercato.customers.auth import customer_for_login
from mercato.customers.errors import EmailTaken
from mercato.customers.models import Address, User
from mercato.orders import selectors as order_selectors
from mercato.orders.models import AddressKind, Order
from mercato.orders.rules import order_payment_label
from mercato.storefront.forms_account import (
    AddressForm,
    LoginForm,
    OrderLookupForm,
    RegisterForm,
    show_problem,
)
from mercato.storefront.views.limits import limited

# settings.LOGIN_URL once the lead sets it there; named here so these pages work before that.
LOGIN_URL = "/account/login/"
ACCOUNT_URL = "/account/"
ADDRESSES_URL = "/account/addresses/"
ORDERS_PAGE_SIZE = 20
RECENT_ORDERS = 5
TEMPLATES = "storefront/account/"
# The backend that reads the session's user back (the first one, django-axes', only refuses).
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"

View = Callable[..., HttpResponse]


def customer_required(view: View) -> View:
    """Anonymous visitors go to the login page, which brings them back (?next=...)."""
    return login_required(view, login_url=LOGIN_URL)


# --- register, log in, log out -----------------------------------------------------------------

def safe_next(request: HttpRequest, default: str = ACCOUNT_URL) -> str:
    """Where to go after logging in: the `next` asked for, if it is a page of this site."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                              require_https=request.is_secure())
    return wanted if wanted and allowed else default


def sign_in(request: HttpRequest, response: HttpResponse, customer: User) -> HttpResponse:
    """Start the session and bring the anonymous cart along, as the cart API does."""
    login(request, customer, backend=SESSION_BACKEND)
    cookie_name = settings.MERCATO_CART_COOKIE
    token = request.COOKIES.get(cookie_name)
    if token:
        # CartNotFound: the token is another customer's cart, there is nothing to bring along.
        with suppress(CartNotFound):
            cart_services.merge_anonymous_cart(customer_id=customer.pk, token=token,
                                               by=customer_services.actor_for(customer))
        response.delete_cookie(cookie_name, samesite="Lax")
    return response


@require_http_methods(["GET", "POST"])
@limited("register")
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(ACCOUNT_URL)
    form = RegisterForm(request.POST or None)
    if form.is_valid():
        try:
            customer = customer_services.register_customer(**form.cleaned_data)
        except EmailTaken as problem:
            show_problem(form, problem, field="email")
        except Problem as problem:
            show_problem(form, problem)
        else:
            messages.success(request, "Welcome! Your account is ready.")
            return sign_in(request, redirect(safe_next(request)), customer)
    return render(request, TEMPLATES + "register.html",
                  {"form": form, "next": safe_next(request, "")})


@require_http_methods(["GET", "POST"])
def log_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request))
    form = LoginForm(request.POST or None)
    if form.is_valid():
        try:
            customer = customer_for_login(request, **form.cleaned_data)
        except Problem as problem:
            show_problem(form, problem)
        else:
            return sign_in(request, redirect(safe_next(request)), customer)
    return render(request, TEMPLATES + "login.html",
                  {"form": form, "next": safe_next(request, "")})


@require_POST
def log_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "You are logged out.")
    return redirect("/")


# --- password reset by email (Django's views in the shop's layout) -----------------------------

password_reset = limited("password_reset")(auth_views.PasswordResetView.as_view(
    template_name=TEMPLATES + "password_reset_form.html",
    email_template_name=TEMPLATES + "password_reset_email.txt",
    html_email_template_name=TEMPLATES + "password_reset_email.html",
    subject_template_name=TEMPLATES + "password_reset_subject.txt",
    extra_email_context={"site_name": settings.MERCATO_SHOP_NAME},
    success_url=reverse_lazy("storefront:password_reset_done"),
))
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name=TEMPLATES + "password_reset_done.html")
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name=TEMPLATES + "password_reset_confirm.html",
    success_url=reverse_lazy("storefront:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name=TEMPLATES + "password_reset_complete.html")


# --- account home and address book -------------------------------------------------------------

@customer_required
def account_home(request: HttpRequest) -> HttpResponse:
    book = customer_selectors.address_book_for_customer(customer=request.user)
    recent = order_selectors.order_page_for_customer(customer_id=request.user.pk, page=1,
                                                     page_size=RECENT_ORDERS)
    return render(request, TEMPLATES + "home.html", {
        "default_shipping": book.default_shipping, "default_billing": book.default_billing,
        "address_count": len(book.addresses), "recent": recent, "rows": order_rows(recent),
    })


@customer_required
def address_list(request: HttpRequest) -> HttpResponse:
    addresses = customer_selectors.addresses_for_customer(customer=request.user)
    return render(request, TEMPLATES + "addresses.html", {"addresses": addresses})


@customer_required
@require_http_methods(["GET", "POST"])
def address_add(request: HttpRequest) -> HttpResponse:
    form = AddressForm(request.POST or None)
    if form.is_valid():
        try:
            customer_services.add_address(customer=request.user, data=form.cleaned_data)
        except Problem as problem:
            show_problem(form, problem)
        else:
            messages.success(request, "The address is saved.")
            return redirect(ADDRESSES_URL)
    return render(request, TEMPLATES + "address_form.html", {"form": form, "address": None})


@customer_required
@require_http_methods(["GET", "POST"])
def address_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    address = found(customer_selectors.address_for_customer, customer=request.user,
                    public_id=public_id)
    form = AddressForm(request.POST or None, initial=address_initial(address))
    if form.is_valid():
        try:
            customer_services.change_address(customer=request.user, public_id=public_id,
                                             changes=form.cleaned_data)
        except Problem as problem:
            show_problem(form, problem)
        else:
            messages.success(request, "The address is changed.")
            return redirect(ADDRESSES_URL)
    return render(request, TEMPLATES + "address_form.html", {"form": form, "address": address})


@customer_required
@require_POST
def address_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    found(customer_services.remove_address, customer=request.user, public_id=public_id)
    messages.success(request, "The address is deleted.")
    return redirect(ADDRESSES_URL)


@customer_required
@require_POST
def address_make_default(request: HttpRequest, public_id: str, kind: str) -> HttpResponse:
    """Make the address the default for shipping or for billing (kind: shipping | billing)."""
    if kind not in AddressKind.values:
        raise Http404("There is no such kind of default address.")
    found(customer_services.change_address, customer=request.user, public_id=public_id,
          changes={f"is_default_{kind}": True})
    messages.success(request, f"The default {kind} address is changed.")
    return redirect(ADDRESSES_URL)


def address_initial(address: Address) -> dict[str, Any]:
    initial = {name: getattr(address, name) for name in AddressForm.base_fields}
    initial["country"] = address.country.code
    return initial


def found(call: Callable[..., Any], **arguments: Any) -> Any:
    """`call(**arguments)`, with the app's 'not found' problem shown as the 404 page."""
    try:
        return call(**arguments)
    except NotFound as problem:
        raise Http404(problem.detail) from problem


# --- orders ------------------------------------------------------------------------------------

@customer_required
def order_list(request: HttpRequest) -> HttpResponse:
    page_number = request.GET.get("page", "1")
    number = int(page_number) if page_number.isdigit() else 1
    if number > MAX_PAGE:  # no such page, and past what a database OFFSET holds
        raise Http404("There is no such page of orders.")
    page = order_selectors.order_page_for_customer(
        customer_id=request.user.pk, page=max(number, 1), page_size=ORDERS_PAGE_SIZE)
    if page.page > max(page.pages, 1):
        raise Http404("There is no such page of orders.")
    return render(request, TEMPLATES + "orders.html", {"page": page, "rows": order_rows(page)})


@customer_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    order = found(order_selectors.customer_order_detail, number=number,
                  customer_id=request.user.pk)
    return render(request, TEMPLATES + "order_detail.html", order_context(order))


@require_http_methods(["GET", "POST"])
@limited("lookup")
def order_lookup(request: HttpRequest) -> HttpResponse:
    """A guest finds an order by its number and email; the answer is the order's page.
    A wrong number and a wrong email get the same message (the selector's)."""
    form = OrderLookupForm(request.POST or None)
    if form.is_valid():
        try:
            order = order_selectors.order_for_guest(**form.cleaned_data)
        except NotFound as problem:
            show_problem(form, problem)
        else:
            return render(request, TEMPLATES + "order_detail.html",
                          order_context(order) | {"guest": True})
    return render(request, TEMPLATES + "order_lookup.html", {"form": form})


def order_rows(page: order_selectors.OrderPage) -> list[dict[str, Any]]:
    """The rows of an order list, each payment state in words."""
    return [{"order": item.order, "item_count": item.item_count,
             "payment_label": order_payment_label(item.payment_state)}
            for item in page.items]


def order_context(order: Order) -> dict[str, Any]:
    """What the order page shows beside the order (read by an orders detail selector), and
    what the carrier reported of each parcel on its way."""
    order_selectors.with_tracking_events(order)
    addresses = {address.kind: address for address in order.addresses.all()}
    state = order_selectors.payment_state([payment.status for payment in order.payments])
    return {
        "order": order,
        "shipping_address": addresses.get(AddressKind.SHIPPING),
        "billing_address": addresses.get(AddressKind.BILLING),
        "payment_state": order_payment_label(state),
    }
