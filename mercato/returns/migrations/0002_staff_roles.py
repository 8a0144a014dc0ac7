"""Re-apply the staff roles (fulfilment/roles.py) now that returns have models: Customer
Service may change returns (approve, refund, ...), the Warehouse may issue receiving receipts.
The same steps as fulfilment.0002_staff_roles."""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from mercato.fulfilment.roles import apply_roles


def reapply_roles(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # Permissions are normally created after `migrate` finishes; make the returns ones now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0,
                           using=schema_editor.connection.alias)
        app_config.models_module = None
    apply_roles(group_model=apps.get_model("auth", "Group"),
                permission_model=apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):

    dependencies = [
        ("returns", "0001_initial"),
        ("fulfilment", "0002_staff_roles"),
    ]

    operations = [migrations.RunPython(reapply_roles, migrations.RunPython.noop)]
