from django.conf import settings
from django.db import models
from django.db.models import Q

from mercato.cart.states import CartStatus
from mercato.catalog.models import MONEY_DIGITS, ProductVariant
from mercato.core.ids import new_secret_token


class Cart(models.Model):
    """A shopper's cart: anonymous (reached by its opaque token) or a customer's.

    Coupon codes are a JSON list on the cart row rather than rows of their own: every change
    to a cart already locks this row, so that lock alone keeps concurrent edits apart, and a
    read costs no extra query.
    """

    token = models.CharField(max_length=64, unique=True, default=new_secret_token, editable=False)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="carts",
    )
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=16, choices=CartStatus.choices, default=CartStatus.ACTIVE, editable=False
    )
    # Codes as the coupon table spells them, in the order entered; one that stops applying is
    # kept (and reported) so it comes back when the cart qualifies again.
    coupon_codes = models.JSONField(default=list, blank=True)
    # Where delivery and tax are estimated for before checkout ("" = not given yet).
    estimate_country = models.CharField(max_length=2, blank=True, default="")
    estimate_region = models.CharField(max_length=40, blank=True, default="")
    delivery_method = models.CharField(max_length=40, blank=True, default="",
                                       help_text="Code of the chosen delivery method.")
    # Promotions the shopper was last shown applied: one that stops applying is said once.
    shown_promotion_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(status=CartStatus.ACTIVE),
                name="one_active_cart_per_customer",
            ),
        ]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"Cart {self.token[:8]}…"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(ProductVariant, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    # The unit price the shopper last saw: a different current price is reported, not hidden.
    seen_unit_amount = models.DecimalField(**MONEY_DIGITS)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="cart_line_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="cart_line_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.variant_id}"
