# Step 3 of 3: every return line has its id; from now on it is required, unique and made on
# create.

import mercato.core.ids
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('returns', '0005_fill_returnline_public_id'),
    ]

    operations = [
        migrations.AlterField(
            model_name='returnline',
            name='public_id',
            field=models.CharField(default=mercato.core.ids.new_public_id, editable=False,
                                   max_length=24, unique=True),
        ),
    ]
