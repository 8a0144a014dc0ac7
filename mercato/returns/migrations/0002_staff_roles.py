"""Re-apply the staff roles (fulfilment/roles.py) now that returns have models: Customer
Service may change returns (approve, refund, ...), the Warehouse may issue receiving receipts.
The same steps as fulfilment.0002_staff_roles."""

from django.db import migrations

from mercato.fulfilment.roles import apply_roles_in_migration


class Migration(migrations.Migration):

    dependencies = [
        ("returns", "0001_initial"),
        ("fulfilment", "0002_staff_roles"),
    ]

    operations = [migrations.RunPython(apply_roles_in_migration, migrations.RunPython.noop)]
