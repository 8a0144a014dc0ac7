"""A GIN index for product full-text search, on PostgreSQL only (SQLite searches by LIKE).

The indexed expression must stay exactly the one mercato.catalog.search builds
(SearchVector("search_document", config="english")), or PostgreSQL will not use the index.
"""

from django.db import migrations

INDEX_NAME = "catalog_product_search_gin"
CREATE_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON catalog_product USING GIN "
    "(to_tsvector('english'::regconfig, COALESCE(search_document, '')))"
)
DROP_INDEX = f"DROP INDEX IF EXISTS {INDEX_NAME}"


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_INDEX)


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_INDEX)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_search_index, drop_search_index, elidable=False),
    ]
