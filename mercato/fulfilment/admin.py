"""Order Management > Shipping/Receiving: Released for Shipping, Picklists, Shipped.

The shipments list (orders.Shipment, read-only) is shown through the section's named views
(core/admin_site.py: "Released for Shipping" is the list filtered on Released), with counts on
every filter. A shipment's page shows its lines and its history, and the buttons its status and
the staff member's role allow: release, hold, cancel (orders services, shared with the order
page), add to picklist, print the packing slip, ship with carrier + tracking number (fulfilment
services). Picklists are created from chosen released shipments or as "next N" of a warehouse,
and print as a PDF. Every button calls a service as the staff member (the history says who and
when); a refusal comes back as a message and changes nothing.

Permissions (roles in fulfilment/roles.py): warehouse moves need orders.change_shipment;
creating a picklist fulfilment.add_picklist; cancelling (it may void or refund) also
orders.change_order.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from mercato.core.admin import ViewOnlyAdmin, action_buttons, staff_actor
from mercato.core.models import Event
from mercato.core.problems import Problem
from mercato.core.selectors import About, history
from mercato.fulfilment import pdf, selectors, services
from mercato.fulfilment.models import Picklist, PicklistLine, PicklistShipment
from mercato.fulfilment.pdf import pdf_response
from mercato.fulfilment.rules import CARRIERS
from mercato.inventory.models import Warehouse
from mercato.orders import services as orders_services
from mercato.orders.admin import (
    CHANGE_SHIPMENT,
    OfOrderLineInline,
    ReadOnlyInline,
    history_rows,
    offered_shipment_actions,
    run_shipment_action,
)
from mercato.orders.models import Shipment, ShipmentLine
from mercato.orders.states import (
    OrderStatus,
    ShipmentStatus,
    shipment_moves_allowed,
)

ADD_PICKLIST = "fulfilment.add_picklist"
KNOWN_CARRIERS = tuple(carrier.name for carrier in CARRIERS.values())
# The section's named views of the shipments list (core/admin_site.py SECTIONS).
# A shipment still to release, pack or ship; while its order is on hold it waits for it.
WAITING_TO_SHIP = frozenset({ShipmentStatus.INVENTORY_ASSIGNED, ShipmentStatus.RELEASED,
                                   ShipmentStatus.PACKING})
LIST_TITLES = {ShipmentStatus.RELEASED: "Released for Shipping",
               ShipmentStatus.SHIPPED: "Shipped"}


def shipment_history(shipment: Shipment) -> list[Event]:
    """The shipment's part of its order's history (its events name it by public id)."""
    return history(About("order", shipment.order.public_id),
                   mentioning={"shipment_id": shipment.public_id})


class ShipForm(forms.Form):
    carrier = forms.CharField(max_length=40, help_text="UPS, USPS, FedEx, DHL, or another name "
                              "(its tracking number is then free text).")
    tracking_number = forms.CharField(max_length=100)
    weight_grams = forms.IntegerField(min_value=1, required=False, label="Weight (g)")


class PicklistForm(forms.Form):
    warehouse = forms.ModelChoiceField(queryset=Warehouse.objects.order_by("code"))
    next_n = forms.IntegerField(min_value=1, max_value=500, initial=20,
                                label="Next N released shipments")


class ShipmentLineInline(OfOrderLineInline):
    model = ShipmentLine
    verbose_name_plural = "Lines"
    fields = ("sku", "title", "quantity", "bin_location")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order_line", "stock")

    @admin.display(description="Bin")
    def bin_location(self, line: ShipmentLine) -> str:
        return getattr(line.stock, "bin_location", "") or "—"


@admin.register(Shipment)
class ShipmentAdmin(ViewOnlyAdmin):
    list_display = ("number", "order_link", "status", "warehouse", "ship_to", "units",
                    "delivery_method_name", "carrier", "tracking", "created_at", "shipped_at")
    list_filter = ("status", "warehouse", "carrier", "delivery_method_name",
                   ("shipped_at", admin.DateFieldListFilter), "country")
    list_select_related = ("order", "warehouse")
    search_fields = ("number", "order__number", "order__email", "tracking_number", "last_name")
    ordering = ("created_at", "id")
    show_facets = admin.ShowFacets.ALWAYS
    list_per_page = 100
    actions = ("add_to_picklist", "release_selected", "confirm_delivery_selected")
    fieldsets = (
        (None, {"fields": ("number", "order_link", "status", "warehouse", "created_at")}),
        ("Ship to", {"fields": ("ship_to", "phone")}),
        ("Delivery", {"fields": ("delivery_method_name", "carrier", "tracking",
                                 "weight_grams", "shipped_at", "delivered_at")}),
    )
    readonly_fields = ("number", "order_link", "status", "warehouse", "created_at", "ship_to",
                       "phone", "delivery_method_name", "carrier", "tracking", "weight_grams",
                       "shipped_at", "delivered_at")
    inlines = (ShipmentLineInline,)
    change_form_template = "admin/fulfilment/shipment/change_form.html"

    def has_warehouse_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(CHANGE_SHIPMENT)

    def has_picklist_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perms((CHANGE_SHIPMENT, ADD_PICKLIST))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Shipment]:
        return super().get_queryset(request).annotate(unit_count=Sum("lines__quantity"))

    def get_urls(self) -> list[URLPattern]:
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/act/<slug:action>/",
                 view(require_POST(self.action_view)), name=f"{name}_act"),
            path("<path:object_id>/ship/", view(require_POST(self.ship_view)),
                 name=f"{name}_ship"),
            path("<path:object_id>/picklist/", view(require_POST(self.picklist_view)),
                 name=f"{name}_picklist"),
            path("<path:object_id>/deliver/", view(require_POST(self.deliver_view)),
                 name=f"{name}_deliver"),
            path("<path:object_id>/packing-slip/", view(self.packing_slip_view),
                 name=f"{name}_packing_slip"),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest,
                        extra_context: dict | None = None) -> HttpResponse:
        title = LIST_TITLES.get(request.GET.get("status__exact", ""), "Shipments")
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None) -> HttpResponse:
        shipment = self.get_object(request, object_id)
        if shipment is None:
            return super().change_view(request, object_id, form_url, extra_context)
        site = self.admin_site.name
        warehouse = self.has_warehouse_permission(request)
        moves = shipment_moves_allowed(shipment_status=shipment.status,
                                       order_status=shipment.order.status)
        context = {
            **(extra_context or {}),
            "shipment_actions": action_buttons(
                offered_shipment_actions(shipment, request.user),
                lambda name: reverse(f"{site}:orders_shipment_act", args=[shipment.pk, name])),
            "ship_form": ShipForm() if warehouse and "ship" in moves else None,
            "ship_url": reverse(f"{site}:orders_shipment_ship", args=[shipment.pk]),
            "can_pick": "pack" in moves and self.has_picklist_permission(request),
            "stopped_by_order": (shipment.order.status == OrderStatus.ON_HOLD
                                 and shipment.status in WAITING_TO_SHIP),
            "picklist_url": reverse(f"{site}:orders_shipment_picklist", args=[shipment.pk]),
            "can_deliver": (warehouse and shipment.status == ShipmentStatus.SHIPPED
                            and shipment.delivered_at is None),
            "deliver_url": reverse(f"{site}:orders_shipment_deliver", args=[shipment.pk]),
            "packing_slip_url": reverse(f"{site}:orders_shipment_packing_slip",
                                        args=[shipment.pk]),
            "known_carriers": KNOWN_CARRIERS,
            "history_rows": history_rows(shipment_history(shipment)),
        }
        return super().change_view(request, object_id, form_url, context)

    def _page(self, shipment: Shipment) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse(f"{self.admin_site.name}:orders_shipment_change",
                                            args=[shipment.pk]))

    def action_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        """Release, hold, release hold, cancel: the orders services (shared table)."""
        shipment = get_object_or_404(Shipment, pk=object_id)
        run_shipment_action(request, shipment, action)
        return self._page(shipment)

    def ship_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Ship with carrier + tracking number (checked for the carriers we know) + weight."""
        if not self.has_warehouse_permission(request):
            raise PermissionDenied
        shipment = get_object_or_404(Shipment, pk=object_id)
        form = ShipForm(request.POST)
        if not form.is_valid():
            errors = "; ".join(f"{field}: {' '.join(errs)}" for field, errs in form.errors.items())
            self.message_user(request, f"Not shipped — {errors}", messages.ERROR)
            return self._page(shipment)
        try:
            services.ship_shipment(public_id=shipment.public_id, by=staff_actor(request),
                                   **form.cleaned_data)
        except Problem as problem:
            self.message_user(request, problem.detail, messages.ERROR)
        else:
            self.message_user(request, f"Shipment {shipment.number} is shipped.",
                              messages.SUCCESS)
        return self._page(shipment)

    def deliver_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The carrier delivered it (cash on delivery is then marked paid)."""
        if not self.has_warehouse_permission(request):
            raise PermissionDenied
        shipment = get_object_or_404(Shipment, pk=object_id)
        self._confirm_delivery(request, [shipment])
        return self._page(shipment)

    def _confirm_delivery(self, request: HttpRequest, shipments: list[Shipment]) -> None:
        for shipment in shipments:
            try:
                orders_services.confirm_delivery(public_id=shipment.public_id,
                                                 by=staff_actor(request))
            except Problem as problem:
                self.message_user(request, f"{shipment.number}: {problem.detail}",
                                  messages.ERROR)
            else:
                self.message_user(request, f"Shipment {shipment.number} is delivered.",
                                  messages.SUCCESS)

    @admin.action(description="Confirm delivery of selected shipments",
                  permissions=["warehouse"])
    def confirm_delivery_selected(self, request: HttpRequest,
                                  queryset: QuerySet[Shipment]) -> None:
        self._confirm_delivery(request, list(queryset.order_by("pk")))

    def picklist_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Add this one released shipment to a new picklist of its warehouse."""
        shipment = get_object_or_404(Shipment, pk=object_id)
        picklist = self._create_picklist(request, [shipment])
        if picklist is None:
            return self._page(shipment)
        return HttpResponseRedirect(reverse(f"{self.admin_site.name}:fulfilment_picklist_change",
                                            args=[picklist.pk]))

    def packing_slip_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        shipment = get_object_or_404(Shipment, pk=object_id)
        try:
            content = pdf.packing_slip_pdf(shipment_public_id=shipment.public_id)
        except Problem as problem:
            self.message_user(request, problem.detail, messages.ERROR)
            return self._page(shipment)
        return pdf_response(content, f"packing-slip-{shipment.number}.pdf")

    def _create_picklist(self, request: HttpRequest, shipments: list[Shipment]) -> Picklist | None:
        if not self.has_picklist_permission(request):
            raise PermissionDenied
        warehouses = {shipment.warehouse_id for shipment in shipments}
        if len(warehouses) != 1 or None in warehouses:
            self.message_user(request, "A picklist takes released shipments of one warehouse: "
                              "choose shipments of a single warehouse.", messages.ERROR)
            return None
        try:
            picklist = services.create_picklist(
                warehouse_id=warehouses.pop(), by=staff_actor(request),
                shipment_ids=[shipment.public_id for shipment in shipments])
        except Problem as problem:
            self.message_user(request, problem.detail, messages.ERROR)
            return None
        self.message_user(request, f"Picklist {picklist.number} created with "
                          f"{len(shipments)} shipment(s); they are now Packing.",
                          messages.SUCCESS)
        return picklist

    @admin.action(description="Add selected shipments to a new picklist",
                  permissions=["picklist"])
    def add_to_picklist(self, request: HttpRequest,
                        queryset: QuerySet[Shipment]) -> HttpResponse | None:
        picklist = self._create_picklist(request, list(queryset.order_by("pk")))
        if picklist is None:
            return None
        return HttpResponseRedirect(reverse(f"{self.admin_site.name}:fulfilment_picklist_change",
                                            args=[picklist.pk]))

    @admin.action(description="Release selected shipments for shipping",
                  permissions=["warehouse"])
    def release_selected(self, request: HttpRequest, queryset: QuerySet[Shipment]) -> None:
        released, refused = 0, []
        for shipment in queryset.order_by("pk"):
            try:
                orders_services.release_shipment(public_id=shipment.public_id,
                                          by=staff_actor(request))
            except Problem as problem:
                refused.append(f"{shipment.number}: {problem.detail}")
            else:
                released += 1
        if refused:
            self.message_user(request, "Not released — " + "; ".join(refused), messages.ERROR)
        self.message_user(request, f"{released} shipment(s) released for shipping.",
                          messages.SUCCESS if released else messages.WARNING)

    @admin.display(description="Order", ordering="order__number")
    def order_link(self, shipment: Shipment) -> str:
        url = reverse(f"{self.admin_site.name}:orders_order_change", args=[shipment.order_id])
        return format_html('<a href="{}">{}</a>', url, shipment.order.number)

    @admin.display(description="Ship to")
    def ship_to(self, shipment: Shipment) -> str:
        parts = (f"{shipment.first_name} {shipment.last_name}".strip(), shipment.city,
                 shipment.country)
        return ", ".join(part for part in parts if part)

    @admin.display(description="Units", ordering="unit_count")
    def units(self, shipment: Shipment) -> int:
        return getattr(shipment, "unit_count", None) or 0

    @admin.display(description="Tracking", ordering="tracking_number")
    def tracking(self, shipment: Shipment) -> str:
        if not shipment.tracking_number:
            return "—"
        if not shipment.tracking_url:
            return shipment.tracking_number
        return format_html('<a href="{}" rel="noopener" target="_blank">{}</a>',
                           shipment.tracking_url, shipment.tracking_number)


# --- Picklists ----------------------------------------------------------------------------------

class PicklistShipmentInline(ReadOnlyInline):
    model = PicklistShipment
    verbose_name_plural = "Shipments"
    fields = ("position", "shipment_link", "order_number", "status")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("shipment__order")

    @admin.display(description="Shipment")
    def shipment_link(self, entry: PicklistShipment) -> str:
        url = reverse("admin:orders_shipment_change", args=[entry.shipment_id])
        return format_html('<a href="{}">{}</a>', url, entry.shipment.number)

    @admin.display(description="Order")
    def order_number(self, entry: PicklistShipment) -> str:
        return entry.shipment.order.number

    @admin.display(description="Status")
    def status(self, entry: PicklistShipment) -> str:
        return entry.shipment.get_status_display()


class PicklistLineInline(ReadOnlyInline):
    model = PicklistLine
    verbose_name_plural = "To pick (by bin and SKU)"
    fields = ("bin_location", "sku", "title", "quantity", "shipment_number")
    readonly_fields = fields

    def get_queryset(self, request):
        return (super().get_queryset(request).select_related("shipment")
                .order_by("bin_location", "sku", "id"))

    @admin.display(description="For shipment")
    def shipment_number(self, line: PicklistLine) -> str:
        return line.shipment.number


@admin.register(Picklist)
class PicklistAdmin(ViewOnlyAdmin):
    list_display = ("number", "warehouse", "shipment_count", "unit_count", "created_by",
                    "created_at")
    list_filter = ("warehouse", ("created_at", admin.DateFieldListFilter))
    search_fields = ("number", "entries__shipment__number", "entries__shipment__order__number")
    show_facets = admin.ShowFacets.ALWAYS
    list_per_page = 50
    fields = ("number", "warehouse", "created_by", "created_at", "shipment_count",
              "unit_count")
    readonly_fields = fields
    inlines = (PicklistLineInline, PicklistShipmentInline)
    change_form_template = "admin/fulfilment/picklist/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Picklist]:
        return selectors.picklists()

    # A picklist is made by the "next N" form (add_view) or from chosen shipments; never edited.
    def has_add_permission(self, request):
        return request.user.has_perms((CHANGE_SHIPMENT, ADD_PICKLIST))

    def get_urls(self) -> list[URLPattern]:
        pdf = path("<path:object_id>/pdf/", self.admin_site.admin_view(self.pdf_view),
                   name="fulfilment_picklist_pdf")
        return [pdf, *super().get_urls()]

    def add_view(self, request: HttpRequest, form_url: str = "",
                 extra_context: dict | None = None) -> HttpResponse:
        """Next N released shipments of a warehouse (oldest first) onto a new picklist."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PicklistForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                picklist = services.create_picklist(
                    warehouse_id=form.cleaned_data["warehouse"].pk,
                    next_n=form.cleaned_data["next_n"], by=staff_actor(request))
            except Problem as problem:
                self.message_user(request, problem.detail, messages.ERROR)
            else:
                self.message_user(request, f"Picklist {picklist.number} created.",
                                  messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse(f"{self.admin_site.name}:fulfilment_picklist_change",
                            args=[picklist.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Create a picklist",
            "opts": self.opts,
            "form": form,
            "released_counts": released_counts(),
        }
        return TemplateResponse(request, "admin/fulfilment/picklist/create.html", context)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None) -> HttpResponse:
        picklist = self.get_object(request, object_id)
        if picklist is None:
            return super().change_view(request, object_id, form_url, extra_context)
        events = history(About("picklist", picklist.number))
        context = {
            **(extra_context or {}),
            "pdf_url": reverse(f"{self.admin_site.name}:fulfilment_picklist_pdf",
                               args=[picklist.pk]),
            "history_rows": history_rows(events),
        }
        return super().change_view(request, object_id, form_url, context)

    def pdf_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        number = get_object_or_404(Picklist, pk=object_id).number
        content = pdf.picklist_pdf(picklist=selectors.picklist_detail(number))
        return pdf_response(content, f"picklist-{number}.pdf")

    @admin.display(description="Shipments", ordering="shipment_count")
    def shipment_count(self, picklist: Picklist) -> int:
        return picklist.shipment_count

    @admin.display(description="Units", ordering="units")
    def unit_count(self, picklist: Picklist) -> int:
        return picklist.units or 0


def released_counts() -> list[dict]:
    """Released shipments waiting per warehouse, for the picklist form."""
    return list(Shipment.objects.filter(status=ShipmentStatus.RELEASED)
                .values("warehouse__code", "warehouse__name")
                .annotate(count=Count("id")).order_by("warehouse__code"))
