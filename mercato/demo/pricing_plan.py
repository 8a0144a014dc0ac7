"""What the demo shop's pricing holds: tax rates, delivery, promotions, coupons. Pure, no database.

The demo taxonomy has no books or food, so the "Homeware" product type stands in for goods
taxed at the reduced rate and every other type is standard: carts mixing both show two rates.
Promotion dates are offsets from the moment of seeding, so the "running" ones run, the
scheduled one lies ahead and the expired one lies behind whenever the demo is seeded.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal

from mercato.demo.codes import charm_price
from mercato.demo.plan import CURRENCY_RATES

REDUCED_PRODUCT_TYPES = ("homeware",)
STANDARD_PRODUCT_TYPES = ("apparel", "shoes", "accessories")

# (country, region, tax class code, percent, name); region "" = the whole country, a region's
# own rate wins. US: no federal sales tax, a few states with their own.
TAX_RATES = (
    ("DE", "", "standard", "19", "MwSt. 19%"),
    ("DE", "", "reduced", "7", "MwSt. 7%"),
    ("DE", "", "zero", "0", "MwSt. 0%"),
    ("GB", "", "standard", "20", "VAT 20%"),
    ("GB", "", "reduced", "5", "VAT 5%"),
    ("GB", "", "zero", "0", "VAT 0%"),
    ("FR", "", "standard", "20", "TVA 20%"),
    ("FR", "", "reduced", "5.5", "TVA 5.5%"),
    ("FR", "", "zero", "0", "TVA 0%"),
    ("US", "", "standard", "0", "No sales tax"),
    ("US", "", "reduced", "0", "No sales tax"),
    ("US", "", "zero", "0", "No sales tax"),
    ("US", "CA", "standard", "7.25", "CA sales tax 7.25%"),
    ("US", "CA", "reduced", "7.25", "CA sales tax 7.25%"),
    ("US", "NY", "standard", "4", "NY sales tax 4%"),
    ("US", "NY", "reduced", "4", "NY sales tax 4%"),
    ("US", "TX", "standard", "6.25", "TX sales tax 6.25%"),
    ("US", "TX", "reduced", "6.25", "TX sales tax 6.25%"),
)

EU_WITHOUT_DE = ("AT", "BE", "BG", "CY", "CZ", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
                 "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK")
ZONES = (
    ("Germany", ("DE",)),
    ("European Union", EU_WITHOUT_DE),
    ("United Kingdom", ("GB",)),
    ("United States", ("US",)),
)


@dataclass(frozen=True)
class MethodPlan:
    code: str
    name: str
    description: str
    days: tuple[int, int]
    position: int
    excluded_categories: tuple[str, ...] = ()  # category slugs


FIRST_CLASS = MethodPlan("first-class", "First class", "Tracked parcel delivery.", (3, 5), 0)
EXPRESS = MethodPlan("express", "Express", "Courier delivery, tracked and insured.", (1, 2), 1,
                     excluded_categories=("home-bedroom-lamps",))  # bulky and fragile
METHODS = (FIRST_CLASS, EXPRESS)

# Weight bands in grams, half-open [min, max); Express carries at most 10 kg.
LIGHT, HEAVY, HEAVY_EXPRESS = (0, 2000), (2000, None), (2000, 10000)


@dataclass(frozen=True)
class ZoneFees:
    """A method's fees in one zone, in EUR; other currencies are converted (`fee_in`)."""

    light: Decimal
    heavy: Decimal
    free_over: Decimal | None = None


FEES_EUR: dict[str, dict[str, ZoneFees]] = {
    FIRST_CLASS.code: {
        "Germany": ZoneFees(Decimal("4.90"), Decimal("6.90"), free_over=Decimal(50)),
        "European Union": ZoneFees(Decimal("9.90"), Decimal("14.90"), free_over=Decimal(100)),
        "United Kingdom": ZoneFees(Decimal("9.90"), Decimal("14.90"), free_over=Decimal(100)),
        "United States": ZoneFees(Decimal("14.90"), Decimal("24.90"), free_over=Decimal(150)),
    },
    EXPRESS.code: {
        "Germany": ZoneFees(Decimal("9.90"), Decimal("14.90")),
        "European Union": ZoneFees(Decimal("19.90"), Decimal("29.90")),
        "United Kingdom": ZoneFees(Decimal("19.90"), Decimal("29.90")),
        "United States": ZoneFees(Decimal("29.90"), Decimal("44.90")),
    },
}
CURRENCIES = ("EUR", "GBP", "USD")


@dataclass(frozen=True)
class RatePlan:
    method: str  # code
    zone: str  # name
    currency: str
    min_weight_grams: int
    max_weight_grams: int | None
    price: Decimal
    free_over: Decimal | None


def fee_in(amount_eur: Decimal, currency: str) -> Decimal:
    """A fee converted from EUR at the demo's fixed rates, ending in .99 like its prices."""
    return amount_eur if currency == "EUR" else charm_price(amount_eur * CURRENCY_RATES[currency])


def threshold_in(amount_eur: Decimal, currency: str) -> Decimal:
    """A free-delivery threshold converted from EUR, rounded up to a multiple of 5."""
    if currency == "EUR":
        return amount_eur
    fives = (amount_eur * CURRENCY_RATES[currency] / 5).to_integral_value(ROUND_CEILING)
    return fives * 5


def rate_plans() -> list[RatePlan]:
    """Every method x zone x currency x weight band."""
    plans = []
    for method in METHODS:
        heavy_band = HEAVY_EXPRESS if method is EXPRESS else HEAVY
        for zone, fees in FEES_EUR[method.code].items():
            for currency in CURRENCIES:
                free = (None if fees.free_over is None
                        else threshold_in(fees.free_over, currency))
                for band, fee in ((LIGHT, fees.light), (heavy_band, fees.heavy)):
                    plans.append(RatePlan(method.code, zone, currency, band[0], band[1],
                                          fee_in(fee, currency), free))
    return plans


@dataclass(frozen=True)
class PromotionPlan:
    name: str
    description: str
    kind: str
    schedule: str  # "always", "running", "next_weekend" or "expired" (see `schedule_dates`)
    scope: str = "order"
    percentage: Decimal | None = None
    amount: Decimal | None = None
    currency: str = ""
    buy_quantity: int | None = None
    get_quantity: int | None = None
    category_slugs: tuple[str, ...] = ()
    min_order_value: Decimal | None = None
    priority: int = 0
    stacks: bool = True
    requires_coupon: bool = False


PROMOTIONS = (
    PromotionPlan("Winter sale", "20 % off outerwear and knitwear.", "percentage", "running",
                  scope="categories", percentage=Decimal(20), priority=20,
                  category_slugs=("men-outerwear", "men-tops-knitwear", "women-tops-knitwear")),
    PromotionPlan("Buy 2 get 1 free", "On T-shirts: for every three, the cheapest is free.",
                  "buy_x_get_y", "always", scope="categories", buy_quantity=2, get_quantity=1,
                  category_slugs=("men-tops-t-shirts", "women-tops-t-shirts"), priority=10),
    PromotionPlan("10 % off orders over 100", "Stacks with the other offers.", "percentage",
                  "always", percentage=Decimal(10), currency="EUR",
                  min_order_value=Decimal(100)),
    PromotionPlan("Free delivery weekend", "Free delivery on every order, Saturday and Sunday.",
                  "free_delivery", "next_weekend", priority=30),
    PromotionPlan("Summer sale", "15 % off dresses; it has ended.", "percentage", "expired",
                  scope="categories", percentage=Decimal(15), priority=20, stacks=False,
                  category_slugs=("women-dresses",)),
    PromotionPlan("Welcome: 10 % off", "With the code WELCOME10.", "percentage", "always",
                  percentage=Decimal(10), requires_coupon=True, priority=5),
    PromotionPlan("Free delivery with a code", "With the code FREESHIP.", "free_delivery",
                  "always", requires_coupon=True),
    PromotionPlan("Thank you: 5 € off", "A single-use code sent after an order.", "fixed_amount",
                  "always", amount=Decimal(5), currency="EUR", requires_coupon=True),
)


@dataclass(frozen=True)
class CouponPlan:
    code: str
    promotion: str  # name
    usage_limit: int | None  # None: unlimited
    used_by_orders: tuple[str, ...] = ()  # demo order references that used it


COUPONS = (
    CouponPlan("WELCOME10", "Welcome: 10 % off", None,
               used_by_orders=("DEMO-1001", "DEMO-1002", "DEMO-1003")),
    CouponPlan("FREESHIP", "Free delivery with a code", None, used_by_orders=("DEMO-1002",)),
    CouponPlan("THANKYOU5", "Thank you: 5 € off", 1, used_by_orders=("DEMO-1004",)),
)


def coupon_kind(coupon: CouponPlan) -> str:
    if coupon.usage_limit is not None and len(coupon.used_by_orders) >= coupon.usage_limit:
        return "used up"
    return "single use" if coupon.usage_limit == 1 else "multi-use"


def schedule_dates(schedule: str, now: datetime) -> tuple[datetime | None, datetime | None]:
    """(starts_at, ends_at) of a schedule, seen from `now` (an aware datetime)."""
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if schedule == "running":
        return day - timedelta(days=7), day + timedelta(days=28)
    if schedule == "expired":
        return day - timedelta(days=120), day - timedelta(days=60)
    if schedule == "next_weekend":
        saturday = day + timedelta(days=(5 - day.weekday()) % 7 or 7)
        return saturday, saturday + timedelta(days=2)
    if schedule == "always":
        return None, None
    raise ValueError(f"Unknown schedule {schedule!r}.")


def describe_schedule(starts_at: datetime | None, ends_at: datetime | None,
                      now: datetime) -> str:
    """"running", "running until 2025-03-01", "from 2025-02-08 to 2025-02-10", "ended 2024-..."."""
    if ends_at is not None and ends_at <= now:
        return f"ended {ends_at:%Y-%m-%d}"
    if starts_at is not None and starts_at > now:
        until = f" to {ends_at:%Y-%m-%d}" if ends_at else ""
        return f"from {starts_at:%Y-%m-%d}{until}"
    return f"running until {ends_at:%Y-%m-%d}" if ends_at else "running"
