"""manage.py seed_demo: fill an empty shop with a deterministic demo catalog, demo pricing
(tax rates, delivery methods, promotions, coupons) and demo logins."""

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from mercato.catalog.models import Product
from mercato.demo.accounts import CUSTOMER_EMAIL, DEMO_PASSWORD, STAFF_EMAIL
from mercato.demo.catalog_builder import seed_demo_shop
from mercato.demo.pricing_data import PricingSummary, seed_demo_pricing

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
        parser.add_argument("--pricing-only", action="store_true",
                            help="Only add the demo tax rates, delivery methods, promotions "
                                 "and coupons that are missing (e.g. to a shop seeded before "
                                 "they existed).")

    def handle(self, *args, products: int, seed: int, if_empty: bool, pricing_only: bool,
               **options):
        if pricing_only:
            self.write_pricing(seed_demo_pricing())
            return
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
        with transaction.atomic():
            summary = seed_demo_shop(products=products, seed=seed)
            pricing = seed_demo_pricing()
        seconds = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(
            f"Seeded {summary.products} products, {summary.variants} variants, "
            f"{summary.prices} prices, {summary.stock_rows} stock rows and "
            f"{summary.categories} categories (seed {seed}) in {seconds:.1f} s."
        ))
        self.write_pricing(pricing)
        self.stdout.write(f"Back office: {BASE_URL}/admin/ ({STAFF_EMAIL} / {DEMO_PASSWORD})")
        self.stdout.write(f"Demo customer: {CUSTOMER_EMAIL} / {DEMO_PASSWORD}")
        self.stdout.write(f"API docs: {BASE_URL}/api/docs")

    def write_pricing(self, pricing: PricingSummary) -> None:
        if not pricing.created_anything:
            self.stdout.write("Demo pricing already present: nothing added.")
        for line in pricing.report():
            self.stdout.write(line)
