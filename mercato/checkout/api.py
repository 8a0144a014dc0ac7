"""Checkout endpoints: price a checkout for review, then complete it into an order.

The cart is the caller's, found as the cart endpoints find it (customer login, else the
X-Cart-Token header or the cart cookie).
"""

from django.http import HttpRequest, HttpResponse
from ninja import Header, Router

from mercato.cart.api import CALLER, caller_of, existing_cart
from mercato.cart.errors import CartNotFound
from mercato.checkout import selectors, services
from mercato.checkout.errors import (
    CartChanged,
    CheckoutAbandoned,
    CheckoutInProgress,
    DeliveryNotAvailable,
    EmailNeeded,
    EmptyCart,
    IdempotencyKeyNeeded,
    IdempotencyKeyReused,
    InvalidPayments,
    InvalidShipments,
    PaymentActionRequired,
    PaymentDeclined,
)
from mercato.checkout.schemas import (
    CheckoutIn,
    CheckoutQuoteIn,
    CheckoutQuoteOut,
    checkout_quote_out,
)
from mercato.checkout.services import MAX_KEY_LENGTH
from mercato.core.events import Actor
from mercato.core.openapi import answers
from mercato.core.schema_types import NOT_BLANK_SCHEMA
from mercato.customers.auth import customer_from_request
from mercato.customers.models import User
from mercato.inventory.errors import OutOfStock
from mercato.orders.schemas import OrderOut, order_out
from mercato.payments.errors import GiftCardInsufficientBalance, GiftCardNotFound, GiftCardUnusable

router = Router(tags=["checkout"])


def actor_of(customer: User | None) -> Actor:
    return Actor("customer", customer.email) if customer else Actor("guest")


@router.post("/checkout/quote", response=CheckoutQuoteOut,
             summary="Price the cart for these addresses, shipments and delivery methods")
@answers(*CALLER, CartNotFound, EmptyCart, InvalidShipments, EmailNeeded,
         DeliveryNotAvailable)
def quote_checkout(request: HttpRequest, response: HttpResponse,
                   payload: CheckoutQuoteIn) -> CheckoutQuoteOut:
    """What the order would cost: per-shipment delivery fees and the methods each shipment
    could use, tax for the destination, totals. Nothing is reserved or charged. `messages` and
    `out_of_stock` list what would stop completion."""
    cart = existing_cart(caller_of(request, response))
    customer = customer_from_request(request)
    priced = selectors.price_checkout(cart=cart, customer=customer, request=payload.request())
    return checkout_quote_out(priced, selectors.shipment_options(cart=cart, checked=priced))


@router.post("/checkout/complete", response={200: OrderOut, 201: OrderOut},
             summary="Place the order: allocate stock, take payment, number it")
@answers(*CALLER, CartNotFound, EmptyCart, InvalidShipments, InvalidPayments,
         EmailNeeded, DeliveryNotAvailable, IdempotencyKeyNeeded, IdempotencyKeyReused,
         OutOfStock, CartChanged, CheckoutInProgress, CheckoutAbandoned, PaymentDeclined,
         PaymentActionRequired, GiftCardNotFound, GiftCardUnusable,
         GiftCardInsufficientBalance)
def complete_checkout(request: HttpRequest, response: HttpResponse, payload: CheckoutIn,
                      idempotency_key: str = Header(
                          alias="Idempotency-Key", min_length=1, max_length=MAX_KEY_LENGTH,
                          pattern=NOT_BLANK_SCHEMA["pattern"],
                          description="A new key per order (e.g. a UUID), the same for a retry.")
                      ) -> tuple[int, OrderOut]:
    """Send a new `Idempotency-Key` (e.g. a UUID) per order and the same key when retrying:
    a retry returns the order already placed (200) and never charges twice. Errors:
    409 out-of-stock / checkout-cart-changed / checkout-in-progress, 402 payment-declined /
    payment-action-required (confirm at `action_url`, then retry with the same key), 422 for
    invalid input or a key reused for another request."""
    caller = caller_of(request, response)
    cart = selectors.cart_for_completion(customer_id=caller.customer_id, token=caller.token,
                                         idempotency_key=idempotency_key)
    if cart is None:
        raise CartNotFound("There is no cart: add a product to start one.")
    customer = customer_from_request(request)
    completion = services.complete_checkout(
        cart=cart, customer=customer, request=payload.request(),
        idempotency_key=idempotency_key, by=actor_of(customer))
    return (201 if completion.created else 200), order_out(completion.order)
