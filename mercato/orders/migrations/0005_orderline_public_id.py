# Step 1 of 3 (Django's "migrations that add unique fields"): the column, nullable and not
# unique yet, so the existing lines do not all get the one default computed for the migration.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0004_shipment_tracking'),
    ]

    operations = [
        migrations.AddField(
            model_name='orderline',
            name='public_id',
            field=models.CharField(editable=False, max_length=24, null=True),
        ),
    ]
