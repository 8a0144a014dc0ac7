"""Order Management > Returns: returns to approve, awaiting stock, awaiting completion, every
return, and the receiving receipts.

A return's page shows its lines, receipt, refunds and history, and the buttons its status and
the staff member's role allow, each calling a returns service as that staff member: approve,
reject, refund (with or without delivery, optionally an amount), ship the replacement, complete,
cancel, waive the price difference of a dearer replacement — Customer Service
(`returns.change_returnrequest`; refunding and waiving move money, so they also need
`orders.change_order`) — and receive what arrived, per line and condition — the Warehouse
(`returns.add_receivingreceipt`). A refusal comes back as a message and changes nothing.
The difference's fields, payments and list filter are in admin_difference.py.
"""

from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from mercato.core.admin import ViewOnlyAdmin, action_buttons, money_display, staff_actor
from mercato.core.problems import Problem
from mercato.fulfilment.pdf import pdf_response
from mercato.inventory.models import Warehouse
from mercato.orders.admin import OfOrderLineInline, ReadOnlyInline, history_rows
from mercato.orders.models import Order
from mercato.returns import pdf, services
from mercato.returns.admin_actions import (
    ADD_RETURN,
    CHANGE_RETURN,
    DONE,
    LIST_TITLES,
    RECEIVE,
    REFUND_PERMISSIONS,
    RETURN_ACTIONS,
    needs_replacement,
    offered_actions,
    received_lines,
    refund_amount,
    requested_lines,
    return_history,
)
from mercato.returns.admin_difference import (
    DifferenceFields,
    DifferenceToPayFilter,
    difference_context,
    line_difference,
)
from mercato.returns.models import (
    Condition,
    ReceiptLine,
    ReceivingReceipt,
    Resolution,
    ReturnLine,
    ReturnReason,
    ReturnRefund,
    ReturnRequest,
)
from mercato.returns.states import (
    EDITABLE_STATUSES,
    REFUNDABLE_STATUSES,
    REPLACEABLE_STATUSES,
    ReturnStatus,
)


class ReturnLineInline(OfOrderLineInline):
    model = ReturnLine
    verbose_name_plural = "Lines"
    fields = ("sku", "title", "quantity", "reason", "resolution", "exchange_for", "difference",
              "note")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(
            "order_line", "exchange_variant", "return_request__order")

    @admin.display(description="Exchange for")
    def exchange_for(self, line: ReturnLine) -> str:
        return str(line.exchange_variant) if line.exchange_variant_id else "—"

    @admin.display(description="Price difference")
    def difference(self, line: ReturnLine) -> str:
        return line_difference(line, line.return_request.order.currency)


class ReturnRefundInline(ReadOnlyInline):
    model = ReturnRefund
    verbose_name_plural = "Refunds"
    fields = ("payment_public_id", "amount_display", "succeeded", "created_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("return_request__order")

    @admin.display(description="Amount")
    def amount_display(self, refund: ReturnRefund) -> str:
        return money_display(refund.amount, refund.return_request.order.currency)


@admin.register(ReturnRequest)
class ReturnRequestAdmin(DifferenceFields, ViewOnlyAdmin):
    list_display = ("rma", "order_link", "status", "customer_email", "units", "warehouse",
                    "created_at", "updated_at")
    list_filter = ("status", DifferenceToPayFilter, "lines__resolution", "lines__reason",
                   "warehouse", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("order", "warehouse")
    search_fields = ("rma", "order__number", "order__email", "lines__order_line__sku")
    ordering = ("-created_at", "-id")
    show_facets = admin.ShowFacets.ALWAYS
    list_per_page = 100
    actions = ("approve_selected",)
    fields = ("rma", "order_link", "status", "status_reason", "customer_email", "warehouse",
              "receipt_link", "replacement", "delivery_refunded_display",
              *DifferenceFields.difference_fields, "created_by", "created_at", "updated_at")
    readonly_fields = fields
    inlines = (ReturnLineInline, ReturnRefundInline)
    change_form_template = "admin/returns/returnrequest/change_form.html"

    # Rows change only through services: the form never saves; "add" is the create page.
    def has_add_permission(self, request):
        return request.user.has_perm(ADD_RETURN)

    def add_view(self, request: HttpRequest, form_url: str = "",
                 extra_context: dict | None = None) -> HttpResponse:
        """Customer Service opens a return for a customer: find the order by its number, then
        choose lines, quantities, reasons and refund or exchange (staff returns are approved)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        number = (request.POST.get("order_number") or request.GET.get("order") or "").strip()
        order = Order.objects.filter(number=number).first() if number else None
        if order is not None and request.method == "POST":
            created = self._create(request, order)
            if created is not None:
                return self._page(created)
        if number and order is None:
            self.message_user(request, f"There is no order {number}.", messages.ERROR)
        return self._lines_page(request, order, number=number, title="Open a return")

    def _lines_page(self, request: HttpRequest, order: Order | None, *, number: str,
                    title: str, current: ReturnRequest | None = None) -> TemplateResponse:
        """The lines form: each order line with what the return holds of it (if editing)."""
        held = {line.order_line_id: line for line in current.lines.select_related(
            "exchange_variant")} if current else {}
        rows = [{"line": line, "current": held.get(line.pk)}
                for line in (order.lines.order_by("id") if order else [])]
        context = {
            **self.admin_site.each_context(request), "title": title, "opts": self.opts,
            "order_number": number, "order": order, "rows": rows, "editing": current,
            "order_lines": [row["line"] for row in rows],
            "reasons": ReturnReason.choices, "resolutions": Resolution.choices,
        }
        return TemplateResponse(request, "admin/returns/returnrequest/create.html", context)

    def edit_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Customer Service replaces a return's lines before anything is received or refunded."""
        if not self.has_customer_service_permission(request):
            raise PermissionDenied
        current = get_object_or_404(ReturnRequest.objects.select_related("order"), pk=object_id)
        if request.method == "POST":
            try:
                lines = requested_lines(request.POST, list(current.order.lines.order_by("id")))
                if not lines:
                    raise ValueError("enter a quantity for at least one line.")
                services.update_return_lines(rma=current.rma, lines=lines,
                                             by=staff_actor(request))
            except (ValueError, Problem) as error:
                detail = error.detail if isinstance(error, Problem) else str(error)
                self.message_user(request, f"Not changed — {detail}", messages.ERROR)
            else:
                self.message_user(request, f"Return {current.rma} is changed.",
                                  messages.SUCCESS)
                return self._page(current)
        return self._lines_page(request, current.order, number=current.order.number,
                                title=f"Edit return {current.rma}", current=current)

    def _create(self, request: HttpRequest, order: Order) -> ReturnRequest | None:
        try:
            lines = requested_lines(request.POST, list(order.lines.order_by("id")))
            if not lines:
                raise ValueError("enter a quantity for at least one line.")
            created = services.request_return(order_number=order.number, lines=lines,
                                              by=staff_actor(request))
        except ValueError as error:
            self.message_user(request, f"Not opened — {error}", messages.ERROR)
        except Problem as problem:
            self.message_user(request, f"Not opened — {problem.detail}", messages.ERROR)
        else:
            self.message_user(request, f"Return {created.rma} is opened.", messages.SUCCESS)
            return created
        return None

    def has_customer_service_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(CHANGE_RETURN)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReturnRequest]:
        return super().get_queryset(request).annotate(unit_count=Sum("lines__quantity"))

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/act/<slug:action>/", view(require_POST(self.action_view)),
                 name="returns_returnrequest_act"),
            path("<path:object_id>/refund/", view(require_POST(self.refund_view)),
                 name="returns_returnrequest_refund"),
            path("<path:object_id>/replace/", view(require_POST(self.replace_view)),
                 name="returns_returnrequest_replace"),
            path("<path:object_id>/receive/", view(require_POST(self.receive_view)),
                 name="returns_returnrequest_receive"),
            path("<path:object_id>/edit/", view(self.edit_view),
                 name="returns_returnrequest_edit"),
            path("<path:object_id>/instructions/", view(self.instructions_view),
                 name="returns_returnrequest_instructions"),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest,
                        extra_context: dict | None = None) -> HttpResponse:
        title = LIST_TITLES.get(request.GET.get("status__exact", ""), "Returns")
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None) -> HttpResponse:
        return_request = self.get_object(request, object_id)
        if return_request is None:
            return super().change_view(request, object_id, form_url, extra_context)
        context = {**(extra_context or {}), **self._buttons(request, return_request),
                   **difference_context(return_request, request.user, self.admin_site.name),
                   "history_rows": history_rows(return_history(return_request))}
        return super().change_view(request, object_id, form_url, context)

    def _buttons(self, request: HttpRequest, return_request: ReturnRequest) -> dict:
        user, status, pk = request.user, return_request.status, return_request.pk
        site = self.admin_site.name
        receiving = (user.has_perm(RECEIVE)
                     and status == ReturnStatus.AWAITING_STOCK_RETURN)
        return {
            "return_actions": action_buttons(
                offered_actions(return_request, user),
                lambda name: reverse(f"{site}:returns_returnrequest_act", args=[pk, name])),
            "can_refund": user.has_perms(REFUND_PERMISSIONS) and status in REFUNDABLE_STATUSES,
            "refund_url": reverse(f"{site}:returns_returnrequest_refund", args=[pk]),
            "can_replace": (user.has_perm(CHANGE_RETURN) and status in REPLACEABLE_STATUSES
                            and needs_replacement(return_request)),
            "replace_url": reverse(f"{site}:returns_returnrequest_replace", args=[pk]),
            "receive_lines": list(return_request.lines.select_related("order_line"))
            if receiving else [],
            "receive_url": reverse(f"{site}:returns_returnrequest_receive", args=[pk]),
            "warehouses": Warehouse.objects.order_by("code") if receiving else [],
            "conditions": Condition.choices,
            "can_edit": user.has_perm(CHANGE_RETURN) and status in EDITABLE_STATUSES,
            "edit_url": reverse(f"{site}:returns_returnrequest_edit", args=[pk]),
            "instructions_url": reverse(f"{site}:returns_returnrequest_instructions",
                                        args=[pk]),
        }

    def _page(self, return_request: ReturnRequest) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse(
            f"{self.admin_site.name}:returns_returnrequest_change", args=[return_request.pk]))

    def _run(self, request: HttpRequest, call: Callable[[], object], done: str) -> None:
        try:
            call()
        except Problem as problem:
            self.message_user(request, problem.detail, messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)

    def action_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        """Approve, reject, complete, cancel (status moves of the returns services), and waive
        the price difference of a dearer replacement."""
        if not self.has_customer_service_permission(request):
            raise PermissionDenied
        return_request = get_object_or_404(ReturnRequest, pk=object_id)
        chosen = RETURN_ACTIONS.get(action)
        if chosen is None:
            self.message_user(request, f"Unknown action “{action}”.", messages.ERROR)
            return self._page(return_request)
        if not request.user.has_perms(chosen.permissions):
            raise PermissionDenied
        rma, by = return_request.rma, staff_actor(request)
        reason = request.POST.get("reason", "").strip()
        if chosen.needs_reason and not reason:
            self.message_user(request, f"Not done — “{chosen.label}” needs a reason.",
                              messages.ERROR)
            return self._page(return_request)
        self._run(request, lambda: chosen.run(rma, by, reason),
                  f"Return {rma} {DONE[chosen.name]}.")
        return self._page(return_request)

    def refund_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Refund to the original payments: the returned goods, delivery when ticked, or the
        amount typed (never more than what remains refundable)."""
        if not request.user.has_perms(REFUND_PERMISSIONS):
            raise PermissionDenied
        return_request = get_object_or_404(ReturnRequest.objects.select_related("order"),
                                           pk=object_id)
        try:
            amount = refund_amount(request.POST.get("amount", ""), return_request.order.currency)
        except ValueError as error:
            self.message_user(request, f"Not refunded — {error}", messages.ERROR)
            return self._page(return_request)
        rma, by = return_request.rma, staff_actor(request)
        include_delivery = request.POST.get("include_delivery") == "on"
        self._run(request, lambda: services.refund_return(
            rma=rma, by=by, include_delivery=include_delivery, amount=amount),
            f"Return {rma} is refunded.")
        return self._page(return_request)

    def replace_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Create the replacement shipment; the order is AwaitingExchange until it ships."""
        if not self.has_customer_service_permission(request):
            raise PermissionDenied
        return_request = get_object_or_404(ReturnRequest, pk=object_id)
        rma, by = return_request.rma, staff_actor(request)
        self._run(request, lambda: services.ship_replacement(rma=rma, by=by),
                  f"The replacement shipment of return {rma} is created: it ships through "
                  "Shipping/Receiving; the order awaits the exchange.")
        return self._page(return_request)

    def receive_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Record what arrived (per line: resellable and damaged units) in a warehouse."""
        if not request.user.has_perm(RECEIVE):
            raise PermissionDenied
        return_request = get_object_or_404(ReturnRequest, pk=object_id)
        warehouse = Warehouse.objects.filter(pk=request.POST.get("warehouse") or 0).first()
        try:
            lines = received_lines(request.POST, list(return_request.lines.all()))
            if warehouse is None:
                raise ValueError("choose the receiving warehouse.")
            if not lines:
                raise ValueError("enter the quantities that arrived.")
        except ValueError as error:
            self.message_user(request, f"Not received — {error}", messages.ERROR)
            return self._page(return_request)
        rma, by = return_request.rma, staff_actor(request)
        self._run(request, lambda: services.receive_return(
            rma=rma, lines=lines, warehouse_id=warehouse.pk, by=by),
            f"Return {rma} is received; the receiving receipt is issued.")
        return self._page(return_request)

    def instructions_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        rma = get_object_or_404(ReturnRequest, pk=object_id).rma
        return pdf_response(pdf.return_instructions_pdf(rma=rma), f"return-{rma}.pdf")

    @admin.action(description="Approve selected returns", permissions=["customer_service"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[ReturnRequest]) -> None:
        approved, refused = 0, []
        for rma in queryset.order_by("pk").values_list("rma", flat=True):
            try:
                services.approve_return(rma=rma, by=staff_actor(request))
            except Problem as problem:
                refused.append(f"{rma}: {problem.detail}")
            else:
                approved += 1
        if refused:
            self.message_user(request, "Not approved — " + "; ".join(refused), messages.ERROR)
        self.message_user(request, f"{approved} return(s) approved.",
                          messages.SUCCESS if approved else messages.WARNING)

    @admin.display(description="Order", ordering="order__number")
    def order_link(self, return_request: ReturnRequest) -> str:
        url = reverse(f"{self.admin_site.name}:orders_order_change",
                      args=[return_request.order_id])
        return format_html('<a href="{}">{}</a>', url, return_request.order.number)

    @admin.display(description="Customer", ordering="order__email")
    def customer_email(self, return_request: ReturnRequest) -> str:
        return return_request.order.email

    @admin.display(description="Units", ordering="unit_count")
    def units(self, return_request: ReturnRequest) -> int:
        return getattr(return_request, "unit_count", None) or 0

    @admin.display(description="Receiving receipt")
    def receipt_link(self, return_request: ReturnRequest) -> str:
        receipt = ReceivingReceipt.objects.filter(return_request=return_request).first()
        if receipt is None:
            return "—"
        url = reverse(f"{self.admin_site.name}:returns_receivingreceipt_change",
                      args=[receipt.pk])
        return format_html('<a href="{}">{}</a>', url, receipt.number)

    @admin.display(description="Replacement shipment")
    def replacement(self, return_request: ReturnRequest) -> str:
        shipment = return_request.replacement_shipment
        if shipment is None:
            return "—"
        url = reverse(f"{self.admin_site.name}:orders_shipment_change", args=[shipment.pk])
        return format_html('<a href="{}">{} ({})</a>', url, shipment.number, shipment.status)

    @admin.display(description="Delivery refunded")
    def delivery_refunded_display(self, return_request: ReturnRequest) -> str:
        return money_display(return_request.delivery_refunded, return_request.order.currency)


# --- Receiving receipts -------------------------------------------------------------------------

class ReceiptLineInline(ReadOnlyInline):
    model = ReceiptLine
    verbose_name_plural = "Received"
    fields = ("sku", "quantity", "condition")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("return_line__order_line")

    @admin.display(description="SKU")
    def sku(self, line: ReceiptLine) -> str:
        return line.return_line.order_line.sku


@admin.register(ReceivingReceipt)
class ReceivingReceiptAdmin(ViewOnlyAdmin):
    list_display = ("number", "return_link", "warehouse", "received_by", "created_at")
    list_filter = ("warehouse", "lines__condition", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("return_request", "warehouse")
    search_fields = ("number", "return_request__rma", "return_request__order__number")
    show_facets = admin.ShowFacets.ALWAYS
    fields = ("number", "return_link", "warehouse", "received_by", "created_at")
    readonly_fields = fields
    inlines = (ReceiptLineInline,)
    change_form_template = "admin/returns/receivingreceipt/change_form.html"

    # Issued by receiving a return (its page, or the warehouse API); never edited.
    def get_urls(self) -> list[URLPattern]:
        pdf = path("<path:object_id>/pdf/", self.admin_site.admin_view(self.pdf_view),
                   name="returns_receivingreceipt_pdf")
        return [pdf, *super().get_urls()]

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None) -> HttpResponse:
        context = {**(extra_context or {}),
                   "pdf_url": reverse(f"{self.admin_site.name}:returns_receivingreceipt_pdf",
                                      args=[object_id])}
        return super().change_view(request, object_id, form_url, context)

    def pdf_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        number = get_object_or_404(ReceivingReceipt, pk=object_id).number
        return pdf_response(pdf.receiving_receipt_pdf(number=number),
                            f"receipt-{number}.pdf")

    @admin.display(description="Return", ordering="return_request__rma")
    def return_link(self, receipt: ReceivingReceipt) -> str:
        url = reverse(f"{self.admin_site.name}:returns_returnrequest_change",
                      args=[receipt.return_request_id])
        return format_html('<a href="{}">{}</a>', url, receipt.return_request.rma)
