"""Staff roles: Django groups whose permissions come from one table.

A role is a list of patterns over "app_label.codename" (fnmatch: `orders.*`, `catalog.view_*`).
`apply_roles` makes each group hold exactly what its patterns match among the permissions that
exist, so it can run again whenever an app adds models: the data migration
`fulfilment.0002_staff_roles` runs it on `migrate`, and `manage.py setup_roles` re-applies it
(run it after a new app's migrations, e.g. returns). A staff member gets a role by being put in
its group (and `is_staff`, to log in to the back office).

What the roles mean in the back office:
- Moving money (capture, cancel an order or a shipment — which voids or refunds) needs
  `orders.change_order`: Customer Service and Administrator have it, Warehouse does not.
- Warehouse work (picklists, packing slips, ship, delivery) needs `orders.change_shipment`
  and the picklist permissions; releasing or holding a shipment needs that or
  `orders.change_order` (customer service holds a parcel for a customer too).
- Merchandisers hold no `orders` or `cart` permission: they do not see orders at all.
- Returns: Customer Service creates, edits, approves or rejects, refunds (refunding also
  needs `orders.change_order`), ships replacements and cancels — `returns.change_returnrequest`;
  Warehouse receives the goods — `returns.add_receivingreceipt` — and Customer Service does not.
  Both see returns. The data migration `returns.0002_staff_roles` re-applies this table.
- Editing staff accounts stays with Administrators: the user form edits `is_superuser`, so
  `customers.change_user` is kept out of Customer Service.
"""

from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase

from django.db import models

CUSTOMER_SERVICE = "Customer Service"
WAREHOUSE = "Warehouse"
MERCHANDISER = "Merchandiser"
ADMINISTRATOR = "Administrator"

ROLES: Mapping[str, tuple[str, ...]] = {
    CUSTOMER_SERVICE: (
        "orders.view_*", "orders.change_order", "customers.view_*",
        # returns: create, edit, approve/reject, refund, replace, cancel — not receive goods
        "returns.view_*", "returns.*_returnrequest", "returns.*_returnline",
        "customers.add_address", "customers.change_address", "cart.view_*", "payments.view_*",
        "fulfilment.view_*", "catalog.view_*", "inventory.view_*",
    ),
    WAREHOUSE: (
        "orders.view_shipment", "orders.change_shipment", "fulfilment.*", "inventory.*",
        # receiving returned goods: the receiving receipt (not approving or refunding)
        "returns.view_*", "returns.add_receivingreceipt", "catalog.view_*",
    ),
    MERCHANDISER: (
        "catalog.*", "pricing.*", "content.*", "inventory.view_*",
    ),
    ADMINISTRATOR: ("*",),
}


def permissions_for(patterns: Iterable[str], available: Iterable[tuple[int, str]]) -> set[int]:
    """The ids among `available` (id, "app_label.codename") that any pattern matches."""
    patterns = tuple(patterns)
    return {pk for pk, name in available
            if any(fnmatchcase(name, pattern) for pattern in patterns)}


def apply_roles(*, group_model: type[models.Model],
                permission_model: type[models.Model]) -> dict[str, int]:
    """Create or update each role's group with exactly its permissions; returns the counts.

    Takes the model classes so a migration can pass its historical ones."""
    available = [
        (pk, f"{app_label}.{codename}")
        for pk, app_label, codename in permission_model.objects.values_list(
            "pk", "content_type__app_label", "codename").order_by("pk")
    ]
    counts = {}
    for role, patterns in ROLES.items():
        group, _ = group_model.objects.get_or_create(name=role)
        chosen = permissions_for(patterns, available)
        group.permissions.set(sorted(chosen))
        counts[role] = len(chosen)
    return counts


def apply_roles_in_migration(apps: object, schema_editor: object) -> None:
    """A data migration's RunPython: make the permissions of the models migrated so far (they
    are normally created after `migrate` finishes), then give each role its permissions."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0,
                           using=schema_editor.connection.alias)
        app_config.models_module = None
    apply_roles(group_model=apps.get_model("auth", "Group"),
                permission_model=apps.get_model("auth", "Permission"))

