"""Forms of the account pages: they check shape only (required, length, email format); the
rules (password strength, address formats per country, who may log in) are the services'.

`show_problem` puts a service's problem on the form: its per-field errors next to the fields,
its detail above the form.
"""

from django import forms
from django.conf import settings
from django_countries import countries

from mercato.core.problems import Problem

NAME_LENGTH = 150


class RegisterForm(forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)
    first_name = forms.CharField(label="First name", max_length=NAME_LENGTH)
    last_name = forms.CharField(label="Last name", max_length=NAME_LENGTH)
    password = forms.CharField(label="Password", max_length=128, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    marketing_consent = forms.BooleanField(label="Email me news and offers", required=False)


class LoginForm(forms.Form):
    email = forms.EmailField(label="Email address", max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label="Password", max_length=128, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


def country_choices() -> list[tuple[str, str]]:
    return [("", "Choose a country"), *((code, name) for code, name in countries)]


class AddressForm(forms.Form):
    """The address book's fields (as customers.Address); the service validates per country."""

    first_name = forms.CharField(label="First name", max_length=100)
    last_name = forms.CharField(label="Last name", max_length=100)
    company_name = forms.CharField(label="Company", max_length=120, required=False)
    street_address_1 = forms.CharField(label="Street address", max_length=200)
    street_address_2 = forms.CharField(label="Street address, line 2", max_length=200,
                                       required=False)
    city = forms.CharField(label="City", max_length=100, required=False)
    city_area = forms.CharField(label="District", max_length=100, required=False)
    postal_code = forms.CharField(label="Postal code", max_length=20, required=False)
    country = forms.ChoiceField(label="Country", choices=country_choices)
    country_area = forms.CharField(label="State / province / region", max_length=100,
                                   required=False)
    phone = forms.CharField(label="Phone", max_length=32, required=False,
                            widget=forms.TextInput(attrs={"type": "tel",
                                                          "autocomplete": "tel"}))
    is_default_shipping = forms.BooleanField(label="Default shipping address", required=False)
    is_default_billing = forms.BooleanField(label="Default billing address", required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["country"].initial = settings.MERCATO_SHOP_COUNTRY


class OrderLookupForm(forms.Form):
    number = forms.CharField(label="Order number", max_length=32,
                             widget=forms.TextInput(attrs={"placeholder": "MRC-100001"}))
    email = forms.EmailField(label="Email address", max_length=254,
                             help_text="The email address the order was placed with.")


def show_problem(form: forms.Form, problem: Problem, *, field: str | None = None) -> None:
    """Show a service's problem on `form`: each error next to its field (errors for fields the
    form lacks go above it) and its detail above the form; a problem without field errors goes
    next to `field` when one is given."""
    for name, messages in problem.errors.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
    form.add_error(None if problem.errors else field, problem.detail)
