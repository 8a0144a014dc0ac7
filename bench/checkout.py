"""make bench: checkout completion on PostgreSQL — orders/s, latency and SQL per order.

On run.py's PostgreSQL bench database (migrated and seeded with the demo catalog as run.py
does; skipped if PostgreSQL is unreachable) a child process gives 200 published, EUR-priced
variants (one per product) a million units of stock each, then places two guest orders
in-process with Django's test client and counts the SQL statements of each step of the second
(the first warms caches up). Then gunicorn (3 sync workers, like run.py) serves the shop and N
client threads each loop over a full guest checkout — add two lines, tokenise a test card,
quote, complete — for a fixed time at each concurrency level. It prints orders/s, the latency of
the complete call and of the whole flow (p50/p99) and the errors, and saves the figures as JSON
in bench/results/.
"""

import argparse
import http.client
import json
import os
import platform
import random
import re
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from loadclient import LoadResult
from run import (
    BIN,
    DEFAULT_POSTGRES,
    DEFAULT_PRODUCTS,
    RESULTS,
    ROOT,
    Target,
    ensure_postgres_database,
    gunicorn,
    prepare_database,
    server_env,
)

SKUS = 200
STOCK = 1_000_000  # units per variant and warehouse on top of what is allocated: never sells out
DELIVERY_METHOD = "first-class"  # the demo's method for Germany (mercato/demo/pricing_plan.py)
ADDRESS = {"first_name": "Ada", "last_name": "Lovelace", "street_address_1": "Unter den Linden 1",
           "city": "Berlin", "postal_code": "10117", "country": "DE"}
CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
STEPS = ("add lines", "card token", "quote", "complete")  # "add lines": both POSTs
COLUMNS = "{:<9} {:>4} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9} {:>7}"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0,
                        help="seconds per concurrency level (default 10)")
    parser.add_argument("--concurrency", default="1,4,16", help="comma-separated (default 1,4,16)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--skus", type=int, default=SKUS, help="variants the orders pick from")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL",
                                                                 DEFAULT_POSTGRES),
                        help="run.py's bench database by default")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


# --- parent: prepare the database, count statements in a child, load gunicorn ----------------

def main() -> int:
    args = parse_args()
    if args.child:
        return child(skus=args.skus)
    sys.stdout.reconfigure(line_buffering=True)
    if not ensure_postgres_database(args.postgres_url, fresh=False):
        return 0
    target = Target("postgres", args.postgres_url)
    env = server_env(target)
    prepare_database(env, products=DEFAULT_PRODUCTS)
    prepared = run_child(env, skus=args.skus)
    print_statements(prepared["statements"], prepared["top_complete"])
    levels = [int(level) for level in args.concurrency.split(",")]
    rows: list[dict] = []
    try:
        with gunicorn(env, workers=args.workers, name="checkout") as port:
            print(f"\n{len(prepared['skus'])} SKUs, {STOCK:,} units each; warming up ...")
            run_checkouts(port, prepared["skus"], concurrency=2, duration=min(2.0, args.duration),
                          seed=99)
            print(COLUMNS.format("database", "conc", "orders", "orders/s", "p50 ms", "p99 ms",
                                 "flow p50", "flow p99", "errors"))
            for level in levels:
                row = run_checkouts(port, prepared["skus"], concurrency=level,
                                    duration=args.duration, seed=level)
                print_row(row)
                rows.append(row)
    finally:
        if rows:
            save(rows, prepared, args)
    return 0


def run_child(env: dict[str, str], *, skus: int) -> dict:
    """Stock up and count statements in a child on the bench database (stderr passes through)."""
    env = {**env, "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver"}
    done = subprocess.run([str(BIN / "python"), __file__, "--child", "--skus", str(skus)],
                          cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_statements(statements: dict[str, dict[str, int]], top: list[tuple[str, int]]) -> None:
    print("\nSQL statements of one guest checkout (in-process, test client):")
    print("{:<12} {:>6} {:>7} {:>6} {:>10}".format("step", "total", "select", "write",
                                                 "savepoint"))
    for step, counts in statements.items():
        print("{:<12} {:>6} {:>7} {:>6} {:>10}".format(step, counts["total"], counts["select"],
                                                     counts["write"], counts["savepoint"]))
    print("complete, most frequent: " + ", ".join(f"{kind} x{n}" for kind, n in top))


def print_row(row: dict) -> None:
    complete, flow = row["complete"], row["flow"]
    print(COLUMNS.format("postgres", row["concurrency"], row["orders"],
                         f"{row['orders_per_second']:.1f}", f"{complete['p50_ms']:.1f}",
                         f"{complete['p99_ms']:.1f}", f"{flow['p50_ms']:.1f}",
                         f"{flow['p99_ms']:.1f}", row["errors"]))
    for step, detail in row["first_errors"].items():
        print(f"    first error in {step} ({row['errors_by_step'][step]}x): {detail}")


def save(rows: list[dict], prepared: dict, args: argparse.Namespace) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"checkout-{stamp}.json"
    document = {
        "started": stamp, "database": "postgres", "catalog_products": DEFAULT_PRODUCTS,
        "skus": len(prepared["skus"]), "duration": args.duration, "workers": args.workers,
        "cpus": os.cpu_count(), "python": platform.python_version(),
        "statements": prepared["statements"], "top_complete": prepared["top_complete"],
        "results": rows,
    }
    path.write_text(json.dumps(document, indent=2))
    print(f"\nSaved {path.relative_to(ROOT)}")


# --- the HTTP load: each thread loops over a full guest checkout ------------------------------

class StepFailed(Exception):
    def __init__(self, step: str, detail: str) -> None:
        super().__init__(detail)
        self.step = step


@dataclass
class Shopper:
    """One client thread: its own connection (no cookies kept), its own figures."""

    port: int
    rng: random.Random
    complete_ms: list[float] = field(default_factory=list)
    flow_ms: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)  # "step status" -> count
    orders: int = 0
    errors: Counter = field(default_factory=Counter)  # step -> count
    first_errors: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def post(self, step: str, path: str, body: dict, headers: dict[str, str] | None = None
             ) -> dict:
        try:
            self.connection.request("POST", path, body=json.dumps(body), headers={
                "Host": "127.0.0.1", "Accept": "application/json",
                "Content-Type": "application/json", **(headers or {})})
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.statuses[f"{step} 0"] += 1
            raise StepFailed(step, f"{type(error).__name__}: {error}") from error
        self.statuses[f"{step} {response.status}"] += 1
        if not 200 <= response.status < 300:
            raise StepFailed(step, f"HTTP {response.status} {content[:300]!r}")
        return json.loads(content)

    def checkout(self, skus: list[str]) -> None:
        started = time.perf_counter()
        first, second = self.rng.sample(skus, 2)
        cart = self.post("add lines", "/api/v1/cart/lines", {"sku": first, "quantity": 1})
        headers = {"X-Cart-Token": cart["token"]}
        self.post("add lines", "/api/v1/cart/lines", {"sku": second, "quantity": 1}, headers)
        card = self.post("card token", "/api/v1/test-gateway/tokens", CARD)
        body = checkout_body()
        quote = self.post("quote", "/api/v1/checkout/quote", body, headers)
        body |= {"payments": [{"method": "card", "token": card["token"]}],
                 "expected_total": quote["totals"]["total"]["amount"]}
        completing = time.perf_counter()
        try:
            self.post("complete", "/api/v1/checkout/complete", body,
                      {**headers, "Idempotency-Key": str(uuid.uuid4())})
        finally:
            self.complete_ms.append((time.perf_counter() - completing) * 1000)
        self.orders += 1
        self.flow_ms.append((time.perf_counter() - started) * 1000)

    def loop(self, skus: list[str], deadline: float) -> None:
        while time.monotonic() < deadline:
            try:
                self.checkout(skus)
            except StepFailed as failure:
                self.errors[failure.step] += 1
                self.first_errors.setdefault(failure.step, str(failure))
            except Exception as error:  # a malformed answer: count it, keep the thread going
                self.errors["client"] += 1
                self.first_errors.setdefault("client", f"{type(error).__name__}: {error}")
        self.connection.close()


def checkout_body() -> dict:
    return {"email": "ada@example.com", "billing_address": ADDRESS,
            "shipments": [{"address": ADDRESS, "delivery_method": DELIVERY_METHOD}]}


def run_checkouts(port: int, skus: list[str], *, concurrency: int, duration: float,
                  seed: int) -> dict:
    deadline = time.monotonic() + duration
    shoppers = [Shopper(port, random.Random(seed * 1000 + index)) for index in range(concurrency)]
    threads = [threading.Thread(target=shopper.loop, args=(skus, deadline), daemon=True)
               for shopper in shoppers]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    complete = LoadResult(scenario="checkout complete", concurrency=concurrency, seconds=seconds)
    flow = LoadResult(scenario="full checkout", concurrency=concurrency, seconds=seconds)
    statuses: Counter = Counter()
    errors: Counter = Counter()
    first_errors: dict[str, str] = {}
    for shopper in shoppers:
        complete.latencies_ms.extend(shopper.complete_ms)
        flow.latencies_ms.extend(shopper.flow_ms)
        statuses.update(shopper.statuses)
        errors.update(shopper.errors)
        for step, detail in shopper.first_errors.items():
            first_errors.setdefault(step, detail)
    complete.errors = errors["complete"]
    complete.statuses.update({key.split()[-1]: n for key, n in statuses.items()
                              if key.startswith("complete ")})
    orders = sum(shopper.orders for shopper in shoppers)
    return {
        "concurrency": concurrency, "seconds": round(seconds, 3), "orders": orders,
        "orders_per_second": round(orders / seconds, 2),
        "complete": complete.as_dict(), "flow": flow.as_dict(),
        "statuses": dict(sorted(statuses.items())), "errors": sum(errors.values()),
        "errors_by_step": dict(errors), "first_errors": first_errors,
    }


# --- child: stock up, then count the statements of one checkout -------------------------------

def child(*, skus: int) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mercato.settings")
    import django

    django.setup()
    chosen = stock_up(count=skus)
    counted_checkout(chosen[:2])  # warm-up: first-use queries (caches, content types)
    statements = counted_checkout(chosen[2:4])
    top = Counter(kind_of(sql) for sql in statements["complete"]).most_common(8)
    # The card token is the test provider's endpoint (a real one serves it on its own site).
    statements["shop flow"] = [sql for step in ("add lines", "quote", "complete")
                               for sql in statements[step]]
    print(json.dumps({
        "skus": chosen,
        "statements": {step: summary(found) for step, found in statements.items()},
        "top_complete": top,
    }))
    return 0


def stock_up(*, count: int) -> list[str]:
    """SKUs of published, shippable variants with an EUR price and stock in an active warehouse,
    one per product (orders lock their products' rows), each given STOCK units more than is
    allocated."""
    from django.db.models import F

    from mercato.catalog.models import ProductVariant
    from mercato.inventory.models import Stock

    rows = (ProductVariant.objects
            .filter(product__is_published=True, product__product_type__is_shipping_required=True,
                    prices__currency="EUR", stock_levels__warehouse__is_active=True)
            .order_by("id").values_list("product_id", "id", "sku").distinct())
    chosen: dict[int, tuple[int, str]] = {}
    for product_id, variant_id, sku in rows.iterator():
        chosen.setdefault(product_id, (variant_id, sku))
        if len(chosen) == count:
            break
    if len(chosen) < 4:
        raise RuntimeError(f"Only {len(chosen)} sellable products in the bench database.")
    Stock.objects.filter(variant_id__in=[variant_id for variant_id, _ in chosen.values()],
                         warehouse__is_active=True).update(on_hand=F("allocated") + STOCK)
    return [sku for _, sku in chosen.values()]


def counted_checkout(skus: list[str]) -> dict[str, list[str]]:
    """One guest checkout through the test client; the SQL of each step."""
    from django.db import connection
    from django.test import Client

    client = Client()
    statements: dict[str, list[str]] = {step: [] for step in STEPS}
    current = [STEPS[0]]

    def record(execute, sql, params, many, context):
        statements[current[0]].append(sql)
        return execute(sql, params, many, context)

    def post(step: str, path: str, body: dict, headers: dict[str, str] | None = None) -> dict:
        current[0] = step
        client.cookies.clear()  # like the HTTP clients: the cart comes by its header only
        with connection.execute_wrapper(record):
            response = client.post(path, body, content_type="application/json",
                                   headers=headers or {})
        if not 200 <= response.status_code < 300:
            raise RuntimeError(f"{step}: POST {path} answered {response.status_code}: "
                               f"{response.content[:500]!r}")
        return response.json()

    cart = post("add lines", "/api/v1/cart/lines", {"sku": skus[0], "quantity": 1})
    headers = {"X-Cart-Token": cart["token"]}
    post("add lines", "/api/v1/cart/lines", {"sku": skus[1], "quantity": 1}, headers)
    card = post("card token", "/api/v1/test-gateway/tokens", CARD)
    body = checkout_body()
    quote = post("quote", "/api/v1/checkout/quote", body, headers)
    body |= {"payments": [{"method": "card", "token": card["token"]}],
             "expected_total": quote["totals"]["total"]["amount"]}
    order = post("complete", "/api/v1/checkout/complete", body,
                 {**headers, "Idempotency-Key": str(uuid.uuid4())})
    if not order.get("number"):
        raise RuntimeError(f"complete answered without an order number: {order}")
    return statements


SAVEPOINT_WORDS = ("SAVEPOINT", "RELEASE", "ROLLBACK")
TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)
LOCKING = re.compile(r"\bFOR (?:NO KEY )?UPDATE\b|\bFOR (?:KEY )?SHARE\b", re.IGNORECASE)


def summary(statements: list[str]) -> dict[str, int]:
    verbs = [sql.split(None, 1)[0].upper() for sql in statements]
    return {
        "total": len(statements),
        "select": sum(verb == "SELECT" for verb in verbs),
        "write": sum(verb in ("INSERT", "UPDATE", "DELETE") for verb in verbs),
        "savepoint": sum(verb in SAVEPOINT_WORDS for verb in verbs),
    }


def kind_of(sql: str) -> str:
    """'SELECT inventory_stock FOR UPDATE', 'INSERT orders_orderline', 'SAVEPOINT', ..."""
    verb = sql.split(None, 1)[0].upper()
    if verb in SAVEPOINT_WORDS:
        return verb
    match = TABLE.search(sql)
    kind = f"{verb} {match.group(1)}" if match else verb
    return f"{kind} FOR UPDATE" if verb == "SELECT" and LOCKING.search(sql) else kind


if __name__ == "__main__":
    sys.exit(main())
