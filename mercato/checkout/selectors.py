"""Reads of checkout: the cart priced for a checkout request (addresses checked, shipments
split, a delivery fee per shipment), and what changed since the shopper last saw the cart.

The same function prices the preview the shopper reviews and the completion that places the
order, so both always agree.
"""

from dataclasses import dataclass, replace

from mercato.cart.models import Cart
from mercato.cart.rules import CartReview, IssueCode, quote_messages
from mercato.cart.selectors import current_cart, lines_review, pricing_lines_of
from mercato.checkout.errors import CartChanged, DeliveryNotAvailable, EmailNeeded, EmptyCart
from mercato.checkout.models import CheckoutAttempt
from mercato.checkout.rules import (
    AddressChoice,
    CheckoutRequest,
    split_lines,
    tax_destination,
)
from mercato.core.problems import InvalidInput, Problem
from mercato.customers.models import User
from mercato.customers.rules import ADDRESS_FIELDS, validate_address
from mercato.customers.selectors import address_for_customer
from mercato.inventory.errors import OutOfStock
from mercato.pricing.rules import (
    DeliveryOption,
    MessageCode,
    PricingLine,
    Quote,
    ShipmentRequest,
)
from mercato.pricing.selectors import delivery_methods_for, quote_for_lines

ShipmentOptions = list[DeliveryOption]

# Quote messages that mean the cart changed under the shopper (coupons, promotions).
CHANGE_CODES = {
    MessageCode.COUPON_UNKNOWN, MessageCode.COUPON_EXPIRED, MessageCode.COUPON_USED_UP,
    MessageCode.COUPON_NOT_APPLICABLE, MessageCode.PROMOTION_NO_LONGER_APPLIES,
}


@dataclass(frozen=True)
class CheckedCheckout:
    """The request checked against the cart, before pricing."""

    email: str
    billing_address: dict[str, str]
    shipment_addresses: list[dict[str, str]]
    quantities: list[tuple[tuple[int, int], ...]]  # per shipment: (quote line index, quantity)
    review: CartReview


@dataclass(frozen=True)
class PricedCheckout(CheckedCheckout):
    quote: Quote
    pricing_lines: list[PricingLine]

    @property
    def changes(self) -> list[str]:
        """What changed since the shopper last saw the cart (stock aside)."""
        return [*line_changes(self.review), *quote_changes(self.quote)]


def shortages(review: CartReview) -> list[tuple[str, int, int]]:
    """(sku, quantity in the cart, available) of sellable lines the stock cannot fill."""
    return [(line.facts.sku, line.facts.quantity, max(line.facts.available, 0))
            for line in review.lines
            if line.facts.is_published and line.facts.current_unit_price is not None
            and line.facts.quantity > line.facts.available]


def line_changes(review: CartReview) -> list[str]:
    """Prices changed and lines no longer sold since the shopper last saw the cart."""
    return [issue.message for line in review.lines for issue in line.issues
            if issue.code in (IssueCode.PRICE_CHANGED, IssueCode.UNAVAILABLE)]


def quote_changes(quote: Quote) -> list[str]:
    return quote_messages([m for m in quote.messages if m.code in CHANGE_CODES])


def check_checkout(*, cart: Cart, customer: User | None, request: CheckoutRequest,
                   strict: bool = False) -> CheckedCheckout:
    """The request checked against the cart (two queries, and one per saved address):
    InvalidInput problems (with field errors) for a missing email, bad addresses or shipments
    that don't match the cart. `strict` (completion): short stock is OutOfStock and a price or
    availability change since the shopper last saw the cart is CartChanged, before the rest."""
    review = lines_review(cart=cart)
    if strict:
        _check_unchanged(review)
    counted = [line for line in review.lines if line.is_counted]
    if not counted:
        raise EmptyCart("The cart is empty: add a product before checking out.")
    email = _email(request, customer)
    billing, shipping = _addresses(request, customer)
    quantities = split_lines([(line.facts.sku, line.quantity) for line in counted],
                             request.shipments)
    tax_destination(shipping)
    return CheckedCheckout(email=email, billing_address=billing, shipment_addresses=shipping,
                           quantities=quantities, review=review)


def price_checkout(*, cart: Cart, customer: User | None, request: CheckoutRequest,
                   strict: bool = False) -> PricedCheckout:
    """The checked request priced: a delivery fee per shipment, tax for the destination,
    totals; DeliveryNotAvailable for a method a shipment cannot use. `strict` (completion):
    a coupon or promotion that stopped applying is CartChanged too."""
    checked = check_checkout(cart=cart, customer=customer, request=request, strict=strict)
    shipments = [ShipmentRequest(address=tax_destination([address]),
                                 delivery_method=choice.delivery_method, quantities=plan)
                 for address, choice, plan in zip(checked.shipment_addresses, request.shipments,
                                                  checked.quantities, strict=True)]
    lines = pricing_lines_of(checked.review)
    quote = quote_for_lines(
        currency=cart.currency, lines=lines,
        address=tax_destination(checked.shipment_addresses), shipments=shipments,
        coupon_codes=cart.coupon_codes, customer_id=cart.customer_id,
        previously_applied_promotion_ids=cart.shown_promotion_ids,
    )
    _check_deliveries(quote)
    if strict and (changed := quote_changes(quote)):
        raise CartChanged(" ".join(changed), errors={"cart": changed})
    return PricedCheckout(**vars(checked), quote=quote, pricing_lines=lines)


def cart_for_completion(*, customer_id: int | None, token: str | None,
                        idempotency_key: str) -> Cart | None:
    """The caller's live cart, or, for a retry of a completion, the cart that key ordered
    (converted by then) so the retry gets its order back."""
    attempt = (CheckoutAttempt.objects.select_related("cart")
               .filter(idempotency_key=idempotency_key.strip()).first())
    cart = attempt.cart if attempt is not None else None
    if cart is not None and (cart.customer_id == customer_id if customer_id is not None
                             else cart.customer_id is None and cart.token == token):
        return cart
    return current_cart(customer_id=customer_id, token=token)


def shipment_options(*, cart: Cart, checked: CheckedCheckout) -> list[ShipmentOptions]:
    """The delivery methods each shipment could use, with the fee for its own goods (before a
    method is chosen: a checked request is enough)."""
    lines = (checked.pricing_lines if isinstance(checked, PricedCheckout)
             else pricing_lines_of(checked.review))
    return [
        delivery_methods_for(
            currency=cart.currency, address=tax_destination([address]),
            lines=[replace(lines[index], quantity=quantity) for index, quantity in quantities],
            coupon_codes=cart.coupon_codes, customer_id=cart.customer_id)
        for address, quantities in zip(checked.shipment_addresses, checked.quantities,
                                       strict=True)
    ]


def _check_unchanged(review: CartReview) -> None:
    short = shortages(review)
    if short:
        raise OutOfStock.for_shortages(short)
    changed = line_changes(review)
    if changed:
        raise CartChanged(" ".join(changed), errors={"cart": changed})


def _email(request: CheckoutRequest, customer: User | None) -> str:
    email = request.email.strip() or (customer.email if customer else "")
    if not email:
        message = "Give the email address the order confirmation goes to."
        raise EmailNeeded(message, errors={"email": [message]})
    return email


def _addresses(request: CheckoutRequest,
               customer: User | None) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Billing and each shipment's address, checked for their country; every field error of
    every address in one problem."""
    errors: dict[str, list[str]] = {}
    billing = _address(request.billing_address, customer, "billing_address", errors)
    shipping = [_address(shipment.address, customer, f"shipments.{n}.address", errors)
                for n, shipment in enumerate(request.shipments)]
    if errors:
        raise InvalidInput("Please correct the addresses.", errors=errors)
    return billing, shipping


def _address(choice: AddressChoice, customer: User | None, where: str,
             errors: dict[str, list[str]]) -> dict[str, str]:
    try:
        if choice.address_id:
            if customer is None:
                raise InvalidInput("Log in to use a saved address.",
                                   errors={"address_id": ["Log in to use a saved address."]})
            saved = address_for_customer(customer=customer, public_id=choice.address_id)
            return {name: str(getattr(saved, name) or "") for name in ADDRESS_FIELDS}
        return validate_address(dict(choice.fields))
    except Problem as problem:
        for name, messages in (problem.errors or {"address_id": [problem.detail]}).items():
            errors[f"{where}.{name}"] = messages
        return {}


def _check_deliveries(quote: Quote) -> None:
    missing = [n for n, delivery in enumerate(quote.shipment_deliveries) if delivery is None]
    if missing:
        texts = [m.text for m in quote.messages
                 if m.code == MessageCode.DELIVERY_METHOD_UNAVAILABLE]
        errors = {f"shipments.{n}.delivery_method": ["This delivery method is not available "
                                                     "for this address."] for n in missing}
        raise DeliveryNotAvailable(" ".join(texts), errors=errors)
