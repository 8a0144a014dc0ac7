"""Customers back office: accounts (customers and staff, email login), addresses, API tokens."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.utils import timezone

from mercato.core.admin import ViewOnlyAdmin
from mercato.customers.errors import InvalidAddress
from mercato.customers.models import Address, ApiToken, User
from mercato.customers.rules import validate_address


def clean_unique_email(form: forms.ModelForm) -> str:
    """Emails are logins: stored lower-case and unique whatever their case."""
    email = form.cleaned_data["email"].strip().lower()
    taken = User.objects.filter(email__iexact=email).exclude(pk=form.instance.pk)
    if taken.exists():
        raise forms.ValidationError("A user with this email address already exists.")
    return email


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")
        field_classes = {}

    def clean_email(self) -> str:
        return clean_unique_email(self)


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")
        field_classes = {}

    def clean_email(self) -> str:
        return clean_unique_email(self)


class AccountKindFilter(admin.SimpleListFilter):
    title = "account"
    parameter_name = "account"

    def lookups(self, request, model_admin):
        return (("customers", "Customers"), ("staff", "Staff"))

    def queryset(self, request, queryset):
        if self.value() in {"customers", "staff"}:
            return queryset.filter(is_staff=self.value() == "staff")
        return queryset


class AddressForm(forms.ModelForm):
    """The back office checks addresses with the same per-country rules as the API."""

    class Meta:
        model = Address
        fields = ("customer", "first_name", "last_name", "company_name", "street_address_1",
                  "street_address_2", "city", "city_area", "postal_code", "country",
                  "country_area", "phone", "is_default_shipping", "is_default_billing")

    def clean(self) -> dict:
        cleaned = super().clean()
        country = str(cleaned.get("country") or "")
        try:
            cleaned.update(validate_address({**cleaned, "country": country}))
        except InvalidAddress as error:
            for field, messages in error.errors.items():
                self.add_error(field if field in self.fields else None, messages)
        return cleaned


class AddressInline(admin.StackedInline):
    model = Address
    form = AddressForm
    fields = (("first_name", "last_name", "company_name"),
              ("street_address_1", "street_address_2"),
              ("postal_code", "city", "city_area"), ("country", "country_area"), "phone",
              ("is_default_shipping", "is_default_billing"))
    extra = 0


class ApiTokenInline(admin.TabularInline):
    model = ApiToken
    fields = ("token_prefix", "name", "created_at", "expires_at", "last_used_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Token")
    def token_prefix(self, obj: ApiToken) -> str:
        return f"{obj.prefix}…"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password", "public_id")}),
        ("Personal info", {"fields": ("first_name", "last_name", "marketing_consent")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups",
                                    "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",),
                "fields": ("email", "first_name", "last_name", "usable_password", "password1",
                           "password2")}),
    )
    readonly_fields = ("public_id", "last_login", "date_joined")
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "date_joined")
    list_filter = (AccountKindFilter, "is_superuser", "is_active", "groups")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)
    inlines = (AddressInline, ApiTokenInline)

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser hands out staff access, roles and permissions: anyone else who may
        # edit customers would otherwise be able to make themselves an administrator.
        fields = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return fields
        return (*fields, "is_staff", "is_superuser", "groups", "user_permissions")

    def get_inline_instances(self, request, obj=None):
        # The add page only asks for the login; addresses come once the account exists.
        return super().get_inline_instances(request, obj) if obj is not None else []


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    form = AddressForm
    list_display = ("customer", "first_name", "last_name", "street_address_1", "postal_code",
                    "city", "country", "is_default_shipping", "is_default_billing")
    list_filter = ("country",)
    list_select_related = ("customer",)
    search_fields = ("customer__email", "last_name", "street_address_1", "postal_code", "city")
    autocomplete_fields = ("customer",)
    readonly_fields = ("public_id", "created_at")


@admin.register(ApiToken)
class ApiTokenAdmin(ViewOnlyAdmin):
    """Read-only: only the digest is stored, and it is never shown (nor searchable)."""

    list_display = ("token_prefix", "name", "user", "created_at", "expires_at", "last_used_at",
                    "is_expired")
    list_select_related = ("user",)
    search_fields = ("=prefix", "user__email", "name")
    fields = ("token_prefix", "name", "user", "created_at", "expires_at", "last_used_at")
    readonly_fields = fields

    @admin.display(description="Token", ordering="prefix")
    def token_prefix(self, obj: ApiToken) -> str:
        return f"{obj.prefix}…"

    @admin.display(description="Expired", boolean=True, ordering="expires_at")
    def is_expired(self, obj: ApiToken) -> bool:
        return obj.expires_at <= timezone.now()
