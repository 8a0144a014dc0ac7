# Step 2 of 3: a public id of its own for every return line made before return lines had one.

from django.db import migrations

from mercato.core.ids import new_public_id

BATCH = 1000


def fill_public_ids(apps, schema_editor):
    ReturnLine = apps.get_model('returns', 'ReturnLine')
    lines = ReturnLine.objects.filter(public_id__isnull=True).only('pk').order_by('pk')
    batch = []
    for line in lines.iterator(chunk_size=BATCH):
        line.public_id = new_public_id()
        batch.append(line)
        if len(batch) == BATCH:
            ReturnLine.objects.bulk_update(batch, ['public_id'])
            batch = []
    ReturnLine.objects.bulk_update(batch, ['public_id'])


class Migration(migrations.Migration):

    dependencies = [
        ('returns', '0004_returnline_public_id'),
    ]

    operations = [
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop, elidable=True),
    ]
