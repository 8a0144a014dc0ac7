"""The three tax classes every shop starts with (rates are per country: add them in the back
office)."""

from django.db import migrations

TAX_CLASSES = [("standard", "Standard rate"), ("reduced", "Reduced rate"), ("zero", "Zero rate")]


def add_tax_classes(apps, schema_editor):
    TaxClass = apps.get_model("pricing", "TaxClass")
    for code, name in TAX_CLASSES:
        TaxClass.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("pricing", "0001_initial")]

    operations = [migrations.RunPython(add_tax_classes, migrations.RunPython.noop)]
