"""Cart endpoints. The cart is found from the caller: a logged-in customer's own cart, else the
anonymous cart of the X-Cart-Token header or the cart cookie."""

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from mercato.cart import selectors, services
from mercato.cart.errors import (
    CartLineNotFound,
    CartNotFound,
    CountryNeeded,
    CouponNotInCart,
    DeliveryMethodNotOffered,
    InsufficientStock,
    InvalidCountry,
    NotSellable,
    TooManyCoupons,
    UnknownSku,
)
from mercato.cart.models import Cart
from mercato.cart.schemas import (
    CartCreateIn,
    CartOut,
    CouponIn,
    DeliveryIn,
    DeliveryMethodsOut,
    DeliveryMethodsQuery,
    LineAddIn,
    LineQuantityIn,
    cart_out,
    delivery_methods_out,
)
from mercato.core import throttle
from mercato.core.events import Actor
from mercato.core.openapi import NOT_AUTHENTICATED, PERMISSION_DENIED, TOO_MANY_REQUESTS, answers
from mercato.customers.auth import customer_from_request
from mercato.pricing.errors import CouponExpired, CouponNotApplicable, CouponUsedUp, UnknownCoupon

router = Router(tags=["cart"])

TOKEN_HEADER = "X-Cart-Token"
# The caller may be logged in: a bad bearer token is 401, a session write without CSRF 403.
CALLER = (NOT_AUTHENTICATED, PERMISSION_DENIED)


@dataclass(frozen=True)
class Caller:
    customer_id: int | None
    token: str | None  # only for anonymous callers: a customer reaches their cart by login


def caller_of(request: HttpRequest, response: HttpResponse) -> Caller:
    """Who is asking; a customer who still carries an anonymous cart gets it merged now."""
    customer = customer_from_request(request)
    cookie_name = settings.MERCATO_CART_COOKIE
    token = request.headers.get(TOKEN_HEADER) or request.COOKIES.get(cookie_name) or None
    if customer is None:
        return Caller(customer_id=None, token=token)
    if token:
        services.merge_anonymous_cart(customer_id=customer.pk, token=token,
                                      by=Actor("customer", customer.email))
    if cookie_name in request.COOKIES:
        response.delete_cookie(cookie_name, samesite="Lax")
    return Caller(customer_id=customer.pk, token=None)


def reply(cart: Cart, response: HttpResponse, *, wrote: bool) -> CartOut:
    """The cart re-validated; what it reports as changed is stored so it is said only once."""
    review = selectors.cart_review(cart=cart)
    services.record_shown_changes(cart_id=cart.pk, cart_updated_at=cart.updated_at,
                                  updates=review.updates,
                                  shown_promotion_ids=review.shown_promotion_ids)
    if wrote and cart.customer_id is None:
        response.set_cookie(
            settings.MERCATO_CART_COOKIE, cart.token,
            max_age=int(settings.MERCATO_CART_TTL.total_seconds()),
            httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
        )
    return cart_out(cart=cart, review=review)


@router.post("/carts", response={200: CartOut, 201: CartOut}, summary="Open a cart")
@answers(*CALLER)
def create_cart(request: HttpRequest, response: HttpResponse,
                payload: CartCreateIn | None = None) -> tuple[int, CartOut]:
    """A new anonymous cart (201), or the logged-in customer's cart (201 if new, else 200)."""
    caller = caller_of(request, response)
    currency = (payload.currency if payload else None) or settings.MERCATO_DEFAULT_CURRENCY
    cart, created = services.create_cart(customer_id=caller.customer_id,
                                         currency=currency.upper())
    return (201 if created else 200), reply(cart, response, wrote=True)


def existing_cart(caller: Caller) -> Cart:
    cart = selectors.current_cart(customer_id=caller.customer_id, token=caller.token)
    if cart is None:
        raise CartNotFound("There is no cart: add a product to start one.")
    return cart


@router.get("/cart", response=CartOut, summary="The current cart, re-validated and priced")
@answers(*CALLER, CartNotFound)
def get_cart(request: HttpRequest, response: HttpResponse) -> CartOut:
    return reply(existing_cart(caller_of(request, response)), response, wrote=False)


@router.post("/cart/lines", response={200: CartOut}, summary="Add a product to the cart")
@answers(*CALLER, UnknownSku, NotSellable, InsufficientStock)
def add_line(request: HttpRequest, response: HttpResponse, payload: LineAddIn) -> CartOut:
    caller = caller_of(request, response)
    cart = services.add_line(customer_id=caller.customer_id, token=caller.token,
                             sku=payload.sku, quantity=payload.quantity)
    return reply(cart, response, wrote=True)


@router.patch("/cart/lines/{sku}", response={200: CartOut}, summary="Set a line's quantity")
@answers(*CALLER, CartNotFound, CartLineNotFound, InsufficientStock)
def change_line_quantity(request: HttpRequest, response: HttpResponse, sku: str,
                         payload: LineQuantityIn) -> CartOut:
    caller = caller_of(request, response)
    cart = services.change_line_quantity(customer_id=caller.customer_id, token=caller.token,
                                         sku=sku, quantity=payload.quantity)
    return reply(cart, response, wrote=True)


@router.delete("/cart/lines/{sku}", response={200: CartOut}, summary="Remove a line")
@answers(*CALLER, CartNotFound, CartLineNotFound)
def remove_line(request: HttpRequest, response: HttpResponse, sku: str) -> CartOut:
    caller = caller_of(request, response)
    cart = services.remove_line(customer_id=caller.customer_id, token=caller.token, sku=sku)
    return reply(cart, response, wrote=True)


@router.post("/cart/coupons", response={200: CartOut}, summary="Apply a coupon code")
@answers(*CALLER, CartNotFound, UnknownCoupon, CouponExpired, CouponUsedUp,
         CouponNotApplicable, TooManyCoupons, TOO_MANY_REQUESTS)
def apply_coupon(request: HttpRequest, response: HttpResponse, payload: CouponIn) -> CartOut:
    """422 when the code is unknown, expired, used up or does not apply to this cart."""
    throttle.check("coupon", request)
    caller = caller_of(request, response)
    cart = services.apply_coupon(customer_id=caller.customer_id, token=caller.token,
                                 code=payload.code)
    return reply(cart, response, wrote=True)


@router.delete("/cart/coupons/{code}", response={200: CartOut}, summary="Remove a coupon code")
@answers(*CALLER, CartNotFound, CouponNotInCart)
def remove_coupon(request: HttpRequest, response: HttpResponse, code: str) -> CartOut:
    caller = caller_of(request, response)
    cart = services.remove_coupon(customer_id=caller.customer_id, token=caller.token, code=code)
    return reply(cart, response, wrote=True)


@router.put("/cart/delivery", response={200: CartOut},
            summary="Set the estimate address and the delivery method")
@answers(*CALLER, CartNotFound, InvalidCountry, DeliveryMethodNotOffered)
def choose_delivery(request: HttpRequest, response: HttpResponse, payload: DeliveryIn) -> CartOut:
    """Delivery and tax are then quoted for this address; a method not offered for it and the
    cart is refused (422) and nothing changes."""
    caller = caller_of(request, response)
    cart = services.choose_delivery(customer_id=caller.customer_id, token=caller.token,
                                    country=payload.country, region=payload.region,
                                    method=payload.method)
    return reply(cart, response, wrote=True)


@router.get("/cart/delivery-methods", response=DeliveryMethodsOut,
            summary="Delivery methods for an address and the current cart")
@answers(*CALLER, CartNotFound, CountryNeeded, InvalidCountry)
def delivery_methods(request: HttpRequest, response: HttpResponse,
                     query: Query[DeliveryMethodsQuery]) -> DeliveryMethodsOut:
    """Without a country, for the cart's estimate address (422 if it has none)."""
    cart = existing_cart(caller_of(request, response))
    address, options = selectors.delivery_options_at(cart=cart, country=query.country,
                                                     region=query.region)
    return delivery_methods_out(address, options)
