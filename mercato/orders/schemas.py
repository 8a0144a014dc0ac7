"""django-ninja schemas of the customer order API; `order_out` is also checkout's answer."""

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from ninja import Field, Schema

from mercato.catalog.schemas import MoneyOut
from mercato.core.money import Money
from mercato.core.schema_types import EmailAddress, PageNumber
from mercato.orders.models import AddressKind, AddressSnapshot, Order, OrderLine, Shipment
from mercato.orders.rules import ADDRESS_FIELDS
from mercato.orders.selectors import OrderPage, OrderSummary, order_detail, payment_state
from mercato.orders.states import OrderStatus
from mercato.payments.models import Payment, Transaction

DEFAULT_PAGE_SIZE = 20


class OrderListQuery(Schema):
    page: PageNumber = 1
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=settings.MERCATO_MAX_PAGE_SIZE)


class OrderExportQuery(Schema):
    """Which orders the accounting export lists: those placed on these days, in the shop's
    time zone, both days included."""

    placed_from: date = Field(description="First day, YYYY-MM-DD (e.g. 2025-03-01).")
    placed_to: date = Field(description="Last day, YYYY-MM-DD (included).")
    status: OrderStatus | None = Field(None, description="Only orders in this status.")


class OrderLookupIn(Schema):
    number: str = Field(min_length=1, max_length=32, description="The order number, e.g. "
                                                                 "MRC-100001.")
    email: EmailAddress = Field(description="The email the order was placed with.")


class OrderListItemOut(Schema):
    number: str
    status: str
    created_at: datetime
    total: MoneyOut
    item_count: int = Field(description="Units over all lines.")
    payment_status: str = Field(description=(
        "The status the order's payments share (Pending, Authorized, Captured, "
        "PartiallyRefunded, Refunded, Voided, Failed), Mixed when they differ, NoPayment."))


class OrderListOut(Schema):
    items: list[OrderListItemOut]
    page: int
    page_size: int
    total: int
    pages: int


class OrderAddressOut(Schema):
    first_name: str
    last_name: str
    company_name: str
    street_address_1: str
    street_address_2: str
    city: str
    city_area: str
    postal_code: str
    country: str
    country_area: str
    phone: str


class OrderLineOut(Schema):
    id: str = Field(description="The line's public id: what POST /returns and "
                                "POST /returns/guest take as `lines[].order_line_id`.",
                    examples=["q3N8xP0aLw2vT6yR"])
    sku: str
    title: str
    variant: str
    quantity: int
    unit_price: MoneyOut
    discount: MoneyOut = Field(description="Taken off this line by promotions.")
    total: MoneyOut = Field(description="After discounts, as prices are stated (tax included "
                                        "when prices_include_tax).")
    net: MoneyOut
    tax: MoneyOut
    gross: MoneyOut
    tax_rate: str = Field(description='Percent, e.g. "19".')


class OrderDiscountOut(Schema):
    name: str
    amount: MoneyOut


class OrderTotalsOut(Schema):
    subtotal: MoneyOut
    discount: MoneyOut
    delivery: MoneyOut
    tax: MoneyOut
    total: MoneyOut = Field(description="What the shopper pays.")
    prices_include_tax: bool


class ShipmentLineOut(Schema):
    order_line_id: str = Field(description="The `id` of the order line (in `lines` of this "
                                           "order) these units are of.")
    sku: str
    quantity: int


class DeliveryMethodRefOut(Schema):
    code: str
    name: str


class ShipmentOut(Schema):
    number: str
    status: str
    method: DeliveryMethodRefOut
    delivery_fee: MoneyOut
    ship_to: OrderAddressOut
    lines: list[ShipmentLineOut]


class TransactionOut(Schema):
    kind: str = Field(description="authorize, capture, void or refund.")
    amount: MoneyOut
    succeeded: bool
    error_message: str
    created_at: datetime


class PaymentOut(Schema):
    id: str
    method: str
    amount: MoneyOut
    status: str
    transactions: list[TransactionOut]


class OrderOut(Schema):
    id: str = Field(description="The order's public id.")
    number: str
    status: str
    created_at: datetime
    email: str
    currency: str
    lines: list[OrderLineOut]
    discounts: list[OrderDiscountOut]
    totals: OrderTotalsOut
    billing_address: OrderAddressOut | None
    shipping_address: OrderAddressOut | None
    shipments: list[ShipmentOut]
    payments: list[PaymentOut]
    payment_status: str = Field(description="As in the order list.")


def money(amount: Decimal, currency: str) -> MoneyOut:
    return MoneyOut.from_money(Money(amount, currency))


def percent(rate: Decimal) -> str:
    return f"{rate.normalize():f}"


def address_out(address: AddressSnapshot | None) -> OrderAddressOut | None:
    if address is None:
        return None
    return OrderAddressOut(**{name: getattr(address, name) for name in ADDRESS_FIELDS})


def line_out(line: OrderLine, currency: str) -> OrderLineOut:
    return OrderLineOut(
        id=line.public_id, sku=line.sku, title=line.product_title, variant=line.variant_name,
        quantity=line.quantity, unit_price=money(line.unit_price, currency),
        discount=money(line.discount_amount, currency), total=money(line.amount, currency),
        net=money(line.net, currency), tax=money(line.tax, currency),
        gross=money(line.gross, currency), tax_rate=percent(line.tax_rate),
    )


def shipment_out(shipment: Shipment, currency: str) -> ShipmentOut:
    return ShipmentOut(
        number=shipment.number, status=shipment.status,
        method=DeliveryMethodRefOut(code=shipment.delivery_method_code,
                                    name=shipment.delivery_method_name),
        delivery_fee=money(shipment.delivery_amount, currency),
        ship_to=address_out(shipment),
        lines=[ShipmentLineOut(order_line_id=line.order_line.public_id,
                               sku=line.order_line.sku, quantity=line.quantity)
               for line in shipment.lines.all()],
    )


def transaction_out(entry: Transaction) -> TransactionOut:
    return TransactionOut(kind=entry.kind, amount=money(entry.amount, entry.currency),
                          succeeded=entry.succeeded, error_message=entry.error_message,
                          created_at=entry.created_at)


def payment_out(payment: Payment) -> PaymentOut:
    """What the shopper may see of a payment: never tokens or provider references."""
    return PaymentOut(id=payment.public_id, method=payment.method,
                      amount=money(payment.amount, payment.currency), status=payment.status,
                      transactions=[transaction_out(t) for t in payment.transactions.all()])


def totals_out(order: Order) -> OrderTotalsOut:
    currency = order.currency
    return OrderTotalsOut(
        subtotal=money(order.subtotal, currency), discount=money(order.discount_total, currency),
        delivery=money(order.delivery_total, currency), tax=money(order.tax_total, currency),
        total=money(order.total, currency), prices_include_tax=order.prices_include_tax,
    )


def order_out(order: Order) -> OrderOut:
    """The order as the shopper sees it. Pass one read by an orders detail selector (prefetched,
    with `order.payments` attached); any other Order is read again that way first."""
    if not hasattr(order, "payments"):
        order = order_detail(public_id=order.public_id)
    currency = order.currency
    addresses = {address.kind: address for address in order.addresses.all()}
    payments = order.payments
    return OrderOut(
        id=order.public_id, number=order.number, status=order.status,
        created_at=order.created_at, email=order.email, currency=currency,
        lines=[line_out(line, currency) for line in order.lines.all()],
        discounts=[OrderDiscountOut(name=d.name, amount=money(d.amount, currency))
                   for d in order.discounts.all()],
        totals=totals_out(order),
        billing_address=address_out(addresses.get(AddressKind.BILLING)),
        shipping_address=address_out(addresses.get(AddressKind.SHIPPING)),
        shipments=[shipment_out(s, currency) for s in order.shipments.all()],
        payments=[payment_out(payment) for payment in payments],
        payment_status=payment_state([payment.status for payment in payments]),
    )


def order_list_item_out(summary: OrderSummary) -> OrderListItemOut:
    order = summary.order
    return OrderListItemOut(number=order.number, status=order.status,
                            created_at=order.created_at, total=money(order.total, order.currency),
                            item_count=summary.item_count, payment_status=summary.payment_state)


def order_list_out(page: OrderPage) -> OrderListOut:
    return OrderListOut(items=[order_list_item_out(item) for item in page.items],
                        page=page.page, page_size=page.page_size, total=page.total,
                        pages=page.pages)
