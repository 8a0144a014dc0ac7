"""The staff roles as groups (fulfilment/roles.py): Customer Service, Warehouse, Merchandiser,
Administrator. `manage.py setup_roles` re-applies the same table later (e.g. once the returns
app adds its models); so may a later data migration, calling apply_roles the same way."""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from mercato.fulfilment.roles import apply_roles


def create_roles(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # Permissions are normally created after `migrate` finishes; on a fresh database make them
    # now, so the groups can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0,
                           using=schema_editor.connection.alias)
        app_config.models_module = None
    apply_roles(group_model=apps.get_model("auth", "Group"),
                permission_model=apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("fulfilment", "0001_initial"),
        ("cart", "0003_pricing_choices"),
        ("catalog", "0003_product_listing"),
        ("checkout", "0001_initial"),
        ("core", "0002_event_delivery"),
        ("customers", "0002_address_default_constraints"),
        ("inventory", "0001_initial"),
        ("notifications", "0001_initial"),
        ("orders", "0003_purchase_order_name"),
        ("payments", "0002_test_gateway_provider_side"),
        ("pricing", "0002_tax_classes"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
