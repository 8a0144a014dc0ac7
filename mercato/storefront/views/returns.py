"""Return pages: a customer (from their order page) or a guest (after the order lookup) asks to
return shipped items for a refund or an exchange, then follows each return's status and prints
its instructions. The rules (what may be returned, the window, exchanges) and their messages are
the returns app's: request_return decides, these pages only show what it says.

A guest proves the order is theirs with its number and email (as the lookup does); the numbers
proven are kept in the session, so the return pages of those orders open without asking again.

An exchange for a dearer variant leaves a price difference to pay before the replacement ships:
the return's page takes it by card (returns_payment.py).
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from mercato.catalog.models import ProductVariant, VariantPrice
from mercato.core.events import Actor
from mercato.core.problems import NotFound, Problem
from mercato.customers.services import actor_for
from mercato.fulfilment.pdf import pdf_response
from mercato.orders import selectors as order_selectors
from mercato.orders.models import Order, OrderLine
from mercato.returns import rules as return_rules
from mercato.returns import selectors as return_selectors
from mercato.returns.models import Resolution, ReturnReason, ReturnRequest
from mercato.returns.pdf import return_instructions_pdf
from mercato.returns.services import (
    LineValue,
    ReturnLineRequest,
    difference_charge,
    line_values,
    request_return,
    return_window_days,
)
from mercato.returns.states import WITH_INSTRUCTIONS
from mercato.storefront.forms_account import OrderLookupForm
from mercato.storefront.templatetags.storefront import money
from mercato.storefront.views import returns_payment as payment
from mercato.storefront.views.account import customer_required, found
from mercato.storefront.views.limits import limited

TEMPLATES = "storefront/returns/"
GUEST_ORDERS = "storefront_guest_orders"  # session key: order numbers a guest has proven


# --- the form: one set of fields per returnable line ------------------------------------------

@dataclass(frozen=True)
class ReturnableItem:
    """An order line as the return form offers it: how many units may still come back."""

    line: OrderLine
    returnable: int
    exchange_variants: list[ProductVariant]  # each with its `exchange_price` in the currency
    value: LineValue  # what the line is worth to returns (a replacement: what it replaced)


def difference_note(value: LineValue, new_unit_price: Decimal, currency: str) -> str:
    """What exchanging one unit of a line worth `value` for a variant at `new_unit_price`
    leaves to pay or to get back, by the returns rule request_return applies:
    " (+€5.10 to pay)"."""
    credit, charge = return_rules.exchange_difference(
        paid_unit_price=value.unit_price, new_unit_price=new_unit_price, quantity=1,
        paid=return_rules.unit_share(line_total=value.paid, line_quantity=value.quantity,
                                     quantity=1, currency=currency))
    if charge > 0:
        return f" (+{money(charge, currency)} to pay)"
    if credit > 0:
        return f" ({money(credit, currency)} back)"
    return ""


class ReturnForm(forms.Form):
    """Per line `quantity-<id>`, `reason-<id>`, `resolution-<id>`, `exchange-<id>`, `note-<id>`;
    the shape only: how many may be returned and which variants may replace is the service's."""

    def __init__(self, data: Any = None, *, items: list[ReturnableItem], currency: str) -> None:
        super().__init__(data)
        self.items = items
        reasons = [("", "Choose a reason"), *ReturnReason.choices]
        for item in items:
            pk = item.line.pk
            self.fields[f"quantity-{pk}"] = forms.TypedChoiceField(
                label="Quantity to return", coerce=int, initial=0, required=False, empty_value=0,
                choices=[(n, str(n)) for n in range(item.returnable + 1)])
            self.fields[f"reason-{pk}"] = forms.ChoiceField(label="Reason", choices=reasons,
                                                            required=False)
            self.fields[f"resolution-{pk}"] = forms.ChoiceField(
                label="Refund or exchange", choices=Resolution.choices, initial=Resolution.REFUND,
                required=False, widget=forms.RadioSelect)
            if item.exchange_variants:
                self.fields[f"exchange-{pk}"] = forms.TypedChoiceField(
                    label="Exchange for", required=False, coerce=int, empty_value=None,
                    help_text="Price differences are per item." if item.returnable > 1 else "",
                    choices=[("", "Choose a variant"), *(
                        (v.pk, (v.name or v.sku)
                         + difference_note(item.value, v.exchange_price, currency))
                        for v in item.exchange_variants)])
            self.fields[f"note-{pk}"] = forms.CharField(label="Comment", max_length=500,
                                                        required=False)

    def groups(self) -> list[tuple[ReturnableItem, list[forms.BoundField]]]:
        """Each line with its fields, for the template."""
        return [(item, [self[name] for name in self.fields if name.endswith(f"-{item.line.pk}")])
                for item in self.items]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = [item for item in self.items if data.get(f"quantity-{item.line.pk}")]
        if not chosen and not self.errors:
            raise forms.ValidationError("Choose how many of at least one item to return.")
        for item in chosen:
            pk = item.line.pk
            if not data.get(f"reason-{pk}"):
                self.add_error(f"reason-{pk}", "Choose a reason.")
            if data.get(f"resolution-{pk}") == Resolution.EXCHANGE \
                    and not data.get(f"exchange-{pk}"):
                field = f"exchange-{pk}" if f"exchange-{pk}" in self.fields else f"resolution-{pk}"
                self.add_error(field, "Choose the variant you want instead.")
        return data

    def line_requests(self) -> list[ReturnLineRequest]:
        data, requests = self.cleaned_data, []
        for item in self.items:
            pk = item.line.pk
            if not data.get(f"quantity-{pk}"):
                continue
            resolution = data.get(f"resolution-{pk}") or Resolution.REFUND
            exchange = resolution == Resolution.EXCHANGE
            requests.append(ReturnLineRequest(
                order_line_id=item.line.public_id, quantity=data[f"quantity-{pk}"],
                reason=data[f"reason-{pk}"], resolution=resolution,
                exchange_variant_id=data.get(f"exchange-{pk}") if exchange else None,
                note=data.get(f"note-{pk}", "")))
        return requests

    def show_problem(self, problem: Problem) -> None:
        """The service's message above the form, its field errors on the line it names."""
        named = problem.extra.get("order_line_id")  # a public id; the fields are keyed by pk
        line_id = next((item.line.pk for item in self.items if item.line.public_id == named),
                       None)
        for name, errors in problem.errors.items():
            field = {"exchange_variant_id": "exchange"}.get(name, name)
            target = f"{field}-{line_id}" if line_id else None
            for error in errors:
                self.add_error(target if target in self.fields else None, error)
        self.add_error(None, problem.detail)


def returnable_items(order: Order) -> list[ReturnableItem]:
    """The order's lines with units shipped within the return window and not yet returned
    (returns.selectors and rules), each with the variants it may be exchanged for and its value:
    5 queries (one more per replacement line).
    request_return checks all of it again."""
    facts = return_selectors.returnable_lines(order)
    now, days = timezone.now(), return_window_days()
    open_lines = [(line, facts[line.public_id].returnable) for line in order.lines.all()
                  if (fact := facts.get(line.public_id)) is not None and fact.returnable > 0
                  and fact.last_shipped_at is not None
                  and now <= return_rules.window_closes(fact.last_shipped_at, days)]
    product_of, variants = exchange_variants(order, [line for line, _ in open_lines])
    values = line_values([line for line, _ in open_lines], order.currency)
    return [ReturnableItem(line, returnable,
                           [variant for variant in variants
                            if variant.product_id == product_of.get(line.variant_id)],
                           values[line.pk])
            for line, returnable in open_lines]


def exchange_variants(order: Order, lines: list[OrderLine]
                      ) -> tuple[dict[int, int], list[ProductVariant]]:
    """The lines' variants' products, and the published variants of those products priced in
    the order's currency (what an exchange may ask for), with that price: 2 queries."""
    product_of = dict(ProductVariant.objects.filter(
        pk__in=[line.variant_id for line in lines if line.variant_id])
        .values_list("pk", "product_id"))
    if not product_of:
        return {}, []
    variants = ProductVariant.objects.filter(
        product_id__in=set(product_of.values()), product__is_published=True,
        prices__currency=order.currency).annotate(exchange_price=Subquery(
            VariantPrice.objects.filter(variant=OuterRef("pk"), currency=order.currency)
            .values("amount")[:1])).order_by("product_id", "position", "id")
    return product_of, list(variants)


# --- customer pages ----------------------------------------------------------------------------

@customer_required
@require_http_methods(["GET", "POST"])
def start_return(request: HttpRequest, number: str) -> HttpResponse:
    order = found(order_selectors.customer_order_detail, number=number,
                  customer_id=request.user.pk)
    return _start(request, order, actor=actor_for(request.user), customer_id=request.user.pk,
                  email=None, done_url="/account/returns/{rma}/")


@customer_required
def return_list(request: HttpRequest) -> HttpResponse:
    returns = return_selectors.returns_for_customer(customer_id=request.user.pk)
    return render(request, TEMPLATES + "list.html", {"returns": returns})


@customer_required
def return_detail(request: HttpRequest, rma: str) -> HttpResponse:
    ret = _customer_return(request, rma)
    return render(request, TEMPLATES + "detail.html", detail_context(request, ret) | {
        "instructions_url": f"/account/returns/{ret.rma}/instructions/",
        "pay_url": f"/account/returns/{ret.rma}/pay/"})


@customer_required
def return_instructions(request: HttpRequest, rma: str) -> HttpResponse:
    return _instructions(_customer_return(request, rma))


@customer_required
@require_POST
def pay_return(request: HttpRequest, rma: str) -> HttpResponse:
    """The customer pays the price difference of a dearer exchange (or confirms that payment
    after 3-D Secure)."""
    ret = _customer_return(request, rma)
    return payment.pay(request, ret, actor=actor_for(request.user),
                       customer_id=request.user.pk, email=None,
                       detail_url=f"/account/returns/{ret.rma}/")


def _customer_return(request: HttpRequest, rma: str) -> ReturnRequest:
    return found(return_selectors.return_detail, rma=rma, customer_id=request.user.pk)


# --- guest pages (after the order lookup) -----------------------------------------------------

@require_POST
@limited("lookup")
def guest_start(request: HttpRequest) -> HttpResponse:
    """The lookup's order page posts the number and email here: proven, the guest may return
    items of that order (and see its returns) for the rest of the session."""
    form = OrderLookupForm(request.POST)
    if form.is_valid():
        try:
            order = order_selectors.order_for_guest(**form.cleaned_data)
        except NotFound:
            pass
        else:
            proven = request.session.get(GUEST_ORDERS, {})
            request.session[GUEST_ORDERS] = proven | {order.number: order.email}
            return redirect(f"/orders/{order.number}/return/")
    messages.error(request, "There is no order with this number and email.")
    return redirect("/orders/lookup/")


@require_http_methods(["GET", "POST"])
def guest_return(request: HttpRequest, number: str) -> HttpResponse:
    order = _guest_order(request, number)
    if order is None:
        messages.info(request, "Find your order first: its number and your email address.")
        return redirect("/orders/lookup/")
    return _start(request, order, actor=Actor("customer", order.email), customer_id=None,
                  email=order.email, done_url="/orders/returns/{rma}/", guest=True)


def guest_return_detail(request: HttpRequest, rma: str) -> HttpResponse:
    ret = _guest_return(request, rma)
    return render(request, TEMPLATES + "detail.html", detail_context(request, ret) | {
        "guest": True, "instructions_url": f"/orders/returns/{ret.rma}/instructions/",
        "pay_url": f"/orders/returns/{ret.rma}/pay/"})


def guest_return_instructions(request: HttpRequest, rma: str) -> HttpResponse:
    return _instructions(_guest_return(request, rma))


@require_POST
def guest_pay_return(request: HttpRequest, rma: str) -> HttpResponse:
    """A guest who proved the order in this session pays a dearer exchange's difference."""
    ret = _guest_return(request, rma)
    email = request.session[GUEST_ORDERS][ret.order.number]
    return payment.pay(request, ret, actor=Actor("customer", email), customer_id=None,
                       email=email, detail_url=f"/orders/returns/{ret.rma}/")


def _guest_order(request: HttpRequest, number: str) -> Order | None:
    """The order, if this session proved it with its number and email (else None)."""
    email = request.session.get(GUEST_ORDERS, {}).get(number)
    if email is None:
        return None
    return found(order_selectors.order_for_guest, number=number, email=email)


def _guest_return(request: HttpRequest, rma: str) -> ReturnRequest:
    ret = found(return_selectors.return_detail, rma=rma)
    if ret.order.number not in request.session.get(GUEST_ORDERS, {}):
        raise Http404("There is no such return.")
    return ret


# --- shared ------------------------------------------------------------------------------------

def _start(request: HttpRequest, order: Order, *, actor: Actor, customer_id: int | None,
           email: str | None, done_url: str, guest: bool = False) -> HttpResponse:
    form = ReturnForm(request.POST or None, items=returnable_items(order),
                      currency=order.currency)
    if request.method == "POST" and form.is_valid():
        try:
            ret = request_return(order_number=order.number, lines=form.line_requests(),
                                 by=actor, customer_id=customer_id, email=email)
        except Problem as problem:
            form.show_problem(problem)
        else:
            messages.success(request, requested_text(ret, order.currency))
            return redirect(done_url.format(rma=ret.rma))
    returns = return_selectors.returns_for_order(order)
    return render(request, TEMPLATES + "start.html", {
        "order": order, "form": form, "guest": guest, "returns": returns,
        "window_days": return_window_days()})


def requested_text(ret: ReturnRequest, currency: str) -> str:
    charge = difference_charge(ret)
    if charge <= 0:
        return f"Your return {ret.rma} is requested."
    return (f"Your return {ret.rma} is requested. Your replacement ships once the price "
            f"difference of {money(charge, currency)} is paid: you can pay it below.")


def detail_context(request: HttpRequest, ret: ReturnRequest) -> dict[str, Any]:
    return {"ret": ret, "order": ret.order,
            "has_instructions": ret.status in WITH_INSTRUCTIONS,
            "difference": payment.difference_of(request, ret)}


def _instructions(ret: ReturnRequest) -> HttpResponse:
    if ret.status not in WITH_INSTRUCTIONS:
        raise Http404("This return has no instructions to print yet.")
    return pdf_response(return_instructions_pdf(rma=ret.rma), f"{ret.rma}.pdf")
