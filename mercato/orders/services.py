"""Order use cases: one transaction each, every change recorded as an event.

`place_order` turns a priced quote and checkout's shipment plans into a numbered order with its
stock allocated and its shipments. Checkout calls it inside its own transaction (with the
payment authorization): `place_order` opens a nested atomic block, so it commits or rolls back
with the caller's, and an OutOfStock it raises undoes everything.

Lock order, the same in every service: stock rows (by pk), then the order-number sequence row,
then (cancel) the order, its shipments and again stock rows by pk. Stock comes before the
number so an order that is out of stock fails without queueing for the shop-wide number lock.
"""

import logging
from collections.abc import Callable, Mapping, Sequence

from django.db import IntegrityError, transaction

from mercato.catalog.models import ProductVariant
from mercato.core.events import Actor, record
from mercato.core.ids import new_public_id
from mercato.core.money import Money
from mercato.core.states import IllegalTransition, advance
from mercato.inventory.models import Warehouse
from mercato.inventory.services import allocate_stock, release_stock
from mercato.orders import errors
from mercato.orders.events import (
    OrderCancelled,
    OrderHoldReleased,
    OrderPaymentCaptured,
    OrderPaymentRecorded,
    OrderPaymentRefunded,
    OrderPaymentVoided,
    OrderPlaced,
    OrderPutOnHold,
    OrderStatusChanged,
    ShipmentCancelled,
    ShipmentCreated,
)
from mercato.orders.models import (
    DEFAULT_SEQUENCE,
    AddressKind,
    Order,
    OrderAddress,
    OrderDiscount,
    OrderLine,
    OrderNumberSequence,
    Shipment,
    ShipmentLine,
)
from mercato.orders.rules import (
    ShipmentDraft,
    ShipmentPlan,
    address_errors,
    address_snapshot,
    allocation_groups,
    check_plans,
    delivery_summary,
    format_order_number,
    format_shipment_number,
    shipment_drafts,
    whole_order_plan,
)
from mercato.orders.states import (
    ORDER_TRANSITIONS,
    SHIPMENT_TRANSITIONS,
    OrderStatus,
    ShipmentStatus,
)
from mercato.payments.models import Payment, Transaction
from mercato.payments.rules import ledger_of, refundable
from mercato.payments.selectors import payment_detail
from mercato.payments.services import capture_payment, refund_payment, void_payment
from mercato.payments.states import PaymentStatus
from mercato.pricing.rules.types import Quote

logger = logging.getLogger(__name__)


def allocate_order_number(*, key: str = DEFAULT_SEQUENCE) -> str:
    """The next number of the shop's sequence; call inside the transaction creating the order.

    The sequence row stays locked until that transaction ends, so concurrent orders take
    consecutive numbers one after the other and a rolled-back order gives its number back."""
    sequence = OrderNumberSequence.objects.select_for_update().filter(key=key).first()
    if sequence is None:
        try:
            with transaction.atomic():
                OrderNumberSequence.objects.create(key=key)
        except IntegrityError:
            pass  # another transaction created it first; the lock below waits for it
        sequence = OrderNumberSequence.objects.select_for_update().get(key=key)
    number = format_order_number(prefix=sequence.prefix, value=sequence.next_value)
    sequence.next_value += 1
    sequence.save(update_fields=["next_value"])
    return number


def place_order(*, quote: Quote, customer_id: int | None, email: str,
                billing_address: Mapping[str, str], by: Actor,
                shipping_address: Mapping[str, str] | None = None,
                shipments: Sequence[ShipmentPlan] | None = None) -> Order:
    """A numbered InProgress order with snapshots of the quote's lines, discounts, delivery,
    tax, totals and addresses, its stock allocated and one InventoryAssigned shipment per
    (plan, warehouse).

    Pass `shipping_address` alone (every line in full to it, with the quote's delivery) or
    `shipments` (checkout's split plans; the first plan's address is the order's shipping
    address). Plans that do not ship every line's quantity exactly are a ValueError.
    Raises OutOfStock (nothing allocated, nothing created) when stock is short."""
    plans = _shipment_plans(quote=quote, shipping_address=shipping_address, shipments=shipments)
    _check_addresses(plans=plans, billing_address=billing_address, split=shipments is not None)
    variant_ids = [line.variant_id for line in quote.lines]
    with transaction.atomic():
        public_id = new_public_id()
        allocations = allocate_stock(
            groups=allocation_groups(plans=plans, variant_ids=variant_ids), by=by,
            reference=public_id)
        code, name, delivery_total = delivery_summary(plans)
        order = Order.objects.create(
            public_id=public_id, number=allocate_order_number(), customer_id=customer_id,
            email=email.strip(), currency=quote.currency,
            prices_include_tax=quote.prices_include_tax,
            subtotal=quote.subtotal.amount, discount_total=quote.discount_total.amount,
            delivery_total=delivery_total, tax_total=quote.tax_total.amount,
            total=quote.total.amount, delivery_method_code=code, delivery_method_name=name,
        )
        lines = _snapshot_lines(order=order, quote=quote)
        OrderDiscount.objects.bulk_create(
            OrderDiscount(order=order, name=d.name, amount=d.amount.amount,
                          promotion_id=d.promotion_id)
            for d in quote.discounts)
        OrderAddress.objects.bulk_create([
            OrderAddress(order=order, kind=AddressKind.SHIPPING,
                         **address_snapshot(plans[0].address)),
            OrderAddress(order=order, kind=AddressKind.BILLING,
                         **address_snapshot(billing_address)),
        ])
        record(OrderPlaced(aggregate_id=order.public_id, number=order.number, email=order.email,
                           currency=order.currency, total=order.total), by=by)
        drafts = shipment_drafts(plans=plans, variant_ids=variant_ids, allocations=allocations)
        _create_shipments(order=order, lines=lines, plans=plans, drafts=drafts, by=by)
    return order


def _shipment_plans(*, quote: Quote, shipping_address: Mapping[str, str] | None,
                    shipments: Sequence[ShipmentPlan] | None) -> list[ShipmentPlan]:
    if not quote.lines:
        raise errors.EmptyOrder("An order needs at least one line.")
    quantities = [line.quantity for line in quote.lines]
    if shipments is None:
        if shipping_address is None:
            raise ValueError("place_order needs a shipping_address or shipment plans.")
        return [whole_order_plan(line_quantities=quantities, address=shipping_address,
                                 delivery=quote.delivery)]
    if shipping_address is not None:
        raise ValueError("Pass shipping_address or shipments, not both.")
    check_plans(line_quantities=quantities, plans=shipments)
    return list(shipments)


def _check_addresses(*, plans: list[ShipmentPlan], billing_address: Mapping[str, str],
                     split: bool) -> None:
    problems = {}
    for number, plan in enumerate(plans):
        prefix = f"shipments.{number}.address" if split else "shipping_address"
        problems |= {f"{prefix}.{k}": v for k, v in address_errors(plan.address).items()}
    problems |= {f"billing_address.{k}": v for k, v in address_errors(billing_address).items()}
    if problems:
        raise errors.InvalidOrderAddress("Please correct the address.", errors=problems)


def _snapshot_lines(*, order: Order, quote: Quote) -> list[OrderLine]:
    variant_ids = [line.variant_id for line in quote.lines if line.variant_id is not None]
    variants = ProductVariant.objects.select_related("product").only(
        "sku", "name", "product__title").in_bulk(variant_ids)
    rows = []
    for line in quote.lines:
        variant = variants.get(line.variant_id) if line.variant_id is not None else None
        rows.append(OrderLine(
            order=order, variant=variant, sku=line.sku,
            product_title=variant.product.title if variant else line.sku,
            variant_name=variant.name if variant else "", quantity=line.quantity,
            unit_price=line.unit_price.amount, discount_amount=line.discount_total.amount,
            amount=line.amount.amount, net=line.net.amount, tax_rate=line.tax_rate,
            tax_name=line.tax_name, tax=line.tax.amount, gross=line.gross.amount,
        ))
    return OrderLine.objects.bulk_create(rows)


def _create_shipments(*, order: Order, lines: list[OrderLine], plans: list[ShipmentPlan],
                      drafts: list[ShipmentDraft], by: Actor) -> None:
    shipments = Shipment.objects.bulk_create([
        Shipment(order=order, number=format_shipment_number(order_number=order.number,
                                                             position=position),
                 status=ShipmentStatus.INVENTORY_ASSIGNED, warehouse_id=draft.warehouse_id,
                 delivery_method_code=plan.delivery.code if plan.delivery else "",
                 delivery_method_name=plan.delivery.name if plan.delivery else "",
                 delivery_amount=draft.delivery_amount, **address_snapshot(plan.address))
        for position, draft in enumerate(drafts, start=1)
        for plan in [plans[draft.plan_index]]
    ])
    ShipmentLine.objects.bulk_create(
        ShipmentLine(shipment=shipment, order_line=lines[index], stock_id=stock_id,
                     quantity=quantity)
        for shipment, draft in zip(shipments, drafts, strict=True)
        for index, stock_id, quantity in draft.lines)
    codes = dict(Warehouse.objects.filter(pk__in={d.warehouse_id for d in drafts})
                 .values_list("pk", "code"))
    for shipment, draft in zip(shipments, drafts, strict=True):
        record(ShipmentCreated(
            aggregate_id=order.public_id, shipment_id=shipment.public_id, number=shipment.number,
            status=shipment.status, warehouse=codes.get(draft.warehouse_id, ""),
            delivery_method=shipment.delivery_method_code,
            delivery_amount=shipment.delivery_amount,
            lines=", ".join(f"{q} x {lines[i].sku}" for i, _, q in draft.lines),
        ), by=by)


def hold_order(*, public_id: str, by: Actor, reason: str = "") -> Order:
    """Stop the order (fraud check, customer request). Only the order's status moves: its
    shipments keep theirs, and fulfilment must not release those of an order on hold."""
    return _move(public_id=public_id, action="hold", event=OrderPutOnHold, by=by, reason=reason)


def release_hold(*, public_id: str, by: Actor, reason: str = "") -> Order:
    return _move(public_id=public_id, action="release_hold", event=OrderHoldReleased, by=by,
                 reason=reason)


def _move(*, public_id: str, action: str, event: type[OrderStatusChanged], by: Actor,
          reason: str) -> Order:
    """Lock the order, apply `action` (IllegalTransition leaves it unchanged), record `event`."""
    with transaction.atomic():
        order = _locked_order(public_id)
        old, new = advance(order, ORDER_TRANSITIONS, action)
        order.save(update_fields=["status"])
        record(event(aggregate_id=order.public_id, number=order.number, old_status=old,
                     new_status=new, reason=reason), by=by)
    return order


def _locked_order(public_id: str) -> Order:
    order = Order.objects.select_for_update().filter(public_id=public_id).first()
    if order is None:
        raise errors.OrderNotFound("There is no such order.")
    return order


def cancel_order(*, public_id: str, by: Actor, reason: str = "") -> Order:
    """Cancel an order none of whose shipments has shipped: release its allocated stock,
    cancel its shipments and then void (authorized) or refund (captured) its payments.

    Stock, shipments and status change in one transaction. The gateway calls come after it
    commits, each in its own payments transaction: no order or stock lock is held during a
    network call, and the cancellation stands whatever the provider answers. A refused void or
    refund is a failed transaction in the payment's ledger (and an event in the order's
    history) that staff retry from the payment; a payment still Pending (cash on delivery) has
    nothing to give back. Call it outside any transaction of your own, or the gateway calls
    run inside it."""
    with transaction.atomic():
        order = _locked_order(public_id)
        old, new = advance(order, ORDER_TRANSITIONS, "cancel")
        shipments = list(order.shipments.select_for_update().order_by("pk"))
        shipped = [s.number for s in shipments if s.status == ShipmentStatus.SHIPPED]
        if shipped:
            raise errors.OrderAlreadyShipped(
                f"Cannot cancel order {order.number}: {', '.join(shipped)} has shipped.",
                action="cancel", status=old)
        _cancel_shipments(order=order, shipments=shipments, by=by)
        order.save(update_fields=["status"])
        record(OrderCancelled(aggregate_id=order.public_id, number=order.number, old_status=old,
                              new_status=new, reason=reason), by=by)
    for payment_id in _payment_ids(order):
        _settle(order=order, payment_id=payment_id, by=by)
    return order


def _cancel_shipments(*, order: Order, shipments: list[Shipment], by: Actor) -> None:
    """Release the stock of the shipments not cancelled yet, then cancel them."""
    open_shipments = [s for s in shipments if s.status != ShipmentStatus.CANCELLED]
    release_stock(
        allocations=ShipmentLine.objects.filter(shipment__in=open_shipments,
                                                stock__isnull=False)
        .order_by("pk").values_list("stock_id", "quantity"),
        by=by, reference=order.public_id)
    for shipment in open_shipments:
        old, new = advance(shipment, SHIPMENT_TRANSITIONS, "cancel")
        shipment.save(update_fields=["status"])
        record(ShipmentCancelled(aggregate_id=order.public_id, shipment_id=shipment.public_id,
                                 number=shipment.number, old_status=old, new_status=new), by=by)


PaymentAction = Callable[[Payment, str, Actor], Transaction]


def _void(payment: Payment, key: str, by: Actor) -> Transaction:
    return void_payment(payment_id=payment.public_id, idempotency_key=key, by=by)


def _refund(payment: Payment, key: str, by: Actor) -> Transaction:
    ledger = ledger_of((t.kind, t.amount, t.succeeded, t.error_code)
                       for t in payment.transactions.all())
    return refund_payment(payment_id=payment.public_id, idempotency_key=key, by=by,
                          amount=Money(refundable(ledger), payment.currency))


SETTLEMENTS: dict[str, tuple[PaymentAction, type[OrderPaymentRecorded]]] = {
    PaymentStatus.AUTHORIZED: (_void, OrderPaymentVoided),
    PaymentStatus.CAPTURED: (_refund, OrderPaymentRefunded),
    PaymentStatus.PARTIALLY_REFUNDED: (_refund, OrderPaymentRefunded),
}


def _settle(*, order: Order, payment_id: str, by: Actor) -> Transaction | None:
    """Void or refund one payment of a cancelled order, by its current status."""
    for _attempt in range(2):  # again if a concurrent capture moved it between read and call
        payment = payment_detail(payment_id=payment_id)
        settlement = SETTLEMENTS.get(payment.status)
        if settlement is None:
            return None
        action, event = settlement
        try:
            txn = action(payment, f"cancel:{payment.public_id}", by)
        except IllegalTransition:
            continue
        except Exception:  # the order is cancelled and committed; staff see the open payment
            logger.exception("could not settle payment %s of cancelled order %s",
                             payment.public_id, order.number)
            return None
        _record_payment(order=order, payment=payment, txn=txn, event=event, by=by)
        return txn
    return None


def capture_order_payments(*, public_id: str, by: Actor) -> list[Transaction]:
    """Capture every Authorized payment of the order in full (idempotent per payment).

    No order lock is held while the gateway is called: a payment voided meanwhile by a
    cancellation is refused by its own lock in payments (IllegalTransition), and a cancellation
    that finds a payment captured refunds it."""
    order = Order.objects.filter(public_id=public_id).first()
    if order is None:
        raise errors.OrderNotFound("There is no such order.")
    if order.status == OrderStatus.CANCELLED:
        raise IllegalTransition(f"Cannot capture the payments of {order.number}: it is "
                                f"cancelled.", action="capture", status=order.status)
    captured = []
    for payment_id in _payment_ids(order, status=PaymentStatus.AUTHORIZED):
        txn = capture_payment(payment_id=payment_id, idempotency_key=f"capture:{payment_id}",
                              by=by)
        _record_payment(order=order, payment=txn.payment, txn=txn, event=OrderPaymentCaptured,
                        by=by)
        captured.append(txn)
    return captured


def _payment_ids(order: Order, status: str | None = None) -> list[str]:
    """The order's payments (they refer to it by its number), oldest first."""
    payments = Payment.objects.filter(reference=order.number)
    if status is not None:
        payments = payments.filter(status=status)
    return list(payments.order_by("pk").values_list("public_id", flat=True))


def _record_payment(*, order: Order, payment: Payment, txn: Transaction,
                    event: type[OrderPaymentRecorded], by: Actor) -> None:
    """The order's history shows what happened to its payments (the ledger has the detail)."""
    with transaction.atomic():
        record(event(aggregate_id=order.public_id, number=order.number,
                     payment_id=payment.public_id, method=payment.method, amount=txn.amount,
                     currency=txn.currency, succeeded=txn.succeeded,
                     error_code=txn.error_code), by=by)
