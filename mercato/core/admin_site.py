"""The back office: Django admin, with models grouped in the sections merchants know."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest

# Section -> (app_label, model name) in display order. Models not listed keep their app's group.
SECTIONS: dict[str, list[tuple[str, str]]] = {
    "Catalog": [
        ("catalog", "product"), ("catalog", "productvariant"), ("catalog", "category"),
        ("catalog", "producttype"), ("catalog", "brand"), ("catalog", "attribute"),
        ("catalog", "tag"), ("inventory", "warehouse"), ("inventory", "stock"),
    ],
    "Order Management": [("cart", "cart")],
    "Customers": [("customers", "user"), ("customers", "address"), ("auth", "group")],
    "System": [("core", "event")],
}


class MercatoAdminSite(admin.AdminSite):
    site_header = "Mercato back office"
    site_title = "Mercato"
    index_title = "Back office"

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict]:
        apps = super().get_app_list(request, app_label)
        if app_label:
            return apps
        models = {
            (app["app_label"], model["object_name"].lower()): model
            for app in apps
            for model in app["models"]
        }
        placed: set[tuple[str, str]] = set()
        sections = []
        for title, keys in SECTIONS.items():
            section_models = [models[key] for key in keys if key in models]
            placed.update(key for key in keys if key in models)
            if section_models:
                sections.append({
                    "name": title, "app_label": keys[0][0], "app_url": "",
                    "has_module_perms": True, "models": section_models,
                })
        for app in apps:
            rest = [m for m in app["models"]
                    if (app["app_label"], m["object_name"].lower()) not in placed]
            if rest:
                sections.append({**app, "models": rest})
        return sections


class MercatoAdminConfig(AdminConfig):
    default_site = "mercato.core.admin_site.MercatoAdminSite"
