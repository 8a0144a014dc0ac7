"""The price difference of exchanges for dearer variants on the Returns pages: what a return's
replacements cost more, what the customer still has to pay, whether staff waived it, the
payments made for it, and the returns list's filter "Difference to pay"."""

from decimal import Decimal

from django.contrib import admin
from django.db.models import Case, DecimalField, OuterRef, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse

from mercato.core.admin import money_display
from mercato.customers.models import User
from mercato.payments.models import Payment
from mercato.returns import rules, services
from mercato.returns.models import ReturnLine, ReturnRequest

VIEW_PAYMENT = "payments.view_payment"
MONEY = DecimalField(max_digits=14, decimal_places=4)


def with_difference_to_pay(returns: QuerySet[ReturnRequest]) -> QuerySet[ReturnRequest]:
    """Alias `difference_to_pay`: services.difference_unpaid in SQL (the lines' charges less
    the secured payments of the RMA, 0 once waived), so a list filters on it in one query."""
    charge = (ReturnLine.objects.filter(return_request=OuterRef("pk")).order_by()
              .values("return_request").annotate(total=Sum("charge")).values("total"))
    secured = (Payment.objects.filter(reference=OuterRef("rma"),
                                      status__in=rules.SECURED_PAYMENT_STATUSES)
               .order_by().values("reference").annotate(total=Sum("amount")).values("total"))
    zero = Value(Decimal(0), output_field=MONEY)
    return returns.alias(difference_to_pay=Case(
        When(difference_waived=True, then=zero),
        default=Coalesce(Subquery(charge), zero) - Coalesce(Subquery(secured), zero),
        output_field=MONEY))


class DifferenceToPayFilter(admin.SimpleListFilter):
    """Returns whose customer still has to pay for a dearer replacement (neither paid nor
    waived): the shipping of their replacement waits for it."""

    title = "difference to pay"
    parameter_name = "difference_to_pay"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return with_difference_to_pay(queryset).filter(difference_to_pay__gt=0)
        if self.value() == "no":
            return with_difference_to_pay(queryset).filter(difference_to_pay__lte=0)
        return queryset


class DifferenceFields:
    """A return page's read-only fields of the difference (ReturnRequestAdmin's mixin)."""

    difference_fields = ("exchange_difference", "difference_to_pay", "difference_waived_flag")

    @admin.display(description="Exchange difference")
    def exchange_difference(self, return_request: ReturnRequest) -> str:
        return money_display(services.difference_charge(return_request),
                             return_request.order.currency)

    @admin.display(description="To pay")
    def difference_to_pay(self, return_request: ReturnRequest) -> str:
        return money_display(services.difference_unpaid(return_request),
                             return_request.order.currency)

    @admin.display(description="Waived", boolean=True)
    def difference_waived_flag(self, return_request: ReturnRequest) -> bool:
        return return_request.difference_waived


def line_difference(line: ReturnLine, currency: str) -> str:
    """An exchange line's credit (cheaper variant, refunded) or charge (dearer, to pay)."""
    if line.charge:
        return f"charge {money_display(line.charge, currency)}"
    if line.credit:
        return f"credit {money_display(line.credit, currency)}"
    return "—"


def difference_context(return_request: ReturnRequest, user: User, site: str) -> dict:
    """The page's payments of the difference (linked to the payment's page for a role that
    sees payments) and, while some is unpaid, the amount that holds the replacement back."""
    currency = return_request.order.currency
    linked = user.has_perm(VIEW_PAYMENT)
    unpaid = services.difference_unpaid(return_request)
    return {
        "difference_payments": [
            {"payment": payment, "amount": money_display(payment.amount, payment.currency),
             "url": reverse(f"{site}:payments_payment_change", args=[payment.pk])
             if linked else ""}
            for payment in services.return_payments(return_request)],
        "difference_due": money_display(unpaid, currency) if unpaid > 0 else "",
    }
