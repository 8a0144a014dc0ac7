"""make bench: cart re-pricing — time and SQL queries per cart read, on SQLite and PostgreSQL.

For each database (a fresh SQLite file, and a fresh PostgreSQL database `mercato_bench_cart`,
skipped if PostgreSQL is unreachable) a child process migrates, builds a catalog with tax
rates (standard and reduced), two delivery methods, 20 active promotions of every kind and
scope plus one coupon, then fills a 50-line and a 5-line cart through the cart services
(delivery address and method chosen, the coupon entered). It then reads each cart N times
in-process with Django's test client on GET /api/v1/cart — the whole endpoint: re-validation,
the pricing engine's quote and the JSON — and reports ms per read (p50/p99) and the SQL
queries of one read (the same for 5 and 50 lines). Figures are printed and saved as JSON in
bench/results/.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from run import fresh_targets  # bench/ is on the path: scripts run from it

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/mercato_bench_cart"
PROMOTIONS = 20
CART_SIZES = (50, 5)
COLUMNS = "{:<9} {:>6} {:>11} {:>8} {:>8} {:>9} {:>8} {:>7}"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=300, help="timed reads per cart (300)")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_CART_POSTGRES_URL",
                                                                 DEFAULT_POSTGRES))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


# --- parent: one child process per database -------------------------------------------------

def main() -> int:
    args = parse_args()
    if args.child:
        return child(reads=args.reads)
    sys.stdout.reconfigure(line_buffering=True)
    rows = []
    print(COLUMNS.format("database", "lines", "promotions", "p50 ms", "p99 ms", "mean ms",
                         "queries", "writes"))
    for name, url in fresh_targets(args, sqlite_name="mercato_bench_cart.sqlite3"):
        for row in run_child(url, reads=args.reads):
            row = {"database": name, **row}
            rows.append(row)
            print(COLUMNS.format(name, row["lines"], row["promotions"], f"{row['p50_ms']:.2f}",
                                 f"{row['p99_ms']:.2f}", f"{row['mean_ms']:.2f}",
                                 row["queries_per_read"], row["writes_per_read"]))
    if rows:
        save(rows, reads=args.reads)
    return 0


def run_child(database_url: str, *, reads: int) -> list[dict]:
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "0",
           "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
           "ALLOWED_HOSTS": "testserver", "LOG_LEVEL": "WARNING", "CONN_MAX_AGE": "60"}
    python = shutil.which("python", path=str(ROOT / ".venv" / "bin")) or sys.executable
    done = subprocess.run([python, __file__, "--child", "--reads", str(reads)], cwd=ROOT,
                          env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def save(rows: list[dict], *, reads: int) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"cart-pricing-{stamp}.json"
    document = {"started": stamp, "reads": reads, "cpus": os.cpu_count(),
                "python": platform.python_version(), "results": rows}
    path.write_text(json.dumps(document, indent=2))
    print(f"\nSaved {path.relative_to(ROOT)}")


# --- child: build the data, then time the reads ----------------------------------------------

def child(*, reads: int) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mercato.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    variants = build_catalog(promotions=PROMOTIONS)
    rows = [measure(fill_cart(variants[:size]), lines=size, reads=reads) for size in CART_SIZES]
    print(json.dumps(rows))
    return 0


def build_catalog(*, promotions: int) -> list:
    """Products in five sub-categories (every fifth one a reduced-rate book), tax rates,
    delivery methods, promotions and a coupon; returns the variants."""
    from django.db import transaction

    from mercato.catalog.models import Category, Product, ProductType, ProductVariant, VariantPrice
    from mercato.inventory.models import Stock, Warehouse

    with transaction.atomic():
        root = Category.objects.create(name="Clothing", slug="clothing")
        children = [Category.objects.create(name=f"Clothing {n}", slug=f"clothing-{n}",
                                            parent=root) for n in range(5)]
        apparel = ProductType.objects.create(name="Apparel", slug="apparel")
        books = ProductType.objects.create(name="Books", slug="books")
        warehouse = Warehouse.objects.create(code="bench", name="Bench", country="DE")
        variants = []
        for n in range(max(CART_SIZES)):
            product = Product.objects.create(
                title=f"Bench product {n}", slug=f"bench-product-{n}",
                product_type=books if n % 5 == 0 else apparel, category=children[n % 5])
            variant = ProductVariant.objects.create(product=product, sku=f"BENCH-{n:03d}",
                                                    name="Default", weight_grams=300)
            VariantPrice.objects.create(variant=variant, currency="EUR",
                                        amount=Decimal("9.90") + n)
            Stock.objects.create(variant=variant, warehouse=warehouse, on_hand=1000)
            variants.append(variant)
        build_pricing(books=books, root=root, children=children,
                      products=[variant.product for variant in variants], promotions=promotions)
    return variants


def build_pricing(*, books, root, children, products, promotions: int) -> None:
    from mercato.pricing.models import (
        Coupon,
        DeliveryMethod,
        DeliveryRate,
        DeliveryZone,
        ProductTypeTaxClass,
        Promotion,
        TaxClass,
        TaxRate,
    )

    standard, reduced = (TaxClass.objects.get(code=code) for code in ("standard", "reduced"))
    TaxRate.objects.create(country="DE", tax_class=standard, rate=Decimal(19), name="VAT 19%")
    TaxRate.objects.create(country="DE", tax_class=reduced, rate=Decimal(7), name="VAT 7%")
    ProductTypeTaxClass.objects.create(tax_class=reduced, product_type=books)
    zone = DeliveryZone.objects.create(name="Germany and Austria", countries=["DE", "AT"])
    methods = (("standard", "4.90", 3), ("express", "12.90", 1))
    for position, (code, price, days) in enumerate(methods):
        method = DeliveryMethod.objects.create(code=code, name=code.title(), position=position,
                                               estimated_days_min=days, estimated_days_max=days)
        DeliveryRate.objects.create(method=method, zone=zone, currency="EUR", price=Decimal(price),
                                    free_over=Decimal("5000.00"))
    kinds = [
        {"kind": "percentage", "scope": "order", "percentage": Decimal(2)},
        {"kind": "percentage", "scope": "categories", "percentage": Decimal(5)},
        {"kind": "fixed_amount", "scope": "products", "amount": Decimal("0.20"),
         "currency": "EUR"},
        {"kind": "buy_x_get_y", "scope": "categories", "buy_quantity": 3, "get_quantity": 1},
        {"kind": "fixed_amount", "scope": "order", "amount": Decimal("1.00"), "currency": "EUR",
         "min_order_value": Decimal("50.00")},
    ]
    for n in range(promotions):
        fields = {"kind": "free_delivery"} if n == promotions - 1 else kinds[n % len(kinds)]
        promotion = Promotion.objects.create(name=f"Promotion {n}", priority=n % 7, **fields)
        promotion.categories.add(root if n % 2 else children[n % 5])
        promotion.products.add(*products[n % 10::7])
    coupon_promotion = Promotion.objects.create(name="Coupon 3%", kind="percentage",
                                                percentage=Decimal(3), requires_coupon=True)
    Coupon.objects.create(code="BENCH3", promotion=coupon_promotion, usage_limit=None)


def fill_cart(variants: list) -> str:
    """A cart of two units of each variant, delivered to Germany, with the coupon entered."""
    from mercato.cart import services

    cart = services.add_line(customer_id=None, token=None, sku=variants[0].sku, quantity=2)
    for variant in variants[1:]:
        services.add_line(customer_id=None, token=cart.token, sku=variant.sku, quantity=2)
    services.choose_delivery(customer_id=None, token=cart.token, country="DE", method="standard")
    services.apply_coupon(customer_id=None, token=cart.token, code="BENCH3")
    return cart.token


def reader(token: str):
    """A function doing GET /api/v1/cart for the cart of `token`, returning the JSON."""
    from django.test import Client

    client = Client()

    def read() -> dict:
        response = client.get("/api/v1/cart", headers={"X-Cart-Token": token})
        if response.status_code != 200:
            raise RuntimeError(f"GET /api/v1/cart answered {response.status_code}: "
                               f"{response.content[:300]!r}")
        return response.json()

    return read


def queries_of(read) -> list[str]:
    """The SQL of one read (an execute wrapper: each request resets connection.queries)."""
    from django.db import connection

    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        read()
    return queries


def measure(token: str, *, lines: int, reads: int) -> dict:
    read = reader(token)
    body = read()  # the first read stores the promotions shown; later reads write nothing
    for _ in range(20):
        read()
    queries = queries_of(read)
    timings = []
    for _ in range(reads):
        started = time.perf_counter()
        read()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "lines": lines, "promotions": PROMOTIONS, "reads": reads,
        "p50_ms": timings[len(timings) // 2],
        "p99_ms": timings[min(len(timings) - 1, int(len(timings) * 0.99))],
        "mean_ms": sum(timings) / len(timings),
        "queries_per_read": len(queries),
        "writes_per_read": sum(not sql.lstrip().upper().startswith("SELECT") for sql in queries),
        "discounts_applied": len(body["totals"]["discounts"]),
        "total": body["totals"]["total"],
    }


if __name__ == "__main__":
    sys.exit(main())
