"""manage.py seed_demo: fill an empty shop with a deterministic demo catalog and demo logins."""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mercato.catalog.models import Product
from mercato.demo.accounts import CUSTOMER_EMAIL, DEMO_PASSWORD, STAFF_EMAIL
from mercato.demo.catalog_builder import seed_demo_shop

BASE_URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = "Create a demo catalog (categories, brands, products, prices, stock) and demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--products", type=int, default=1000,
                            help="How many products to create (default 1000).")
        parser.add_argument("--seed", type=int, default=42,
                            help="Random seed; the same seed gives the same catalog.")
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing when the catalog already has products.")

    def handle(self, *args, products: int, seed: int, if_empty: bool, **options):
        if products < 1:
            raise CommandError("--products must be at least 1.")
        existing = Product.objects.count()
        if existing and if_empty:
            self.stdout.write(f"Demo catalog already present: {existing} products")
            return
        if existing:
            raise CommandError(
                f"The catalog already has {existing} products; seed_demo fills an empty catalog "
                "only (use --if-empty, or `manage.py flush` first)."
            )
        started = time.perf_counter()
        summary = seed_demo_shop(products=products, seed=seed)
        seconds = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(
            f"Seeded {summary.products} products, {summary.variants} variants, "
            f"{summary.prices} prices, {summary.stock_rows} stock rows and "
            f"{summary.categories} categories (seed {seed}) in {seconds:.1f} s."
        ))
        self.stdout.write(f"Back office: {BASE_URL}/admin/ ({STAFF_EMAIL} / {DEMO_PASSWORD})")
        self.stdout.write(f"Demo customer: {CUSTOMER_EMAIL} / {DEMO_PASSWORD}")
        self.stdout.write(f"API docs: {BASE_URL}/api/docs")
