"""Reads of carts: which cart a request reaches, and the cart re-validated for display."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from mercato.cart.models import Cart, CartLine
from mercato.cart.rules import CartReview, LineFacts, line_label, review_cart
from mercato.cart.states import CartStatus
from mercato.catalog.models import ProductVariant, VariantPrice
from mercato.core.money import to_money
from mercato.inventory.selectors import available_quantities


@dataclass(frozen=True)
class Offer:
    """A variant as the cart sees it: can it be bought, and at what unit price."""

    variant_id: int
    sku: str
    label: str
    is_published: bool
    unit_amount: Decimal | None  # in the requested currency; None when it has no price there


def expiry_cutoff(now: datetime | None = None) -> datetime:
    """Carts not updated since this moment are expired."""
    return (now or timezone.now()) - settings.MERCATO_CART_TTL


def live_carts() -> QuerySet[Cart]:
    """Active carts updated within MERCATO_CART_TTL: an older cart is treated as absent."""
    return Cart.objects.filter(status=CartStatus.ACTIVE, updated_at__gte=expiry_cutoff())


def current_cart(*, customer_id: int | None, token: str | None) -> Cart | None:
    """The customer's cart, or the anonymous cart of `token` (never a customer's cart)."""
    if customer_id is not None:
        return live_carts().filter(customer_id=customer_id).first()
    if not token:
        return None
    return live_carts().filter(token=token, customer__isnull=True).first()


def price_in(currency: str, *, variant: str) -> Subquery:
    """The price amount in `currency` of the variant the outer query names `variant`."""
    prices = VariantPrice.objects.filter(variant_id=OuterRef(variant), currency=currency)
    return Subquery(prices.values("amount")[:1])


def offer_for_sku(*, sku: str, currency: str) -> Offer | None:
    variant = (
        ProductVariant.objects.select_related("product")
        .filter(sku=sku)
        .annotate(unit_amount=price_in(currency, variant="pk"))
        .first()
    )
    if variant is None:
        return None
    return Offer(
        variant_id=variant.pk, sku=variant.sku,
        label=line_label(title=variant.product.title, variant_name=variant.name),
        is_published=variant.product.is_published, unit_amount=variant.unit_amount,
    )


def lines_with_prices(*, cart: Cart) -> list[CartLine]:
    """The cart's lines with variant, product and `unit_amount` (current price), one query."""
    return list(
        CartLine.objects.filter(cart_id=cart.pk)
        .select_related("variant__product")
        .annotate(unit_amount=price_in(cart.currency, variant="variant_id"))
        .order_by("id")
    )


def line_facts(*, line: CartLine, currency: str, available: int) -> LineFacts:
    variant = line.variant
    current = line.unit_amount
    return LineFacts(
        line_id=line.pk, sku=variant.sku,
        label=line_label(title=variant.product.title, variant_name=variant.name),
        quantity=line.quantity,
        seen_unit_price=to_money(line.seen_unit_amount, currency),
        current_unit_price=None if current is None else to_money(current, currency),
        available=available, is_published=variant.product.is_published,
    )


def cart_review(*, cart: Cart) -> CartReview:
    """The cart checked against current prices, publication and stock: two queries."""
    lines = lines_with_prices(cart=cart)
    available = available_quantities(variant_ids=[line.variant_id for line in lines])
    facts = [
        line_facts(line=line, currency=cart.currency, available=available[line.variant_id])
        for line in lines
    ]
    return review_cart(currency=cart.currency, lines=facts)
