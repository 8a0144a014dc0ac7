"""The back office: Django admin, with models grouped in the sections merchants know."""

from typing import NamedTuple

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.text import slugify


class View(NamedTuple):
    """A named, filtered list of a model, listed in a section like a model of its own
    ("Released for Shipping" is the shipments list filtered on that status)."""

    app_label: str
    model: str
    name: str
    query: str


# Section -> (app_label, model name) or View, in display order. Models not listed keep their
# app's group. Order Management reads as merchants know it: Purchase Orders, Carts,
# Shipping/Receiving (Released for Shipping, Picklists, Shipped, every shipment), Returns (to
# approve, awaiting stock, awaiting completion, every return, receiving receipts).
SECTIONS: dict[str, list[tuple[str, str] | View]] = {
    "Catalog": [
        ("catalog", "product"), ("catalog", "productvariant"), ("catalog", "category"),
        ("catalog", "producttype"), ("catalog", "brand"), ("catalog", "attribute"),
        ("catalog", "tag"), ("inventory", "warehouse"), ("inventory", "stock"),
    ],
    "Order Management": [
        ("orders", "order"), ("cart", "cart"),
        View("orders", "shipment", "Released for Shipping", "status__exact=Released"),
        ("fulfilment", "picklist"),
        View("orders", "shipment", "Shipped", "status__exact=Shipped"),
        ("orders", "shipment"),
        View("returns", "returnrequest", "Returns to Approve", "status__exact=Requested"),
        View("returns", "returnrequest", "Awaiting Stock Return",
             "status__exact=AwaitingStockReturn"),
        View("returns", "returnrequest", "Awaiting Completion",
             "status__exact=AwaitingCompletion"),
        ("returns", "returnrequest"), ("returns", "receivingreceipt"),
    ],
    "Customers": [
        ("customers", "user"), ("customers", "address"), ("customers", "apitoken"),
        ("auth", "group"),
        ("axes", "accessattempt"),  # locked-out logins: staff delete the rows to unlock
    ],
    "System": [("core", "event"), ("core", "eventdelivery"), ("notifications", "sentemail")],
    "Pricing": [
        ("pricing", "taxclass"), ("pricing", "taxrate"), ("pricing", "deliverymethod"),
        ("pricing", "deliveryzone"), ("pricing", "promotion"), ("pricing", "coupon"),
    ],
    "Payments": [("payments", "payment"), ("payments", "giftcard")],
}


class MercatoAdminSite(admin.AdminSite):
    site_header = "Mercato back office"
    site_title = "Mercato"
    index_title = "Back office"

    def get_urls(self) -> list[URLResolver | URLPattern]:
        section = path("section/<slug:slug>/", self.admin_view(self.section_index),
                       name="section")
        return [section, *super().get_urls()]

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict]:
        apps = super().get_app_list(request, app_label)
        if app_label:
            return apps
        models = {
            (app["app_label"], model["object_name"].lower()): model
            for app in apps
            for model in app["models"]
        }
        sections = [self._section(title, keys, models) for title, keys in SECTIONS.items()]
        placed = {key[:2] for keys in SECTIONS.values() for key in keys}
        rest = []
        for app in apps:
            unplaced = [m for m in app["models"]
                        if (app["app_label"], m["object_name"].lower()) not in placed]
            if unplaced:
                rest.append({**app, "models": unplaced})
        return [section for section in sections if section["models"]] + rest

    def _section(self, title: str, keys: list[tuple[str, str]], models: dict) -> dict:
        return {
            "name": title,
            "app_label": slugify(title),
            "app_url": reverse(f"{self.name}:section", kwargs={"slug": slugify(title)},
                               current_app=self.name),
            "has_module_perms": True,
            "is_section": True,
            "models": [self._entry(key, models[key[:2]]) for key in keys if key[:2] in models],
        }

    @staticmethod
    def _entry(key: tuple[str, str] | View, model: dict) -> dict:
        if not isinstance(key, View):
            return model
        url = model["admin_url"] and f"{model['admin_url']}?{key.query}"
        return {**model, "name": key.name, "admin_url": url, "add_url": None, "view_only": True}

    def section_index(self, request: HttpRequest, slug: str) -> TemplateResponse:
        """One section's models, like Django's per-app index (the section title links here)."""
        sections = [app for app in self.get_app_list(request)
                    if app.get("is_section") and app["app_label"] == slug]
        if not sections:
            raise Http404("The requested admin section does not exist.")
        context = {
            **self.each_context(request),
            "title": sections[0]["name"],
            "subtitle": None,
            "app_list": sections,
            "app_label": slug,
        }
        request.current_app = self.name
        return TemplateResponse(request, "admin/app_index.html", context)


class MercatoAdminConfig(AdminConfig):
    default_site = "mercato.core.admin_site.MercatoAdminSite"
