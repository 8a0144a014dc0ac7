"""Cart use cases: one transaction each; the cart row is locked before the cart or its lines
change (that lock also keeps concurrent coupon and delivery choices apart).

A coupon is checked by the pricing engine when entered (unknown, expired, used up, or not
applicable to this cart: a problem, and the cart is unchanged). Once in the cart it is kept
even if a later change to the lines makes it stop applying: the cart then says why on every
read, and the discount comes back as soon as the cart qualifies again. The shopper removes it
with remove_coupon. A chosen delivery method that stops being offered is kept and reported
the same way.
"""

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from mercato.cart.errors import (
    CartLineNotFound,
    CartNotFound,
    CouponNotInCart,
    DeliveryMethodNotOffered,
    InsufficientStock,
    NotSellable,
    TooManyCoupons,
    UnknownSku,
)
from mercato.cart.events import (
    EXPIRY_RUN_AGGREGATE_ID,
    CartConverted,
    CartExpired,
    CartMerged,
    CartsExpired,
)
from mercato.cart.models import Cart, CartLine
from mercato.cart.rules import (
    LineUpdate,
    checked_address,
    holds_code,
    insufficient_stock_detail,
    is_expired,
    merged_codes,
    merged_quantity,
    without_code,
)
from mercato.cart.selectors import (
    Offer,
    delivery_options_for,
    estimate_address_of,
    expiry_cutoff,
    lines_review,
    offer_for_sku,
    pricing_lines_of,
)
from mercato.cart.states import CART_TRANSITIONS, CartStatus
from mercato.catalog.models import VariantPrice
from mercato.core.events import SYSTEM, Actor, record
from mercato.core.problems import InvalidInput
from mercato.core.states import advance
from mercato.customers.models import User
from mercato.inventory.selectors import sellable_quantities, sellable_quantity
from mercato.pricing.selectors import coupons_for
from mercato.pricing.services import check_coupon

MAX_COUPONS = 5
PRICING_CHOICES = ["coupon_codes", "estimate_country", "estimate_region", "delivery_method"]


def create_cart(*, customer_id: int | None, currency: str) -> tuple[Cart, bool]:
    """Open a new anonymous cart, or return the customer's cart; True when it was created."""
    _check_currency(currency)
    with transaction.atomic():
        if customer_id is not None:
            existing = _lock_customer_cart(customer_id=customer_id)
            if existing is not None:
                return existing, False
        return _new_cart(customer_id=customer_id, currency=currency), True


def add_line(*, customer_id: int | None, token: str | None, sku: str, quantity: int) -> Cart:
    """Put `quantity` more of `sku` in the cart, opening a cart when there is none."""
    with transaction.atomic():
        cart = _lock_cart(customer_id=customer_id, token=token, create=True)
        offer = _sellable_offer(sku=sku, currency=cart.currency)
        line = cart.lines.filter(variant_id=offer.variant_id).first()
        wanted = quantity + (line.quantity if line else 0)
        _check_stock(offer=offer, quantity=wanted)
        if line is None:
            line = CartLine(cart=cart, variant_id=offer.variant_id)
        # The shopper added it at the price shown now, so that is the price they have seen.
        line.quantity, line.seen_unit_amount = wanted, offer.unit_amount
        line.save()
        _touch(cart)
        return cart


def change_line_quantity(*, customer_id: int | None, token: str | None, sku: str,
                         quantity: int) -> Cart:
    """Set the quantity of the cart's line for `sku`."""
    with transaction.atomic():
        cart = _lock_cart(customer_id=customer_id, token=token, create=False)
        line = _line_for_sku(cart=cart, sku=sku)
        _check_stock(offer=_sellable_offer(sku=sku, currency=cart.currency), quantity=quantity)
        line.quantity = quantity
        line.save(update_fields=["quantity"])
        _touch(cart)
        return cart


def remove_line(*, customer_id: int | None, token: str | None, sku: str) -> Cart:
    """Take the line for `sku` out of the cart."""
    with transaction.atomic():
        cart = _lock_cart(customer_id=customer_id, token=token, create=False)
        _line_for_sku(cart=cart, sku=sku).delete()
        _touch(cart)
        return cart


def merge_anonymous_cart(*, customer_id: int, token: str, by: Actor) -> Cart | None:
    """Bring the anonymous cart of `token` into the customer's cart (first request after login).

    Returns the customer's cart when something was merged; None when the token leads to no live
    anonymous cart (unknown, expired, converted, or already the customer's own cart).
    """
    with transaction.atomic():
        source = Cart.objects.select_for_update().filter(token=token).first()
        if source is None or source.customer_id == customer_id:
            return None
        if source.customer_id is not None:
            raise CartNotFound("There is no cart for this token.")
        if not _is_live(source):
            return None
        target = _lock_customer_cart(customer_id=customer_id)
        if target is None:
            return _adopt_cart(cart=source, customer_id=customer_id, by=by)
        line_count = _merge_lines(source=source, target=target)
        _merge_pricing_choices(source=source, target=target)
        merged_cart_id = str(source.pk)
        source.delete()
        target.save(update_fields=[*PRICING_CHOICES, "updated_at"])
        record(CartMerged(aggregate_id=str(target.pk), merged_cart_id=merged_cart_id,
                          line_count=line_count, adopted=False), by=by)
        return target


def apply_coupon(*, customer_id: int | None, token: str | None, code: str) -> Cart:
    """Add a coupon code to the cart if it applies to it now, else a problem saying why."""
    with transaction.atomic():
        cart = _lock_cart(customer_id=customer_id, token=token, create=False)
        coupon = check_coupon(
            code=code, currency=cart.currency, lines=pricing_lines_of(lines_review(cart=cart)),
            coupon_codes=cart.coupon_codes, address=estimate_address_of(cart),
            customer_id=cart.customer_id,
        )
        if holds_code(cart.coupon_codes, coupon.code):
            return cart
        if len(cart.coupon_codes) >= MAX_COUPONS:
            message = f"A cart holds at most {MAX_COUPONS} coupon codes: remove one first."
            raise TooManyCoupons(message, errors={"code": [message]})
        cart.coupon_codes = [*cart.coupon_codes, coupon.code]
        cart.save(update_fields=["coupon_codes", "updated_at"])
        return cart


def remove_coupon(*, customer_id: int | None, token: str | None, code: str) -> Cart:
    """Take a coupon code out of the cart (whatever its letter case)."""
    with transaction.atomic():
        cart = _lock_cart(customer_id=customer_id, token=token, create=False)
        if not holds_code(cart.coupon_codes, code):
            raise CouponNotInCart(f"The coupon code '{code}' is not in the cart.")
        cart.coupon_codes = without_code(cart.coupon_codes, code)
        # Removed on purpose: its promotion going away is no news to report.
        unlocked = {coupon.promotion_id for coupon in coupons_for([code])}
        cart.shown_promotion_ids = [p for p in cart.shown_promotion_ids if p not in unlocked]
        cart.save(update_fields=["coupon_codes", "shown_promotion_ids", "updated_at"])
        return cart


def choose_delivery(*, customer_id: int | None, token: str | None, country: str,
                    region: str = "", method: str | None = None) -> Cart:
    """Set where delivery and tax are estimated for and, optionally, the delivery method,
    which must be offered for that address and the cart as it is."""
    address = checked_address(country=country, region=region)
    method = (method or "").strip()
    with transaction.atomic():
        cart = _lock_cart(customer_id=customer_id, token=token, create=False)
        if method and method not in {o.code for o in delivery_options_for(cart=cart,
                                                                           address=address)}:
            message = (f"The delivery method '{method}' is not offered for {address.country} "
                       "and this cart: pick one from /cart/delivery-methods.")
            raise DeliveryMethodNotOffered(message, errors={"method": [message]})
        cart.estimate_country, cart.estimate_region = address.country, address.region
        cart.delivery_method = method
        cart.save(update_fields=["estimate_country", "estimate_region", "delivery_method",
                                 "updated_at"])
        return cart


def record_shown_changes(*, cart_id: int, cart_updated_at: datetime,
                         updates: Sequence[LineUpdate],
                         shown_promotion_ids: list[int] | None = None) -> None:
    """Store what the shopper was just shown (capped quantities, new prices, the promotions
    applied) so that each change is said once.

    Guarded writes: a line whose quantity changed meanwhile is left alone, and the promotions
    are stored only if the cart is still as it was read (`cart_updated_at`); what is skipped is
    re-checked on the next read.
    """
    if not updates and shown_promotion_ids is None:
        return
    with transaction.atomic():
        if updates:
            _store_line_updates(cart_id=cart_id, updates=updates)
        if shown_promotion_ids is not None:
            Cart.objects.filter(pk=cart_id, updated_at=cart_updated_at).update(
                shown_promotion_ids=shown_promotion_ids)


def _store_line_updates(*, cart_id: int, updates: Sequence[LineUpdate]) -> None:

    def shown(column: str) -> Case:
        field = CartLine._meta.get_field(column)
        return Case(
            *(When(Q(pk=update.line_id, quantity=update.quantity_was),
                   then=Value(getattr(update, column), output_field=field))
              for update in updates),
            default=F(column), output_field=field,
        )

    CartLine.objects.filter(cart_id=cart_id, pk__in=[u.line_id for u in updates]).update(
        quantity=shown("quantity"), seen_unit_amount=shown("seen_unit_amount"),
    )


def convert_cart(*, cart_id: int, order_number: str, by: Actor) -> Cart:
    """Lock the cart and mark it Converted into `order_number`. Checkout calls this first in
    its order transaction: of two completions of one cart, the second finds it converted."""
    with transaction.atomic():
        cart = Cart.objects.select_for_update().filter(pk=cart_id).first()
        if cart is None or not _is_live(cart):
            raise CartNotFound("This cart is no longer open: it was ordered or has expired.")
        advance(cart, CART_TRANSITIONS, "convert")
        cart.save(update_fields=["status", "updated_at"])
        record(CartConverted(aggregate_id=str(cart.pk), order_number=order_number), by=by)
    return cart


def expire_carts(*, now: datetime | None = None) -> int:
    """Mark every Active cart not updated within MERCATO_CART_TTL Expired; one event per run.

    A bulk UPDATE filtered on the `expire` move's source states: the transition table still decides.
    """
    move = CART_TRANSITIONS.moves["expire"]
    cutoff = expiry_cutoff(now)
    with transaction.atomic():
        count = Cart.objects.filter(status__in=move.source, updated_at__lt=cutoff).update(
            status=move.target
        )
        if count:
            record(CartsExpired(aggregate_id=EXPIRY_RUN_AGGREGATE_ID, count=count,
                                cutoff=cutoff.isoformat()))
    return count


# Building blocks of the use cases above; each runs inside the caller's transaction.

def _is_live(cart: Cart) -> bool:
    return cart.status == CartStatus.ACTIVE and not is_expired(
        updated_at=cart.updated_at, now=timezone.now(), ttl=settings.MERCATO_CART_TTL
    )


def _check_currency(currency: str) -> None:
    if currency not in settings.MERCATO_CURRENCIES:
        accepted = ", ".join(settings.MERCATO_CURRENCIES)
        message = f"{currency} is not accepted; use one of {accepted}."
        raise InvalidInput(message, errors={"currency": [message]})


def _new_cart(*, customer_id: int | None, currency: str) -> Cart:
    _check_currency(currency)
    return Cart.objects.create(customer_id=customer_id, currency=currency)


def _lock_customer_cart(*, customer_id: int) -> Cart | None:
    """Lock the customer's live cart; closes a stale one. The customer row is locked first so
    two first writes cannot both open a cart (one Active cart per customer)."""
    list(User.objects.select_for_update().filter(pk=customer_id).values_list("pk"))
    cart = (Cart.objects.select_for_update()
            .filter(customer_id=customer_id, status=CartStatus.ACTIVE).first())
    if cart is not None and not _is_live(cart):
        advance(cart, CART_TRANSITIONS, "expire")
        cart.save(update_fields=["status"])
        record(CartExpired(aggregate_id=str(cart.pk)), by=SYSTEM)
        return None
    return cart


def _lock_anonymous_cart(*, token: str | None) -> Cart | None:
    cart = Cart.objects.select_for_update().filter(token=token).first() if token else None
    if cart is not None and cart.customer_id is not None:
        raise CartNotFound("There is no cart for this token.")
    return cart if cart is not None and _is_live(cart) else None


def _lock_cart(*, customer_id: int | None, token: str | None, create: bool) -> Cart:
    """The cart the caller reaches, locked; opened if absent and `create`, else CartNotFound."""
    if customer_id is not None:
        cart = _lock_customer_cart(customer_id=customer_id)
    else:
        cart = _lock_anonymous_cart(token=token)
    if cart is not None:
        return cart
    if not create:
        raise CartNotFound("There is no cart: add a product to start one.")
    return _new_cart(customer_id=customer_id, currency=settings.MERCATO_DEFAULT_CURRENCY)


def _touch(cart: Cart) -> None:
    """A change to the lines is activity on the cart: it restarts the expiry clock."""
    cart.save(update_fields=["updated_at"])


def _sellable_offer(*, sku: str, currency: str) -> Offer:
    offer = offer_for_sku(sku=sku, currency=currency)
    if offer is None:
        message = f"There is no product with SKU {sku}."
        raise UnknownSku(message, errors={"sku": [message]})
    if not offer.is_published or offer.unit_amount is None:
        message = (f"{sku} has no price in {currency}." if offer.is_published
                   else f"{sku} is not for sale.")
        raise NotSellable(message, errors={"sku": [message]})
    return offer


def _check_stock(*, offer: Offer, quantity: int) -> None:
    available = sellable_quantity(variant_id=offer.variant_id)
    if quantity > available:
        raise InsufficientStock(
            insufficient_stock_detail(sku=offer.sku, available=available),
            sku=offer.sku, available=available, requested=quantity,
        )


def _line_for_sku(*, cart: Cart, sku: str) -> CartLine:
    line = cart.lines.filter(variant__sku=sku).first()
    if line is None:
        raise CartLineNotFound(f"{sku} is not in the cart.")
    return line


def _adopt_cart(*, cart: Cart, customer_id: int, by: Actor) -> Cart:
    """The customer had no cart: the anonymous one becomes theirs, as it is."""
    cart.customer_id = customer_id
    cart.save(update_fields=["customer", "updated_at"])
    record(CartMerged(aggregate_id=str(cart.pk), merged_cart_id=str(cart.pk),
                      line_count=cart.lines.count(), adopted=True), by=by)
    return cart


def _merge_lines(*, source: Cart, target: Cart) -> int:
    """Add the source lines to the target: quantities per SKU summed, capped by stock."""
    source_lines = list(source.lines.all())
    target_lines = {line.variant_id: line for line in target.lines.all()}
    variant_ids = [line.variant_id for line in source_lines]
    available = sellable_quantities(variant_ids=variant_ids)
    seen = _seen_amounts_for(target=target, source=source, lines=source_lines)
    updated, created = [], []
    for line in source_lines:
        existing = target_lines.get(line.variant_id)
        quantity = merged_quantity(existing=existing.quantity if existing else 0,
                                   added=line.quantity, available=available[line.variant_id])
        if existing is not None:
            existing.quantity = quantity
            updated.append(existing)
        elif line.variant_id in seen:
            created.append(CartLine(cart=target, variant_id=line.variant_id, quantity=quantity,
                                    seen_unit_amount=seen[line.variant_id]))
    CartLine.objects.bulk_update(updated, ["quantity"])
    CartLine.objects.bulk_create(created)
    return len(updated) + len(created)


def _merge_pricing_choices(*, source: Cart, target: Cart) -> None:
    """The customer's cart gains the anonymous cart's coupon codes, and its estimate address
    and delivery method when it has none of its own."""
    target.coupon_codes = merged_codes(target.coupon_codes, source.coupon_codes)[:MAX_COUPONS]
    if not target.estimate_country:
        target.estimate_country = source.estimate_country
        target.estimate_region = source.estimate_region
        target.delivery_method = source.delivery_method


def _seen_amounts_for(*, target: Cart, source: Cart, lines: list[CartLine]) -> dict:
    """The seen price each moved line keeps: its own in the same currency; across currencies the
    current price in the target's (a line with no price there is not moved)."""
    if source.currency == target.currency:
        return {line.variant_id: line.seen_unit_amount for line in lines}
    return dict(VariantPrice.objects.filter(
        variant_id__in=[line.variant_id for line in lines], currency=target.currency,
    ).values_list("variant_id", "amount"))
