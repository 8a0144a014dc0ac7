"""Purchase Orders > Export for accounting: a small form (placed from, to, status) whose
submission downloads the CSV the API's GET /orders/export.csv answers, streamed.

Whoever may see the orders list may export it (orders.view_order). The form is a GET: a
download changes nothing, and its address can be bookmarked ("last month's orders").
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.template.response import TemplateResponse

from mercato.core.csv_download import csv_response
from mercato.orders.rules import export_filename
from mercato.orders.selectors import order_export_rows
from mercato.orders.states import OrderStatus

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrderExportForm(forms.Form):
    placed_from = forms.DateField(widget=DATE_INPUT, help_text="First day, in the shop's "
                                  "time zone.")
    placed_to = forms.DateField(widget=DATE_INPUT, help_text="Last day, included.")
    status = forms.ChoiceField(choices=[("", "Any status"), *OrderStatus.choices],
                               required=False)

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("placed_from"), cleaned.get("placed_to")
        if start and end and start > end:
            self.add_error("placed_to", "The last day must not be before the first.")
        return cleaned


def export_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponseBase:
    """The form; once it is valid, the CSV of the orders it chose."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    form = OrderExportForm(request.GET or None)
    if form.is_valid():
        chosen = {name: form.cleaned_data[name] or None
                  for name in ("placed_from", "placed_to", "status")}
        return csv_response(order_export_rows(**chosen), filename=export_filename(**chosen))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Export orders for accounting",
        "opts": model_admin.opts,
        "form": form,
    }
    return TemplateResponse(request, "admin/orders/order/export.html", context)
