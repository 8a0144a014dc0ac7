"""Cart pages: the cart re-validated as the API shows it (cart.api.reply), quantity changes,
removal and coupons. With htmx the lines part is swapped in place; without JavaScript each
form is a normal POST and a redirect back to the cart."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from mercato.cart import services
from mercato.cart.api import Caller, caller_of, existing_cart, reply
from mercato.cart.models import Cart
from mercato.cart.rules import IssueCode
from mercato.cart.schemas import CartOut
from mercato.cart.selectors import current_cart
from mercato.core.problems import Problem
from mercato.storefront.forms_shop import AddToCartForm, CouponForm, LineForm
from mercato.storefront.views.limits import limited

CART_URL = "/cart/"
NOT_BOUGHT_CODES = {IssueCode.OUT_OF_STOCK, IssueCode.UNAVAILABLE}


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def shopper(request: HttpRequest) -> tuple[Caller, HttpResponse]:
    """Who shops, and a scratch response holding the cart cookie changes to pass on."""
    cookies = HttpResponse()
    return caller_of(request, cookies), cookies


def with_cookies(response: HttpResponse, cookies: HttpResponse) -> HttpResponse:
    response.cookies.update(cookies.cookies)
    return response


def not_bought(view: CartOut) -> list[str]:
    """Why each line that is not counted (sold out, no longer sold) will not be bought: the
    cart review's own message for it."""
    return [next((issue.message for issue in line.issues if issue.code in NOT_BOUGHT_CODES),
                 f"{line.label} cannot be bought now.")
            for line in view.lines if not line.is_counted]


def cart_context(cart: Cart | None, cookies: HttpResponse, *, wrote: bool) -> dict[str, object]:
    """The cart as the API's cart review gives it (its messages said once), or no cart; which
    lines will not be bought, and whether anything can be (no "Checkout" otherwise)."""
    view: CartOut | None = reply(cart, cookies, wrote=wrote) if cart is not None else None
    if view is None:
        return {"cart": None, "coupon_form": CouponForm()}
    reasons = not_bought(view)
    return {"cart": view, "coupon_form": CouponForm(), "not_bought": reasons,
            "can_check_out": any(line.is_counted for line in view.lines),
            "changes": [text for text in view.messages if text not in reasons]}


@require_GET
def cart_page(request: HttpRequest) -> HttpResponse:
    caller, cookies = shopper(request)
    cart = current_cart(customer_id=caller.customer_id, token=caller.token)
    context = cart_context(cart, cookies, wrote=False)
    return with_cookies(render(request, "storefront/cart/page.html", context), cookies)


def cart_change(request: HttpRequest, change: Callable[[Caller], Cart]) -> HttpResponse:
    """Run a cart service for the shopper; its problem becomes a message. htmx gets the lines
    part back, a plain form a redirect to the cart."""
    caller, cookies = shopper(request)
    try:
        cart: Cart | None = change(caller)
    except Problem as problem:
        messages.error(request, problem.detail)
        cart = current_cart(customer_id=caller.customer_id, token=caller.token)
    if not is_htmx(request):
        return with_cookies(redirect(CART_URL), cookies)
    context = cart_context(cart, cookies, wrote=cart is not None) | {"in_place": True}
    return with_cookies(render(request, "storefront/cart/_lines.html", context), cookies)


@require_POST
def add_to_cart(request: HttpRequest) -> HttpResponse:
    """From a product page: add, then back to where the shopper was (or the cart)."""
    form = AddToCartForm(request.POST)
    back = request.POST.get("next") or request.headers.get("Referer") or CART_URL
    if not url_has_allowed_host_and_scheme(back, {request.get_host()},
                                           require_https=request.is_secure()):
        back = CART_URL
    caller, cookies = shopper(request)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return with_cookies(redirect(back), cookies)
    try:
        cart = services.add_line(customer_id=caller.customer_id, token=caller.token,
                                 sku=form.cleaned_data["sku"],
                                 quantity=form.cleaned_data["quantity"])
    except Problem as problem:
        messages.error(request, problem.detail)
        return with_cookies(redirect(back), cookies)
    reply(cart, cookies, wrote=True)
    messages.success(request, "Added to your cart.")
    return with_cookies(redirect(back), cookies)


@require_POST
def change_line(request: HttpRequest, sku: str) -> HttpResponse:
    form = LineForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a quantity from 0 to 9999.")
        return redirect(CART_URL)
    quantity = form.cleaned_data["quantity"]
    if form.cleaned_data["remove"] or quantity == 0:
        return cart_change(request, lambda caller: services.remove_line(
            customer_id=caller.customer_id, token=caller.token, sku=sku))
    if quantity is None:
        return redirect(CART_URL)
    return cart_change(request, lambda caller: services.change_line_quantity(
        customer_id=caller.customer_id, token=caller.token, sku=sku, quantity=quantity))


@require_POST
@limited("coupon")
def coupon(request: HttpRequest) -> HttpResponse:
    form = CouponForm(request.POST)
    form.is_valid()
    code, remove = form.cleaned_data.get("code", ""), form.cleaned_data.get("remove", "")
    if remove:
        return cart_change(request, lambda caller: services.remove_coupon(
            customer_id=caller.customer_id, token=caller.token, code=remove))
    if not code:
        messages.error(request, "Enter a coupon code.")
        return cart_change(request, existing_cart)
    return cart_change(request, lambda caller: services.apply_coupon(
        customer_id=caller.customer_id, token=caller.token, code=code))
