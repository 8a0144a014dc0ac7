"""Forms of the shop pages: shape and type only; the cart and checkout services decide the rest
and their problems are shown on the same forms (see `add_problem`)."""

from decimal import Decimal

from django import forms
from django_countries import countries

from mercato.cart.schemas import MAX_LINE_QUANTITY
from mercato.core.problems import Problem
from mercato.customers.rules import ADDRESS_FIELDS

NEW_ADDRESS = "new"
PAYMENT_METHODS = [("card", "Card"), ("paypal", "PayPal"),
                   ("cash_on_delivery", "Cash on delivery"), ("gift_card", "Gift card")]


def add_problem(form: forms.Form, problem: Problem, *, prefix: str = "",
                skip: str = "") -> None:
    """A service's problem on the form: its detail at the top, each field error next to its
    field (the API's field path less `prefix`), others at the top too; paths starting with
    `skip` are left out (the same address checked again as the billing address)."""
    form.add_error(None, problem.detail)
    for path, messages in problem.errors.items():
        if skip and path.startswith(skip):
            continue
        name = path.removeprefix(prefix) if prefix else path
        for message in messages:
            if name in form.fields:
                form.add_error(name, message)
            elif message != problem.detail:
                form.add_error(None, message)


class AddToCartForm(forms.Form):
    sku = forms.CharField(max_length=64)
    quantity = forms.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY, initial=1)


class LineForm(forms.Form):
    quantity = forms.IntegerField(min_value=0, max_value=MAX_LINE_QUANTITY, required=False)
    remove = forms.BooleanField(required=False)


class CouponForm(forms.Form):
    code = forms.CharField(label="Coupon code", max_length=64, required=False)
    remove = forms.CharField(max_length=64, required=False)


class EmailForm(forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)


class AddressForm(forms.Form):
    """A shipping address: one from the address book (customers) or typed in."""

    address_id = forms.ChoiceField(label="Ship to", required=False, widget=forms.RadioSelect)
    first_name = forms.CharField(label="First name", max_length=100, required=False)
    last_name = forms.CharField(label="Last name", max_length=100, required=False)
    company_name = forms.CharField(label="Company", max_length=120, required=False)
    street_address_1 = forms.CharField(label="Street address", max_length=200, required=False)
    street_address_2 = forms.CharField(label="Street address (line 2)", max_length=200,
                                       required=False)
    city = forms.CharField(label="City", max_length=100, required=False)
    city_area = forms.CharField(label="District", max_length=100, required=False)
    postal_code = forms.CharField(label="Postal code", max_length=20, required=False)
    country = forms.ChoiceField(label="Country", required=False,
                                choices=[("", "Choose a country"), *countries])
    country_area = forms.CharField(label="State or province", max_length=100, required=False)
    phone = forms.CharField(label="Phone", max_length=32, required=False)
    save_address = forms.BooleanField(label="Save this address in my address book",
                                      required=False)

    def __init__(self, *args: object, saved: list[tuple[str, str]] = (), **kwargs: object):
        super().__init__(*args, **kwargs)
        if saved:
            self.fields["address_id"].choices = [*saved, (NEW_ADDRESS, "A new address")]
        else:
            del self.fields["address_id"]
            del self.fields["save_address"]

    def choice(self) -> dict[str, object]:
        """The address as the checkout session keeps it: a saved one's id, or the fields."""
        data = self.cleaned_data
        address_id = data.get("address_id") or NEW_ADDRESS
        if address_id != NEW_ADDRESS:
            return {"address_id": address_id}
        return {"fields": {name: data.get(name) or "" for name in ADDRESS_FIELDS}}


class BillingForm(AddressForm):
    """The billing address: the shipping address (ticked by default), one from the address book
    (customers: a list, so its entries are not a second set of "Ship to" choices) or typed in.
    Its fields are labelled "Billing ..." so no label is the shipping address's twice."""

    same_as_shipping = forms.BooleanField(
        label="Billing address same as shipping address", required=False, initial=True)

    def __init__(self, *args: object, saved: list[tuple[str, str]] = (), **kwargs: object):
        super().__init__(*args, saved=saved, prefix="billing", **kwargs)
        self.fields.pop("save_address", None)  # the shipping address's checkbox saves both
        for name, field in self.fields.items():
            if name in ADDRESS_FIELDS:
                field.label = f"Billing {field.label[0].lower()}{field.label[1:]}"
        if saved:
            self.fields["address_id"].label = "Bill to"
            self.fields["address_id"].widget = forms.Select(
                choices=self.fields["address_id"].choices)

    def choice(self) -> dict[str, object] | None:
        """None for the shipping address, else as `AddressForm.choice`. A post without the
        billing section at all (a script, an older page) bills the shipping address too: an
        unticked checkbox is simply not posted."""
        posted = any(key.startswith(f"{self.prefix}-") for key in self.data)
        if self.cleaned_data.get("same_as_shipping") or not posted:
            return None
        return super().choice()


def add_address_problem(shipping: AddressForm, billing: BillingForm, problem: Problem, *,
                        prefix: str) -> None:
    """A checked address problem on the address step: the shipping address's errors beside
    its fields (API paths under `prefix`), the billing address's beside its own."""
    billing_errors = {path: messages for path, messages in problem.errors.items()
                      if path.startswith("billing_address.")}
    add_problem(shipping, problem, prefix=prefix, skip="billing_address.")
    if billing.choice() is None:
        return  # the same address: its errors are the shipping address's, shown there
    for path, messages in billing_errors.items():
        name = path.removeprefix("billing_address.")
        for message in messages:
            billing.add_error(name if name in billing.fields else None, message)


class DeliveryChoiceForm(forms.Form):
    """The delivery method picked beside the address (shown there with htmx), if any."""

    delivery_method = forms.CharField(max_length=40, required=False)


class SplitForm(AddressForm):
    """The second address of a split delivery and how many units of each line go there."""

    def __init__(self, *args: object, lines: list[tuple[str, str, int]] = (),
                 **kwargs: object):
        super().__init__(*args, **kwargs)
        self.skus = []
        for sku, label, quantity in lines:
            name = f"qty_{sku}"
            self.skus.append((sku, name))
            self.fields[name] = forms.IntegerField(
                label=f"{label}: units to send here (of {quantity})", min_value=0,
                max_value=quantity, initial=0, required=False)

    def quantities(self) -> list[tuple[str, int]]:
        return [(sku, self.cleaned_data.get(name) or 0) for sku, name in self.skus
                if self.cleaned_data.get(name)]


class PaymentForm(forms.Form):
    """How to pay. The card number never comes here: checkout.js tokenises it at the provider
    and only `card_token` is posted."""

    method = forms.ChoiceField(label="Payment method", choices=PAYMENT_METHODS,
                               widget=forms.RadioSelect)
    card_token = forms.CharField(max_length=120, required=False, widget=forms.HiddenInput)
    card_label = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)
    gift_card_code = forms.CharField(label="Gift card code", max_length=40, required=False)
    gift_card_amount = forms.DecimalField(label="Amount from the gift card", min_value=Decimal(
        "0.01"), max_digits=14, decimal_places=2, required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean()
        method = data.get("method")
        if method == "card" and not data.get("card_token"):
            self.add_error(None, "Enter your card details (JavaScript is needed to send them "
                                 "safely to the payment provider).")
        if method == "gift_card":
            if not data.get("gift_card_code"):
                self.add_error("gift_card_code", "Enter the gift card's code.")
            if data.get("gift_card_amount") is None:
                self.add_error("gift_card_amount", "Say how much the gift card pays.")
        return data
