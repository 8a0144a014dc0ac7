"""manage.py refresh_listings: rebuild the product listing read model from the catalog."""

import time

from django.core.management.base import BaseCommand
from django.db import connection

from mercato.catalog.models import ProductListing, ProductListingValue
from mercato.catalog.services import refresh_listings


class Command(BaseCommand):
    help = ("Recompute every product's listing rows (price, stock flag, attribute values) from "
            "the catalog: after a bulk import or to repair them.")

    def handle(self, *args, **options):
        started = time.perf_counter()
        changed = refresh_listings()
        # Fresh planner statistics, as after any bulk load: SQLite never gathers them itself.
        with connection.cursor() as cursor:
            for model in (ProductListing, ProductListingValue):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        seconds = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(
            f"Refreshed the product listing: {changed} rows added or changed in {seconds:.1f} s."
        ))
