# Step 1 of 3 (Django's "migrations that add unique fields"): the column, nullable and not
# unique yet, so the existing return lines do not all get the one default computed for the
# migration.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('returns', '0003_exchange_difference'),
    ]

    operations = [
        migrations.AddField(
            model_name='returnline',
            name='public_id',
            field=models.CharField(editable=False, max_length=24, null=True),
        ),
    ]
