"""Payments section: payments with their transaction ledger (read-only: they move only through
services), and gift cards, issued here through the issuing service."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest

from mercato.core.admin import ProblemsAsMessages, ViewOnlyAdmin, money_display, staff_actor
from mercato.core.money import Money
from mercato.payments.models import (
    GiftCard,
    GiftCardMovement,
    Payment,
    StripeEvent,
    Transaction,
)
from mercato.payments.services import issue_gift_card


class TransactionInline(admin.TabularInline):
    model = Transaction
    fields = ("created_at", "kind", "amount_display", "succeeded", "provider_reference",
              "error_code", "error_message")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description="Amount")
    def amount_display(self, obj: Transaction) -> str:
        return money_display(obj.amount, obj.currency)


@admin.register(Payment)
class PaymentAdmin(ViewOnlyAdmin):
    list_display = ("public_id", "reference", "method", "provider", "amount_display", "status",
                    "created_at")
    list_filter = ("status", "is_disputed", "method", "provider")
    search_fields = ("=public_id", "reference")
    fields = ("public_id", "reference", "method", "provider", "amount_display", "status",
              "is_disputed", "created_at")
    readonly_fields = fields
    inlines = [TransactionInline]
    list_per_page = 50

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description="Amount", ordering="amount")
    def amount_display(self, obj: Payment) -> str:
        return money_display(obj.amount, obj.currency)


@admin.register(StripeEvent)
class StripeEventAdmin(ViewOnlyAdmin):
    """Each Stripe event received once, with what it did (refused ones need a person)."""

    list_display = ("received_at", "type", "event_id", "outcome", "detail")
    list_filter = ("outcome", "type")
    search_fields = ("=event_id",)


class GiftCardMovementInline(admin.TabularInline):
    model = GiftCardMovement
    fields = ("created_at", "amount", "reference")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class IssueGiftCardForm(forms.ModelForm):
    currency = forms.ChoiceField(choices=[(code, code) for code in settings.MERCATO_CURRENCIES])

    class Meta:
        model = GiftCard
        fields = ("code", "currency", "initial_balance", "expires_at")


@admin.register(GiftCard)
class GiftCardAdmin(ProblemsAsMessages, admin.ModelAdmin):
    list_display = ("masked_code", "currency", "balance_display", "expires_at", "is_active")
    list_filter = ("is_active", "currency")
    search_fields = ("=code",)
    inlines = [GiftCardMovementInline]

    def get_inlines(self, request: HttpRequest, obj: GiftCard | None):
        return self.inlines if obj is not None else []

    def get_form(self, request: HttpRequest, obj: GiftCard | None = None, **kwargs):
        if obj is None:
            kwargs["form"] = IssueGiftCardForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request: HttpRequest, obj: GiftCard | None = None) -> list[str]:
        if obj is None:
            return ["code", "currency", "initial_balance", "expires_at"]
        return ["masked_code", "currency", "initial_balance", "balance_display", "expires_at",
                "is_active"]

    def get_readonly_fields(self, request: HttpRequest, obj: GiftCard | None = None):
        if obj is None:
            return []
        return ["masked_code", "currency", "initial_balance", "balance_display"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: GiftCard, form, change: bool) -> None:
        if change:
            # Only expiry and the active switch are editable; the balance moves by services.
            obj.save(update_fields=["expires_at", "is_active"])
            return
        data = form.cleaned_data
        issued = issue_gift_card(code=data["code"],
                                 amount=Money(data["initial_balance"], data["currency"]),
                                 expires_at=data["expires_at"], by=staff_actor(request))
        obj.pk = issued.pk
        obj.refresh_from_db()

    @admin.display(description="Code")
    def masked_code(self, obj: GiftCard) -> str:
        return f"…{obj.code[-4:]}"

    @admin.display(description="Balance", ordering="balance")
    def balance_display(self, obj: GiftCard) -> str:
        return money_display(obj.balance, obj.currency)
