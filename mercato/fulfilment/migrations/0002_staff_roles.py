"""The staff roles as groups (fulfilment/roles.py): Customer Service, Warehouse, Merchandiser,
Administrator. `manage.py setup_roles` re-applies the same table later (e.g. once the returns
app adds its models); so may a later data migration, calling apply_roles the same way."""

from django.db import migrations

from mercato.fulfilment.roles import apply_roles_in_migration


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

    operations = [migrations.RunPython(apply_roles_in_migration, migrations.RunPython.noop)]
