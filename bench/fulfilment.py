"""make bench: fulfilment — placing (allocating) and releasing 1,000 orders, a picklist of 200.

For each database (a fresh SQLite file, and a fresh PostgreSQL database
`mercato_bench_fulfilment`, skipped if PostgreSQL is unreachable) a child process migrates and
builds 20 variants stocked in two warehouses that overlap (north holds SKUs 0-14, south 5-19,
plenty of units), then times, in-process and through the services:
- allocate: 1,000 orders placed with `orders.services.place_order` (one transaction each:
  the warehouse choice and split, stock rows locked and allocated, the order and its shipments
  written); one order in five needs both warehouses and is split;
- release: every shipment of those orders released for shipping (`release_shipment`);
- picklist: one picklist of the next 200 released shipments of north (`create_picklist`,
  which moves them to Packing), then its PDF, then GET /api/v1/warehouse/picklists/{number}
  and GET .../released-shipments with a staff token (Django's test client).
It prints the time (total and per item) and the SQL statements (total and per item) of each
step, and saves them as JSON in bench/results/.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from run import fresh_targets  # bench/ is on the path: scripts run from it

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/mercato_bench_fulfilment"
ORDERS = 1000
PICKLIST_SIZE = 200
VARIANTS = 20
COLUMNS = "{:<9} {:<34} {:>6} {:>9} {:>9} {:>8} {:>9}"
ADDRESS = {"first_name": "Ada", "last_name": "Lovelace", "street_address_1": "Unter den Linden 1",
           "city": "Berlin", "postal_code": "10117", "country": "DE"}
# Each order's three SKUs (indexes); north holds 0-14 and south 5-19, so an order with a SKU
# below 5 and one above 14 is split over both warehouses, the others ship whole from north.
ORDER_SHAPES = [(5, 6, 7), (8, 9, 10), (11, 12, 13), (5, 9, 14), (2, 17, 8)]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=ORDERS, help="orders placed (1000)")
    parser.add_argument("--picklist", type=int, default=PICKLIST_SIZE,
                        help="shipments on the picklist (200)")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default=os.environ.get(
        "BENCH_FULFILMENT_POSTGRES_URL", DEFAULT_POSTGRES))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


# --- parent: one child process per database -------------------------------------------------

def main() -> int:
    args = parse_args()
    if args.child:
        return child(orders=args.orders, picklist_size=args.picklist)
    sys.stdout.reconfigure(line_buffering=True)
    rows = []
    print(COLUMNS.format("database", "step", "items", "total s", "ms/item", "SQL",
                         "SQL/item"))
    for name, url in fresh_targets(args, sqlite_name="mercato_bench_fulfilment.sqlite3"):
        for row in run_child(url, orders=args.orders, picklist_size=args.picklist):
            row = {"database": name, **row}
            rows.append(row)
            print(COLUMNS.format(name, row["step"], row["items"], f"{row['seconds']:.2f}",
                                 f"{row['ms_per_item']:.2f}", row["statements"],
                                 f"{row['statements_per_item']:.1f}"))
    if rows:
        save(rows, orders=args.orders)
    return 0


def run_child(database_url: str, *, orders: int, picklist_size: int) -> list[dict]:
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "0",
           "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
           "ALLOWED_HOSTS": "testserver", "LOG_LEVEL": "WARNING", "CONN_MAX_AGE": "60"}
    python = shutil.which("python", path=str(ROOT / ".venv" / "bin")) or sys.executable
    done = subprocess.run([python, __file__, "--child", "--orders", str(orders),
                           "--picklist", str(picklist_size)], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench child failed on {database_url}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def save(rows: list[dict], *, orders: int) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"fulfilment-{stamp}.json"
    document = {"started": stamp, "orders": orders, "cpus": os.cpu_count(),
                "python": platform.python_version(), "results": rows}
    path.write_text(json.dumps(document, indent=2))
    print(f"\nSaved {path.relative_to(ROOT)}")


# --- child: build the data, then time each step ----------------------------------------------

def child(*, orders: int, picklist_size: int) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mercato.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    north, quotes = build_shop(orders=orders)
    rows = []
    placed: list = []
    rows.append(measure("allocate: place order", orders,
                        lambda: placed.extend(place_orders(quotes, orders))))
    shipment_ids = shipments_of(placed)
    rows.append(measure("release shipment", len(shipment_ids),
                        lambda: release_all(shipment_ids)))
    picklists: list = []
    rows.append(measure(f"picklist: create ({picklist_size})", 1,
                        lambda: picklists.append(create_picklist(north, picklist_size))))
    number = picklists[0].number
    rows.append(measure(f"picklist: PDF ({picklist_size})", 1, lambda: picklist_pdf(number)))
    client = staff_client()
    picklist_path = f"/api/v1/warehouse/picklists/{number}"
    released_path = f"/api/v1/warehouse/warehouses/{north.code}/released-shipments"
    client(picklist_path)  # warms the URL resolver and the token up
    rows.append(measure(f"API: GET picklist ({picklist_size})", 1,
                        lambda: client(picklist_path)))
    released = client(released_path)["count"]
    rows.append(measure(f"API: GET released shipments ({released})", 1,
                        lambda: client(released_path)))
    print(json.dumps(rows))
    return 0


def build_shop(*, orders: int) -> tuple[Any, list]:
    """Variants, two warehouses, tax and a delivery rate for Germany; the orders' quotes."""
    from django.db import transaction

    from mercato.catalog.models import Category, Product, ProductType, ProductVariant, VariantPrice
    from mercato.inventory.models import Stock, Warehouse
    from mercato.pricing.models import DeliveryMethod, DeliveryRate, DeliveryZone, TaxClass, TaxRate

    units = orders * 10  # never runs out
    with transaction.atomic():
        category = Category.objects.create(name="Bench", slug="bench")
        kind = ProductType.objects.create(name="Bench", slug="bench")
        north = Warehouse.objects.create(code="north", name="North", country="DE", priority=10)
        south = Warehouse.objects.create(code="south", name="South", country="DE", priority=20)
        variants = []
        for n in range(VARIANTS):
            product = Product.objects.create(title=f"Bench product {n}",
                                             slug=f"bench-product-{n}", product_type=kind,
                                             category=category)
            variant = ProductVariant.objects.create(product=product, sku=f"BENCH-{n:03d}",
                                                    name="Default", weight_grams=300)
            VariantPrice.objects.create(variant=variant, currency="EUR",
                                        amount=Decimal("9.90") + n)
            for warehouse, held in ((north, n < 15), (south, n >= 5)):
                if held:
                    Stock.objects.create(variant=variant, warehouse=warehouse, on_hand=units,
                                         bin_location=f"{warehouse.code[0].upper()}-{n:02d}")
            variants.append(variant)
        standard = TaxClass.objects.get(code="standard")
        TaxRate.objects.create(country="DE", tax_class=standard, rate=Decimal(19), name="VAT")
        zone = DeliveryZone.objects.create(name="Germany", countries=["DE"])
        method = DeliveryMethod.objects.create(code="standard", name="Standard",
                                               estimated_days_min=1, estimated_days_max=3)
        DeliveryRate.objects.create(method=method, zone=zone, currency="EUR",
                                    price=Decimal("4.90"))
    return north, [quote_for(variants, shape) for shape in ORDER_SHAPES]


def quote_for(variants: list, shape: tuple[int, ...]) -> Any:
    from mercato.core.money import Money
    from mercato.pricing.rules import Address
    from mercato.pricing.selectors import pricing_lines_for, quote_for_lines

    items = [(variants[n].pk, 1 + n % 2, Money(Decimal("9.90") + n, "EUR")) for n in shape]
    return quote_for_lines(currency="EUR", lines=pricing_lines_for(items=items),
                           address=Address("DE"), delivery_method="standard")


def place_orders(quotes: list, count: int) -> list:
    from mercato.core.events import Actor
    from mercato.orders.services import place_order

    shopper = Actor("customer", "bench@example.com")
    return [place_order(quote=quotes[n % len(quotes)], customer_id=None,
                        email="bench@example.com", shipping_address=ADDRESS,
                        billing_address=ADDRESS, by=shopper) for n in range(count)]


def shipments_of(orders: list) -> list[str]:
    from mercato.orders.models import Shipment

    return list(Shipment.objects.filter(order__in=[order.pk for order in orders])
                .order_by("id").values_list("public_id", flat=True))


def release_all(shipment_ids: list[str]) -> None:
    from mercato.core.events import Actor
    from mercato.orders.services import release_shipment

    staff = Actor("staff", "bench@example.com")
    for public_id in shipment_ids:
        release_shipment(public_id=public_id, by=staff)


def create_picklist(warehouse: Any, size: int) -> Any:
    from mercato.core.events import Actor
    from mercato.fulfilment.services import create_picklist

    picklist = create_picklist(warehouse_id=warehouse.pk, next_n=size,
                               by=Actor("staff", "bench@example.com"))
    if picklist.shipments.count() != size:
        raise RuntimeError(f"The picklist holds {picklist.shipments.count()} shipments, "
                           f"not {size}.")
    return picklist


def picklist_pdf(number: str) -> bytes:
    from mercato.fulfilment.pdf import picklist_pdf
    from mercato.fulfilment.selectors import picklist_detail

    return picklist_pdf(picklist=picklist_detail(number))


def staff_client() -> Callable[[str], dict]:
    """GET with a superuser's bearer token: the permission checks pass, the reads are timed."""
    from django.test import Client

    from mercato.customers.models import User
    from mercato.customers.services import issue_api_token

    user = User.objects.create_superuser("warehouse@example.com", "bench-password")
    token, _ = issue_api_token(customer=user, name="bench")
    client = Client(headers={"Authorization": f"Bearer {token}"})

    def get(path: str) -> dict:
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}: "
                               f"{response.content[:300]!r}")
        return response.json()

    return get


def measure(step: str, items: int, work: Callable[[], object]) -> dict:
    """Run `work` once, counting its SQL statements (an execute wrapper sees every one)."""
    from django.db import connection

    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        work()
        seconds = time.perf_counter() - started
    return {"step": step, "items": items, "seconds": seconds,
            "ms_per_item": seconds * 1000 / items, "statements": statements,
            "statements_per_item": statements / items}


if __name__ == "__main__":
    sys.exit(main())
