"""Order Management > Purchase Orders: the orders, read-only, with their lines, addresses,
discounts, shipments, payments and the history of every event (the order's and its payments').

Staff move an order only with the buttons of its page — capture payments, put on hold, release
hold, cancel — each a POST calling an orders service as the staff member; a refused move comes
back as a message and changes nothing. Each shipment has its own buttons there too (release for
shipping, hold, release hold, cancel, packing slip); SHIPMENT_ACTIONS is shared with the
Shipping/Receiving pages (fulfilment/admin.py), which add picklists and shipping.

Permissions (the staff roles, fulfilment/roles.py): moving an order or anything that may move
money (capture, cancel an order or a shipment: voids or refunds) needs orders.change_order;
releasing or holding a shipment needs orders.change_shipment (warehouse) or change_order.
The list's "Export for accounting" form (admin_export.py) needs only orders.view_order.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from mercato.core.admin import (
    AmountBandFilter,
    ViewOnlyAdmin,
    action_buttons,
    money_display,
    staff_actor,
)
from mercato.core.events import SCHEMA_VERSION_KEY, Actor
from mercato.core.models import Event
from mercato.core.problems import Problem
from mercato.orders import services
from mercato.orders.admin_export import export_view
from mercato.orders.admin_shipments import (  # noqa: F401 - re-exported for other admin modules
    CHANGE_ORDER,
    CHANGE_SHIPMENT,
    SHIPMENT_ACTIONS,
    ShipmentAction,
    _cancel_shipment,
    _hold_shipment,
    _registered,
    _release_shipment,
    _release_shipment_hold,
    may,
    offered_shipment_actions,
    packing_slip_url,
    run_shipment_action,
    shipment_rows,
)
from mercato.orders.models import Order, OrderAddress, OrderDiscount, OrderLine, Shipment
from mercato.orders.selectors import (
    PAYMENT_STATE_CHOICES,
    annotated_payment_state,
    filter_payment_state,
    order_payments,
    order_timeline,
    orders_for_back_office,
    payment_state_label,
    shipments_with_lines,
)
from mercato.orders.states import ORDER_TRANSITIONS, OrderStatus
from mercato.payments.models import Payment
from mercato.payments.states import PaymentStatus

PAYLOAD_SUMMARY_LENGTH = 160


class PaymentStateFilter(admin.SimpleListFilter):
    """What the order's payments add up to (see selectors.payment_state)."""

    title = "payment state"
    parameter_name = "payment"

    def lookups(self, request, model_admin):
        return PAYMENT_STATE_CHOICES

    def queryset(self, request, queryset):
        if self.value() in dict(PAYMENT_STATE_CHOICES):
            return filter_payment_state(queryset, self.value())
        return queryset


class OrderTotalFilter(AmountBandFilter):
    """The order total in its own currency (as the cart value filter)."""

    title = "total"
    parameter_name = "total"
    field = "total"


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OfOrderLine(Protocol):
    order_line: OrderLine


class OfOrderLineInline(ReadOnlyInline):
    """Rows that belong to an order line (shipment lines, return lines): its SKU and title."""

    @admin.display(description="SKU")
    def sku(self, line: OfOrderLine) -> str:
        return line.order_line.sku

    @admin.display(description="Item")
    def title(self, line: OfOrderLine) -> str:
        return " — ".join(part for part in (line.order_line.product_title,
                                             line.order_line.variant_name) if part)


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    verbose_name_plural = "Lines"
    fields = ("sku", "product_title", "variant_name", "quantity", "unit_price_display",
              "discount_display", "amount_display", "tax_rate_display", "tax_display")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order")

    @admin.display(description="Unit price")
    def unit_price_display(self, line: OrderLine) -> str:
        return money_display(line.unit_price, line.order.currency)

    @admin.display(description="Discount")
    def discount_display(self, line: OrderLine) -> str:
        return money_display(line.discount_amount, line.order.currency)

    @admin.display(description="Line total")
    def amount_display(self, line: OrderLine) -> str:
        return money_display(line.amount, line.order.currency)

    @admin.display(description="Tax rate")
    def tax_rate_display(self, line: OrderLine) -> str:
        return f"{line.tax_rate.normalize():f} %"

    @admin.display(description="Tax")
    def tax_display(self, line: OrderLine) -> str:
        return money_display(line.tax, line.order.currency)


ADDRESS_COLUMNS = ("kind", "first_name", "last_name", "company_name", "street_address_1",
                   "street_address_2", "postal_code", "city", "country_area", "country",
                   "phone")


class OrderAddressInline(ReadOnlyInline):
    model = OrderAddress
    verbose_name_plural = "Addresses"
    fields = ADDRESS_COLUMNS
    readonly_fields = fields


class OrderDiscountInline(ReadOnlyInline):
    model = OrderDiscount
    verbose_name_plural = "Discounts"
    fields = ("name", "amount_display")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order")

    @admin.display(description="Amount")
    def amount_display(self, discount: OrderDiscount) -> str:
        return money_display(discount.amount, discount.order.currency)


class ShipmentInline(ReadOnlyInline):
    model = Shipment
    verbose_name_plural = "Shipments"
    fields = ("number", "status", "warehouse", "delivery_method_name", "fee_display",
              "ship_to", "shipment_lines")
    readonly_fields = fields

    def get_queryset(self, request):
        return shipments_with_lines(super().get_queryset(request))

    @admin.display(description="Delivery fee")
    def fee_display(self, shipment: Shipment) -> str:
        return money_display(shipment.delivery_amount, shipment.order.currency)

    @admin.display(description="Ship to")
    def ship_to(self, shipment: Shipment) -> str:
        parts = (f"{shipment.first_name} {shipment.last_name}", shipment.street_address_1,
                 f"{shipment.postal_code} {shipment.city}".strip(), shipment.country)
        return ", ".join(part for part in parts if part)

    @admin.display(description="Lines")
    def shipment_lines(self, shipment: Shipment) -> str:
        return ", ".join(f"{line.quantity} x {line.order_line.sku}"
                         for line in shipment.lines.all())


# --- the order page's buttons -------------------------------------------------------------------

Outcome = tuple[int, str]  # (messages level, what staff read)


@dataclass(frozen=True)
class OrderAction:
    """A button of the order page: what it does and how it asks for a reason."""

    name: str
    label: str
    asks_reason: bool
    needs_reason: bool
    run: Callable[[Order, Actor, str], Outcome]


def _capture(order: Order, by: Actor, reason: str) -> Outcome:
    transactions = services.capture_order_payments(public_id=order.public_id, by=by)
    if not transactions:
        return messages.WARNING, "There was no authorized payment to capture."
    failed = [t for t in transactions if not t.succeeded]
    if failed:
        details = "; ".join(t.error_message or t.error_code for t in failed)
        return messages.ERROR, (f"{len(failed)} of {len(transactions)} capture(s) of order "
                                f"{order.number} failed: {details}")
    return messages.SUCCESS, f"Captured {len(transactions)} payment(s) of order {order.number}."


def _hold(order: Order, by: Actor, reason: str) -> Outcome:
    services.hold_order(public_id=order.public_id, by=by, reason=reason)
    return messages.SUCCESS, f"Order {order.number} is on hold."


def _release_hold(order: Order, by: Actor, reason: str) -> Outcome:
    services.release_hold(public_id=order.public_id, by=by, reason=reason)
    return messages.SUCCESS, f"Order {order.number} is released from hold."


def _cancel(order: Order, by: Actor, reason: str) -> Outcome:
    services.cancel_order(public_id=order.public_id, by=by, reason=reason)
    return messages.SUCCESS, f"Order {order.number} is cancelled."


ORDER_ACTIONS = {
    action.name: action for action in (
        OrderAction("capture", "Capture payments", asks_reason=False, needs_reason=False,
                    run=_capture),
        OrderAction("hold", "Put on hold", asks_reason=True, needs_reason=False, run=_hold),
        OrderAction("release_hold", "Release hold", asks_reason=True, needs_reason=False,
                    run=_release_hold),
        OrderAction("cancel", "Cancel order", asks_reason=True, needs_reason=True,
                    run=_cancel),
    )
}


def offered_actions(order: Order, payments: list[Payment]) -> list[OrderAction]:
    """The buttons the order's state allows: the moves of its status, and capture while a
    payment is authorized and the order is not cancelled."""
    names = set(ORDER_TRANSITIONS.allowed_actions(order.status))
    if order.status != OrderStatus.CANCELLED and any(
            payment.status == PaymentStatus.AUTHORIZED for payment in payments):
        names.add("capture")
    return [action for name, action in ORDER_ACTIONS.items() if name in names]


# --- each shipment's buttons (here and on the Shipping/Receiving pages) --------------------------

def payment_rows(payments: list[Payment]) -> list[dict]:
    return [{
        "payment": payment,
        "amount": money_display(payment.amount, payment.currency),
        "transactions": [{"entry": entry,
                          "amount": money_display(entry.amount, entry.currency)}
                         for entry in payment.transactions.all()],
    } for payment in payments]


def payload_summary(event: Event) -> str:
    """The event's facts in one line ("old_status: InProgress, new_status: OnHold, ...")."""
    text = ", ".join(f"{key}: {value}" for key, value in event.payload.items()
                     if key not in ("aggregate_id", SCHEMA_VERSION_KEY) and value not in ("", None))
    if len(text) > PAYLOAD_SUMMARY_LENGTH:
        return text[:PAYLOAD_SUMMARY_LENGTH - 1] + "…"
    return text


def history_rows(events: list[Event]) -> list[dict]:
    return [{"event": event,
             "subject": ("order" if event.aggregate_type == "order"
                         else f"{event.aggregate_type} {event.aggregate_id}"),
             "summary": payload_summary(event)} for event in events]


@admin.register(Order)
class OrderAdmin(ViewOnlyAdmin):
    list_display = ("number", "created_at", "customer_label", "status", "payment_state",
                    "total_display", "item_count")
    list_filter = ("status", PaymentStateFilter, OrderTotalFilter, "currency")
    list_select_related = ("customer",)
    date_hierarchy = "created_at"
    search_fields = ("number", "email", "customer__email")
    ordering = ("-created_at", "-id")
    list_per_page = 50
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("number", "status", "payment_state", "created_at", "customer_label",
                           "email", "currency")}),
        ("Totals", {"fields": ("subtotal_display", "discount_display", "delivery_display",
                               "delivery_method", "tax_display", "total_display",
                               "prices_include_tax", "item_count")}),
    )
    readonly_fields = ("number", "status", "payment_state", "created_at", "customer_label",
                       "email", "currency", "subtotal_display", "discount_display",
                       "delivery_display", "delivery_method", "tax_display", "total_display",
                       "prices_include_tax", "item_count")
    inlines = (OrderLineInline, OrderDiscountInline, OrderAddressInline, ShipmentInline)
    change_form_template = "admin/orders/order/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Order]:
        return orders_for_back_office()

    def get_urls(self) -> list[URLPattern]:
        opts = self.model._meta
        act = path("<path:object_id>/act/<slug:action>/",
                   self.admin_site.admin_view(require_POST(self.action_view)),
                   name=f"{opts.app_label}_{opts.model_name}_act")
        shipment_act = path(
            "<path:object_id>/shipments/<int:shipment_id>/act/<slug:action>/",
            self.admin_site.admin_view(require_POST(self.shipment_action_view)),
            name=f"{opts.app_label}_{opts.model_name}_shipment_act")
        export = path("export/", self.admin_site.admin_view(self.export_view),
                      name=f"{opts.app_label}_{opts.model_name}_export")
        return [export, shipment_act, act, *super().get_urls()]

    def export_view(self, request: HttpRequest) -> HttpResponseBase:
        """Export for accounting (admin_export.py): needs the view permission on orders."""
        return export_view(self, request)

    def may_act(self, request: HttpRequest) -> bool:
        """Viewing is not enough: moving an order needs the change permission on orders."""
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None) -> HttpResponse:
        order = self.get_object(request, object_id)
        if order is None:
            return super().change_view(request, object_id, form_url, extra_context)
        payments = order_payments(order=order)
        actions = offered_actions(order, payments) if self.may_act(request) else []
        context = {
            **(extra_context or {}),
            "order_actions": action_buttons(actions, lambda name: reverse(
                f"{self.admin_site.name}:orders_order_act", args=[order.pk, name])),
            "payment_rows": payment_rows(payments),
            "shipment_rows": shipment_rows(request, order, self.admin_site.name),
            "history_rows": history_rows(order_timeline(order=order)),
        }
        return super().change_view(request, object_id, form_url, context)

    def action_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        """Run one button's service as the staff member; its refusal becomes the message."""
        if not self.may_act(request):
            raise PermissionDenied
        order = get_object_or_404(Order, pk=object_id)
        page = reverse(f"{self.admin_site.name}:orders_order_change", args=[order.pk])
        chosen = ORDER_ACTIONS.get(action)
        if chosen is None:
            self.message_user(request, f"Unknown action “{action}”.", messages.ERROR)
            return HttpResponseRedirect(page)
        reason = request.POST.get("reason", "").strip()
        if chosen.needs_reason and not reason:
            self.message_user(request, f"{chosen.label}: please give a reason.", messages.ERROR)
            return HttpResponseRedirect(page)
        try:
            level, text = chosen.run(order, staff_actor(request), reason)
        except Problem as problem:
            level, text = messages.ERROR, problem.detail
        self.message_user(request, text, level)
        return HttpResponseRedirect(page)

    def shipment_action_view(self, request: HttpRequest, object_id: str, shipment_id: int,
                             action: str) -> HttpResponse:
        """One shipment's button on the order page (permissions per action, see the table)."""
        shipment = get_object_or_404(Shipment, pk=shipment_id, order_id=object_id)
        run_shipment_action(request, shipment, action)
        return HttpResponseRedirect(
            reverse(f"{self.admin_site.name}:orders_order_change", args=[shipment.order_id]))

    @admin.display(description="Customer", ordering="email")
    def customer_label(self, order: Order) -> str:
        if order.customer_id is None:
            return f"{order.email} (guest)"
        return order.customer.email

    @admin.display(description="Payment state")
    def payment_state(self, order: Order) -> str:
        return payment_state_label(annotated_payment_state(order))

    @admin.display(description="Items", ordering="item_count")
    def item_count(self, order: Order) -> int:
        return order.item_count

    @admin.display(description="Subtotal")
    def subtotal_display(self, order: Order) -> str:
        return money_display(order.subtotal, order.currency)

    @admin.display(description="Discount")
    def discount_display(self, order: Order) -> str:
        return money_display(order.discount_total, order.currency)

    @admin.display(description="Delivery")
    def delivery_display(self, order: Order) -> str:
        return money_display(order.delivery_total, order.currency)

    @admin.display(description="Delivery method")
    def delivery_method(self, order: Order) -> str:
        return order.delivery_method_name or "—"

    @admin.display(description="Tax")
    def tax_display(self, order: Order) -> str:
        return money_display(order.tax_total, order.currency)

    @admin.display(description="Total", ordering="total")
    def total_display(self, order: Order) -> str:
        return money_display(order.total, order.currency)

