"""What a price quote is computed from and what it says: frozen dataclasses, no ORM.

Amounts are py-moneyed Money in the quote's currency. "Price mode" is how catalog prices are
stated: gross (tax included, EU style) or net (tax added on top, US style); line amounts,
subtotal, discounts and delivery fees are in the price mode, net/tax/gross are always given.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from mercato.core.money import Money

STANDARD_TAX_CLASS = "standard"


class PromotionKind(StrEnum):
    PERCENTAGE = "percentage"
    FIXED_AMOUNT = "fixed_amount"
    BUY_X_GET_Y = "buy_x_get_y"
    FREE_DELIVERY = "free_delivery"


class PromotionScope(StrEnum):
    ORDER = "order"
    PRODUCTS = "products"
    CATEGORIES = "categories"


class ReasonCode(StrEnum):
    """Why a promotion does not apply to a quote."""

    INACTIVE = "inactive"
    NOT_STARTED = "not_started"
    ENDED = "ended"
    USED_UP = "used_up"
    USED_UP_FOR_CUSTOMER = "used_up_for_customer"
    NEEDS_CUSTOMER = "needs_customer"
    NEEDS_COUPON = "needs_coupon"
    WRONG_CURRENCY = "wrong_currency"
    MIN_ORDER_VALUE = "min_order_value"
    MIN_QUANTITY = "min_quantity"
    NO_MATCHING_ITEMS = "no_matching_items"
    NOTHING_TO_DISCOUNT = "nothing_to_discount"
    DOES_NOT_STACK = "does_not_stack"


class CouponStatus(StrEnum):
    APPLIED = "applied"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED_UP = "used_up"
    NOT_APPLICABLE = "not_applicable"


class MessageCode(StrEnum):
    COUPON_UNKNOWN = "coupon_unknown"
    COUPON_EXPIRED = "coupon_expired"
    COUPON_USED_UP = "coupon_used_up"
    COUPON_NOT_APPLICABLE = "coupon_not_applicable"
    PROMOTION_NO_LONGER_APPLIES = "promotion_no_longer_applies"
    DELIVERY_NEEDS_ADDRESS = "delivery_needs_address"
    DELIVERY_METHOD_UNAVAILABLE = "delivery_method_unavailable"


# --- what is priced -------------------------------------------------------------------------

@dataclass(frozen=True)
class Address:
    country: str  # ISO 3166-1 alpha-2
    region: str = ""  # state/province code as the address book stores it ("" = unknown)


@dataclass(frozen=True)
class PricingLine:
    """One cart or order line as pricing sees it."""

    sku: str
    quantity: int
    unit_price: Money  # in the price mode, in the quote's currency
    product_id: int
    product_type_id: int
    # The product's category and all its ancestors: a promotion or a delivery exclusion on a
    # category covers its sub-categories.
    category_ids: frozenset[int] = frozenset()
    weight_grams: int = 0  # of one unit
    variant_id: int | None = None


# --- configuration, as loaded by the selectors ------------------------------------------------

@dataclass(frozen=True)
class TaxRateRule:
    country: str
    region: str  # "" = the whole country; a region's own rate wins over the country's
    tax_class: str  # tax class code
    rate: Decimal  # percent: 19 means 19 %
    name: str


@dataclass(frozen=True)
class DeliveryZoneRule:
    id: int
    name: str
    countries: frozenset[str]
    regions: frozenset[str] = frozenset()  # upper case; empty = the whole countries


@dataclass(frozen=True)
class DeliveryRateRule:
    """Bands are half-open: min <= value < max; a missing bound is open."""

    zone: DeliveryZoneRule
    price: Money  # in the price mode
    min_weight_grams: int = 0
    max_weight_grams: int | None = None
    min_order_value: Money | None = None
    max_order_value: Money | None = None
    free_over: Money | None = None  # the fee is zero from this order value on


@dataclass(frozen=True)
class DeliveryMethodRule:
    id: int
    code: str
    name: str
    rates: tuple[DeliveryRateRule, ...]
    description: str = ""
    estimated_days_min: int = 1
    estimated_days_max: int = 3
    tax_class: str = STANDARD_TAX_CLASS
    excluded_category_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class PromotionRule:
    id: int
    name: str
    kind: PromotionKind
    scope: PromotionScope = PromotionScope.ORDER
    percentage: Decimal | None = None  # for PERCENTAGE: 10 means 10 % off
    amount: Money | None = None  # for FIXED_AMOUNT: per unit on lines, once on the order
    buy_quantity: int = 0  # X of buy X get Y
    get_quantity: int = 0  # Y of buy X get Y
    product_ids: frozenset[int] = frozenset()
    category_ids: frozenset[int] = frozenset()
    currency: str = ""  # of amount and min_order_value; "" = any currency
    min_order_value: Money | None = None
    min_quantity: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    usage_limit: int | None = None
    usage_limit_per_customer: int | None = None
    times_used: int = 0
    customer_times_used: int = 0  # by the quote's customer
    priority: int = 0  # higher first
    stacks: bool = True
    requires_coupon: bool = False
    is_active: bool = True


@dataclass(frozen=True)
class CouponRule:
    code: str
    promotion_id: int
    usage_limit: int | None = None  # None: unlimited; 1: single use
    times_used: int = 0
    expires_at: datetime | None = None
    is_active: bool = True


@dataclass(frozen=True)
class PricingConfig:
    """Everything one quote needs, loaded in a bounded number of queries."""

    tax_rates: tuple[TaxRateRule, ...] = ()
    product_tax_classes: Mapping[int, str] = field(default_factory=dict)  # override per product
    product_type_tax_classes: Mapping[int, str] = field(default_factory=dict)
    delivery_methods: tuple[DeliveryMethodRule, ...] = ()
    promotions: tuple[PromotionRule, ...] = ()
    coupons: tuple[CouponRule, ...] = ()


@dataclass(frozen=True)
class ShipmentRequest:
    """Part of an order sent to one address with one delivery method (split shipments)."""

    address: Address
    delivery_method: str
    quantities: tuple[tuple[int, int], ...]  # (index into QuoteRequest.lines, quantity)


@dataclass(frozen=True)
class QuoteRequest:
    currency: str
    lines: tuple[PricingLine, ...]
    now: datetime
    prices_include_tax: bool
    shop_country: str  # tax is estimated for it while there is no address
    address: Address | None = None
    delivery_method: str | None = None  # code
    coupon_codes: tuple[str, ...] = ()
    customer_id: int | None = None
    # Promotions the shopper was last shown: one that no longer applies gets a message.
    previously_applied_promotion_ids: frozenset[int] = frozenset()
    # Split shipments: each has its own address, method and fee; `delivery_method` is then
    # ignored. Tax uses `address`: all shipments of one order share its tax jurisdiction.
    shipments: tuple[ShipmentRequest, ...] = ()


# --- the quote --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reason:
    code: ReasonCode
    text: str


@dataclass(frozen=True)
class Discount:
    promotion_id: int
    name: str
    amount: Money


@dataclass(frozen=True)
class QuoteLine:
    sku: str
    variant_id: int | None
    quantity: int
    unit_price: Money
    base_amount: Money  # unit price x quantity, rounded
    discounts: tuple[Discount, ...]
    amount: Money  # base amount - discounts: the line total in the price mode
    net: Money
    tax: Money
    gross: Money
    tax_rate: Decimal
    tax_name: str
    tax_class: str

    @property
    def discount_total(self) -> Money:
        return self.base_amount - self.amount


@dataclass(frozen=True)
class DeliveryQuote:
    method_id: int
    code: str
    name: str
    price: Money  # the fee in the price mode (zero above the free-delivery threshold)
    discount: Money  # waived by a free-delivery promotion
    net: Money
    tax: Money
    gross: Money
    tax_rate: Decimal
    tax_name: str
    estimated_days_min: int
    estimated_days_max: int

    @property
    def amount(self) -> Money:
        return self.price - self.discount


@dataclass(frozen=True)
class DeliveryOption:
    """A delivery method offered for an address and a cart."""

    method_id: int
    code: str
    name: str
    description: str
    fee: Money  # what the shopper pays for it, in the price mode
    estimated_days_min: int
    estimated_days_max: int


@dataclass(frozen=True)
class TaxLine:
    name: str
    rate: Decimal
    net: Money
    tax: Money

    @property
    def gross(self) -> Money:
        return self.net + self.tax


@dataclass(frozen=True)
class AppliedPromotion:
    id: int
    name: str
    kind: PromotionKind


@dataclass(frozen=True)
class CouponResult:
    code: str  # as entered
    status: CouponStatus
    promotion_id: int | None
    message: str = ""
    reason: ReasonCode | None = None  # why its promotion does not apply, if that is the problem


@dataclass(frozen=True)
class Message:
    code: MessageCode
    text: str
    promotion_id: int | None = None
    coupon_code: str | None = None


@dataclass(frozen=True)
class Quote:
    currency: str
    prices_include_tax: bool
    tax_known: bool  # False: no address yet, tax estimated for the shop's country
    lines: tuple[QuoteLine, ...]
    subtotal: Money  # sum of base amounts, in the price mode
    discounts: tuple[Discount, ...]  # one per applied promotion, lines and delivery together
    discount_total: Money
    delivery: DeliveryQuote | None
    taxes: tuple[TaxLine, ...]  # per rate
    tax_total: Money
    net_total: Money
    total: Money  # gross: what the shopper pays
    applied_promotions: tuple[AppliedPromotion, ...]  # in the order they were applied
    coupons: tuple[CouponResult, ...]
    messages: tuple[Message, ...]
    # One per requested shipment, in order (None: its method is not offered there).
    shipment_deliveries: tuple[DeliveryQuote | None, ...] = ()

    @property
    def deliveries(self) -> tuple[DeliveryQuote, ...]:
        """Every delivery fee charged: the one delivery, or each shipment's."""
        if self.delivery is not None:
            return (self.delivery,)
        return tuple(d for d in self.shipment_deliveries if d is not None)

    @property
    def gross_total(self) -> Money:
        return self.total

    @property
    def applied_promotion_ids(self) -> tuple[int, ...]:
        return tuple(promotion.id for promotion in self.applied_promotions)

    @property
    def applied_coupon_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.coupons if c.status == CouponStatus.APPLIED)

    def coupon(self, code: str) -> CouponResult | None:
        wanted = normalize_code(code)
        return next((c for c in self.coupons if normalize_code(c.code) == wanted), None)


def normalize_code(code: str) -> str:
    """Coupon codes compare case-insensitively and without surrounding blanks."""
    return code.strip().lower()
