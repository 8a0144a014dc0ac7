"""Reads of carts: which cart a request reaches, and the cart re-validated and priced for
display.

Every read prices the cart with the pricing engine (pricing.selectors.quote_for_lines, the one
checkout and orders use too): active promotions apply on every read, so one that ended since
the shopper last looked no longer applies and the cart says so once. The number of queries of
a read does not grow with the number of lines or promotions.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from mercato.cart.errors import CountryNeeded
from mercato.cart.models import Cart, CartLine
from mercato.cart.rules import (
    CartReview,
    LineFacts,
    PricedCart,
    checked_address,
    estimate_address,
    line_label,
    price_cart,
    pricing_items,
    review_cart,
)
from mercato.cart.states import CartStatus
from mercato.catalog.models import ProductVariant, VariantPrice
from mercato.catalog.rules import subtree_of
from mercato.catalog.selectors import category_parents
from mercato.core.money import to_money
from mercato.inventory.selectors import BACKORDER_QUANTITY, available_quantities
from mercato.pricing.models import Promotion
from mercato.pricing.rules import Address, DeliveryOption, PricingLine, PromotionScope
from mercato.pricing.rules.preview import PreviewCart
from mercato.pricing.selectors import delivery_methods_for, pricing_lines_for, quote_for_lines


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
        line_id=line.pk, variant_id=variant.pk, sku=variant.sku,
        label=line_label(title=variant.product.title, variant_name=variant.name),
        quantity=line.quantity,
        seen_unit_price=to_money(line.seen_unit_amount, currency),
        current_unit_price=None if current is None else to_money(current, currency),
        available=available, is_published=variant.product.is_published,
    )


def lines_review(*, cart: Cart) -> CartReview:
    """The cart's lines checked against current prices, publication and stock (a variant that
    allows backorders is never short): two queries."""
    lines = lines_with_prices(cart=cart)
    available = available_quantities(variant_ids=[line.variant_id for line in lines])
    facts = [
        line_facts(line=line, currency=cart.currency,
                   available=BACKORDER_QUANTITY if line.variant.allow_backorder
                   else available[line.variant_id])
        for line in lines
    ]
    return review_cart(currency=cart.currency, lines=facts)


def estimate_address_of(cart: Cart) -> Address | None:
    return estimate_address(country=cart.estimate_country, region=cart.estimate_region)


def pricing_lines_of(review: CartReview) -> list[PricingLine]:
    """The counted lines as the pricing engine sees them: two queries."""
    return pricing_lines_for(items=pricing_items(review))


def cart_review(*, cart: Cart) -> PricedCart:
    """The cart re-validated and priced now (promotions, coupons, delivery, tax): a bounded
    number of queries, whatever the number of lines and promotions."""
    review = lines_review(cart=cart)
    quote = quote_for_lines(
        currency=cart.currency, lines=pricing_lines_of(review),
        address=estimate_address_of(cart), delivery_method=cart.delivery_method or None,
        coupon_codes=cart.coupon_codes, customer_id=cart.customer_id,
        previously_applied_promotion_ids=cart.shown_promotion_ids,
    )
    return price_cart(review=review, quote=quote, shown_promotion_ids=cart.shown_promotion_ids)


def delivery_options_for(*, cart: Cart, address: Address) -> list[DeliveryOption]:
    """The delivery methods offered for `address` and the cart's counted lines, with fees."""
    return delivery_methods_for(
        currency=cart.currency, address=address,
        lines=pricing_lines_of(lines_review(cart=cart)), coupon_codes=cart.coupon_codes,
        customer_id=cart.customer_id,
    )


def delivery_options_at(*, cart: Cart, country: str = "",
                        region: str = "") -> tuple[Address, list[DeliveryOption]]:
    """The delivery methods for the given country (and region), else for the cart's estimate
    address; CountryNeeded when there is neither."""
    if country.strip():
        address = checked_address(country=country, region=region)
    else:
        address = estimate_address_of(cart)
    if address is None:
        message = "Give a country (ISO 3166-1 alpha-2 code such as DE) to see delivery methods."
        raise CountryNeeded(message, errors={"country": [message]})
    return address, delivery_options_for(cart=cart, address=address)


# The back office's "carts a promotion would affect now": what SQL can rule out first.

def promotion_targets(promotion: Promotion) -> Q | None:
    """The cart lines a promotion can touch, as a filter; None: any line (order-wide)."""
    if promotion.scope == PromotionScope.PRODUCTS:
        products = Promotion.products.through.objects.filter(promotion_id=promotion.pk)
        return Q(variant__product_id__in=products.values("product_id"))
    if promotion.scope == PromotionScope.CATEGORIES:
        chosen = list(promotion.categories.values_list("pk", flat=True))
        parents = category_parents()
        covered = set().union(*(subtree_of(pk, parents) for pk in chosen))
        return Q(variant__product__category_id__in=covered)
    return None


def carts_a_promotion_may_affect(promotion: Promotion) -> QuerySet[Cart]:
    """Live carts holding a line the promotion targets (in its currency, if it has one),
    the most recently updated first: what the SQL can rule out, the engine is not asked."""
    lines = CartLine.objects.filter(cart_id=OuterRef("pk"))
    targets = promotion_targets(promotion)
    if targets is not None:
        lines = lines.filter(targets)
    carts = live_carts().filter(Exists(lines))
    if promotion.currency:
        carts = carts.filter(currency=promotion.currency)
    return carts.select_related("customer").order_by("-updated_at", "-pk")


def preview_carts(carts: Sequence[Cart]) -> list[PreviewCart]:
    """The carts' lines at today's prices in each cart's currency, one query; lines the cart
    would not count (unpublished, no price in its currency) are left out."""
    price = VariantPrice.objects.filter(variant_id=OuterRef("variant_id"),
                                        currency=OuterRef("cart__currency"))
    rows = (CartLine.objects.filter(cart_id__in=[cart.pk for cart in carts],
                                    variant__product__is_published=True)
            .annotate(unit_amount=Subquery(price.values("amount")[:1]))
            .order_by("cart_id", "pk")
            .values_list("cart_id", "variant_id", "quantity", "unit_amount", "cart__currency"))
    items: dict[int, list] = defaultdict(list)
    for cart_id, variant_id, quantity, amount, currency in rows:
        if amount is not None:
            items[cart_id].append((variant_id, quantity, to_money(amount, currency)))
    return [PreviewCart(key=cart.pk, currency=cart.currency, customer_id=cart.customer_id,
                        items=tuple(items[cart.pk])) for cart in carts]
