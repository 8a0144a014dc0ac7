"""Order Management > Carts: a read-only view of shoppers' carts (status moves only by services).

The whole token is never shown: it is the key of an anonymous cart.

"Carts a promotion would affect now" (linked from each promotion): the live carts (Active,
updated within MERCATO_CART_TTL) that hold a line the promotion targets, each priced by the
pricing engine as if the promotion were running now (its dates, switch and coupon ignored).
At most `promotion_preview_limit` carts, the most recently updated, are checked per page, in a
bounded number of queries.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    DecimalField,
    F,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.timesince import timesince

from mercato.cart.models import Cart, CartLine
from mercato.cart.selectors import carts_a_promotion_may_affect, expiry_cutoff, preview_carts
from mercato.cart.states import CartStatus
from mercato.core.admin import AmountBandFilter, ViewOnlyAdmin, money_display
from mercato.core.money import Money, money_sum
from mercato.pricing.models import Promotion
from mercato.pricing.rules import PromotionKind
from mercato.pricing.rules.preview import PromotionEffect, promotion_effect
from mercato.pricing.selectors import quotes_with_promotion_running

TOKEN_PREFIX_LENGTH = 8
AMOUNT = DecimalField(max_digits=20, decimal_places=4)


def token_prefix(token: str) -> str:
    return f"{token[:TOKEN_PREFIX_LENGTH]}…"


class CartAgeFilter(admin.SimpleListFilter):
    """How long since the cart last changed (what expiry counts from)."""

    title = "age (since last update)"
    parameter_name = "age"
    buckets = {
        "lt1": (None, timedelta(days=1)),
        "1-7": (timedelta(days=1), timedelta(days=7)),
        "7-30": (timedelta(days=7), timedelta(days=30)),
        "gt30": (timedelta(days=30), None),
    }

    def lookups(self, request, model_admin):
        return (("lt1", "< 1 day"), ("1-7", "1-7 days"), ("7-30", "7-30 days"),
                ("gt30", "> 30 days"))

    def queryset(self, request, queryset):
        if self.value() not in self.buckets:
            return queryset
        youngest, oldest = self.buckets[self.value()]
        now = timezone.now()
        if youngest is not None:
            queryset = queryset.filter(updated_at__lte=now - youngest)
        if oldest is not None:
            queryset = queryset.filter(updated_at__gt=now - oldest)
        return queryset


class CartValueFilter(AmountBandFilter):
    """Value of the lines at the prices the shopper saw, in the cart's own currency."""

    title = "value"
    parameter_name = "value"
    field = "value"


class CartLineInline(admin.TabularInline):
    model = CartLine
    fields = ("sku", "product_title", "quantity", "seen_unit_price", "line_total", "added_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("variant__product")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="SKU")
    def sku(self, line: CartLine) -> str:
        return line.variant.sku

    @admin.display(description="Product")
    def product_title(self, line: CartLine) -> str:
        return line.variant.product.title

    @admin.display(description="Seen unit price")
    def seen_unit_price(self, line: CartLine) -> str:
        return money_display(line.seen_unit_amount, line.cart.currency)

    @admin.display(description="Line total")
    def line_total(self, line: CartLine) -> str:
        return money_display(line.quantity * line.seen_unit_amount, line.cart.currency)


def shown(money: Money) -> str:
    return money_display(money.amount, money.currency.code)


@dataclass(frozen=True)
class AffectedCart:
    """A row of the "carts a promotion would affect" page."""

    cart: Cart
    effect: PromotionEffect

    @property
    def token(self) -> str:
        return token_prefix(self.cart.token)

    @property
    def customer(self) -> str:
        return self.cart.customer.email if self.cart.customer_id else "anonymous"

    @property
    def items(self) -> int:
        return sum(line.quantity for line in self.effect.quote.lines)

    @property
    def subtotal(self) -> str:
        return shown(self.effect.quote.subtotal)

    @property
    def discount(self) -> str:
        return shown(self.effect.discount)

    @property
    def total(self) -> str:
        return shown(self.effect.quote.total)


def discount_totals(rows: Sequence[AffectedCart]) -> list[str]:
    """The discounts of the affected carts summed per currency."""
    currencies = sorted({row.cart.currency for row in rows})
    return [shown(money_sum((row.effect.discount for row in rows
                             if row.cart.currency == currency), currency))
            for currency in currencies]


@admin.register(Cart)
class CartAdmin(ViewOnlyAdmin):
    list_display = ("cart_token", "customer_label", "status_label", "line_count", "item_count",
                    "value_display", "currency", "age", "created_at", "updated_at")
    list_filter = ("status", CartAgeFilter, CartValueFilter, "currency")
    list_select_related = ("customer",)
    search_fields = ("customer__email", "^token")
    ordering = ("-updated_at", "-id")
    fields = ("cart_token", "customer", "status_label", "currency", "line_count", "item_count",
              "value_display", "age", "created_at", "updated_at")
    readonly_fields = fields
    inlines = (CartLineInline,)
    promotion_preview_limit = 200

    def get_urls(self) -> list[URLPattern]:
        opts = self.model._meta
        preview = path("affected-by-promotion/<int:promotion_id>/",
                       self.admin_site.admin_view(self.affected_by_promotion_view),
                       name=f"{opts.app_label}_{opts.model_name}_affected_by_promotion")
        return [preview, *super().get_urls()]

    def affected_by_promotion_view(self, request: HttpRequest,
                                   promotion_id: int) -> TemplateResponse:
        """The live carts the promotion would take something off if it were running now."""
        if not (self.has_view_permission(request)
                and request.user.has_perm("pricing.view_promotion")):
            raise PermissionDenied
        promotion = get_object_or_404(Promotion, pk=promotion_id)
        candidates = carts_a_promotion_may_affect(promotion)
        limit = self.promotion_preview_limit
        checked = list(candidates[:limit + 1])
        candidate_count = candidates.count() if len(checked) > limit else len(checked)
        checked = checked[:limit]
        quotes = quotes_with_promotion_running(promotion_id=promotion.pk,
                                               carts=preview_carts(checked))
        rows = [AffectedCart(cart, effect) for cart in checked
                if (effect := promotion_effect(quotes[cart.pk], promotion.pk)).applies]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Carts “{promotion.name}” would affect now",
            "opts": self.model._meta, "promotion": promotion, "rows": rows,
            "checked": len(checked), "candidate_count": candidate_count, "limit": limit,
            "is_free_delivery": promotion.kind == PromotionKind.FREE_DELIVERY,
            "discount_totals": discount_totals(rows), "now": timezone.now(),
            "promotion_url": reverse(f"{self.admin_site.name}:pricing_promotion_change",
                                     args=[promotion.pk]),
        }
        return TemplateResponse(request, "admin/cart/cart/affected_by_promotion.html", context)

    def get_queryset(self, request):
        value = Sum(F("lines__quantity") * F("lines__seen_unit_amount"), output_field=AMOUNT)
        return super().get_queryset(request).annotate(
            line_count=Count("lines"),
            item_count=Coalesce(Sum("lines__quantity"), 0),
            value=Coalesce(value, Value(Decimal(0)), output_field=AMOUNT),
        )

    @admin.display(description="Token", ordering="token")
    def cart_token(self, cart: Cart) -> str:
        return token_prefix(cart.token)

    @admin.display(description="Customer", ordering="customer__email")
    def customer_label(self, cart: Cart) -> str:
        return cart.customer.email if cart.customer_id else "anonymous"

    @admin.display(description="Status", ordering="status")
    def status_label(self, cart: Cart) -> str:
        if cart.status == CartStatus.ACTIVE and cart.updated_at < expiry_cutoff():
            return "Active (past its time to live: expires at the next sweep)"
        return cart.get_status_display()

    @admin.display(description="Lines", ordering="line_count")
    def line_count(self, cart: Cart) -> int:
        return cart.line_count

    @admin.display(description="Items", ordering="item_count")
    def item_count(self, cart: Cart) -> int:
        return cart.item_count

    @admin.display(description="Value", ordering="value")
    def value_display(self, cart: Cart) -> str:
        return money_display(cart.value, cart.currency)

    @admin.display(description="Age", ordering="-updated_at")
    def age(self, cart: Cart) -> str:
        return timesince(cart.updated_at, depth=1)
