"""Re-apply the staff roles (fulfilment/roles.py) now that integrations and the shipment tracking
entries have models: the Administrator role manages webhook subscriptions and incoming
connections; Customer Service sees a parcel's tracking entries."""

from django.db import migrations

from mercato.fulfilment.roles import apply_roles_in_migration


class Migration(migrations.Migration):

    dependencies = [
        ("integrations", "0001_initial"),
        ("orders", "0008_shipment_tracking_event"),
        ("returns", "0002_staff_roles"),
    ]

    operations = [migrations.RunPython(apply_roles_in_migration, migrations.RunPython.noop)]
