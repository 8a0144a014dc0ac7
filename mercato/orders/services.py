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
from collections.abc import Callable, Collection, Mapping, Sequence
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from mercato.catalog.models import ProductVariant
from mercato.core.events import Actor, record
from mercato.core.ids import new_public_id
from mercato.core.money import Money
from mercato.core.states import IllegalTransition, advance
from mercato.inventory.errors import OutOfStock
from mercato.inventory.models import Warehouse
from mercato.inventory.services import allocate_stock, lock_stock, release_stock, ship_stock
from mercato.orders import errors
from mercato.orders.events import (
    OrderCancelled,
    OrderCompleted,
    OrderHoldReleased,
    OrderPartiallyShipped,
    OrderPaymentCaptured,
    OrderPaymentRecorded,
    OrderPaymentRefunded,
    OrderPaymentVoided,
    OrderPlaced,
    OrderPutOnHold,
    OrderStatusChanged,
    ShipmentCancelled,
    ShipmentCreated,
    ShipmentDelivered,
    ShipmentHoldReleased,
    ShipmentInventoryAssigned,
    ShipmentPacked,
    ShipmentPutOnHold,
    ShipmentReleased,
    ShipmentShipped,
    ShipmentStatusChanged,
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
    ADDRESS_FIELDS,
    ShipmentDraft,
    ShipmentPlan,
    address_errors,
    address_snapshot,
    allocation_groups,
    cancelled_value,
    check_plans,
    delivery_summary,
    format_order_number,
    format_shipment_number,
    shipment_drafts,
    split_amount,
    whole_order_plan,
)
from mercato.orders.states import (
    ORDER_TRANSITIONS,
    SHIPMENT_TRANSITIONS,
    OrderStatus,
    ShipmentStatus,
)
from mercato.payments.models import Payment, PaymentMethod, Transaction
from mercato.payments.rules import Ledger, capturable, ledger_of, refundable
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
    (plan, warehouse) — warehouses chosen by inventory's allocation strategy among those
    serving the plan's country. Units of variants that allow backorders and have no stock go
    in one AwaitingInventory shipment per plan, allocated when stock arrives
    (allocate_awaiting_shipments).

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
            reference=public_id, backorders=True,
            destinations={i: str(plan.address.get("country") or "").upper()
                          for i, plan in enumerate(plans)})
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
                 status=ShipmentStatus.AWAITING_INVENTORY if draft.awaiting
                 else ShipmentStatus.INVENTORY_ASSIGNED, warehouse_id=draft.warehouse_id,
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
        _cancel_shipments(order=order, shipments=shipments, by=by, reason=reason)
        order.save(update_fields=["status"])
        record(OrderCancelled(aggregate_id=order.public_id, number=order.number, old_status=old,
                              new_status=new, reason=reason), by=by)
    for payment_id in _payment_ids(order):
        _settle(order=order, payment_id=payment_id, by=by)
    return order


def _cancel_shipments(*, order: Order, shipments: list[Shipment], by: Actor,
                      reason: str = "") -> None:
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
                                 number=shipment.number, old_status=old, new_status=new,
                                 reason=reason), by=by)


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


# --- shipment processing ----------------------------------------------------------------------
#
# Every shipment move locks the order row, then the shipment rows (by pk), then stock rows (by
# pk), the order cancel_order uses. Gateway calls (capture on ship, cash collected on delivery,
# the refund of a parcel cancelled after a capture) come after the commit, as in cancel_order:
# the shipment's move stands whatever the provider answers; a refused call is a failed
# transaction in the payment's ledger and an event in the order's history.
#
# Payments of a partly cancelled order: the order keeps its total, and what is taken from the
# shopper is that total less the value of its cancelled parcels (rules.cancelled_value: each
# cancelled line's gross pro rata plus the parcel's delivery fee). Before anything is captured
# the payments are later captured for that smaller amount (oldest payment first, a payment
# with nothing left to take is voided); once captured, cancelling a parcel refunds its value
# (newest payment first).

MANUAL_RELEASE = "manual"
RELEASE_ON_PAYMENT = "on_payment"
PAID = {PaymentStatus.AUTHORIZED, PaymentStatus.CAPTURED, PaymentStatus.PARTIALLY_REFUNDED}
OPEN_ORDER = {OrderStatus.IN_PROGRESS, OrderStatus.PARTIALLY_SHIPPED,
              OrderStatus.AWAITING_EXCHANGE}


def release_mode() -> str:
    """MERCATO_RELEASE_MODE: "manual" (staff release shipments) or "on_payment" (a shipment is
    released as soon as it has stock and the order's payments are authorized or captured;
    cash on delivery counts as arranged)."""
    return getattr(settings, "MERCATO_RELEASE_MODE", MANUAL_RELEASE)


def release_shipment(*, public_id: str, by: Actor) -> Shipment:
    """InventoryAssigned -> Released ("Released for Shipping"); refused (OrderOnHold,
    IllegalTransition) while the order is on hold or cancelled."""
    with transaction.atomic():
        order, shipment = _locked_shipment(public_id)
        _check_order_open(order, "release")
        _move_shipment(order, shipment, "release", ShipmentReleased, by=by)
    return shipment


def hold_shipment(*, public_id: str, by: Actor, reason: str = "") -> Shipment:
    """InventoryAssigned or Released -> OnHold; the shipment keeps its stock."""
    with transaction.atomic():
        order, shipment = _locked_shipment(public_id)
        _move_shipment(order, shipment, "hold", ShipmentPutOnHold, by=by, reason=reason)
    return shipment


def release_shipment_hold(*, public_id: str, by: Actor) -> Shipment:
    """OnHold -> InventoryAssigned: to be released for shipping again."""
    with transaction.atomic():
        order, shipment = _locked_shipment(public_id)
        _move_shipment(order, shipment, "release_hold", ShipmentHoldReleased, by=by)
    return shipment


def pack_shipments(*, public_ids: Sequence[str], by: Actor,
                   reference: str = "") -> list[Shipment]:
    """Released -> Packing for every shipment, or none (a picklist, `reference` its number):
    ShipmentNotFound, OrderOnHold or IllegalTransition name the first that cannot be packed."""
    wanted = list(dict.fromkeys(public_ids))
    if not wanted:
        raise errors.InvalidShipmentData("Choose at least one shipment.",
                                         errors={"shipments": ["Choose at least one."]})
    with transaction.atomic():
        found = dict(Shipment.objects.filter(public_id__in=wanted)
                     .values_list("public_id", "order_id"))
        missing = [p for p in wanted if p not in found]
        if missing:
            raise errors.ShipmentNotFound(f"There is no shipment {missing[0]}.",
                                          missing=missing)
        orders = Order.objects.select_for_update().order_by("pk").in_bulk(set(found.values()))
        locked = Shipment.objects.select_for_update().order_by("pk").in_bulk(
            wanted, field_name="public_id")
        shipments = [locked[p] for p in wanted]
        for shipment in shipments:
            _check_order_open(orders[shipment.order_id], "pack", shipment)
            _move_shipment(orders[shipment.order_id], shipment, "pack", ShipmentPacked, by=by,
                           reference=reference)
    return shipments


def mark_shipment_shipped(*, public_id: str, carrier: str, tracking_number: str,
                          tracking_url: str, weight_grams: int | None, by: Actor) -> Shipment:
    """Packing -> Shipped with its carrier and tracking; its units leave the stock (on hand and
    allocated go down); the order becomes PartiallyShipped or Completed; ShipmentShipped is
    recorded (notifications email the tracking link). Refused while the order is on hold.

    After the commit the order's Authorized payments are captured (for less when parcels were
    cancelled, see above). Call it outside any transaction of your own."""
    carrier, tracking_number = carrier.strip(), tracking_number.strip()
    problems = {}
    if not carrier:
        problems["carrier"] = ["This field is required."]
    if weight_grams is not None and weight_grams <= 0:
        problems["weight_grams"] = ["Must be a positive number of grams."]
    if problems:
        raise errors.InvalidShipmentData("Please correct the shipment data.", errors=problems)
    with transaction.atomic():
        order, shipment = _locked_shipment(public_id)
        _check_allowed(shipment, "ship")
        _check_order_open(order, "ship", shipment)
        old, new = advance(shipment, SHIPMENT_TRANSITIONS, "ship")
        shipment.carrier, shipment.tracking_number = carrier, tracking_number
        shipment.tracking_url, shipment.weight_grams = tracking_url.strip(), weight_grams
        shipment.shipped_at = timezone.now()
        shipment.save(update_fields=["status", "carrier", "tracking_number", "tracking_url",
                                     "weight_grams", "shipped_at"])
        ship_stock(allocations=shipment.lines.filter(stock__isnull=False).order_by("pk")
                   .values_list("stock_id", "quantity"), by=by, reference=order.public_id)
        record(ShipmentShipped(
            aggregate_id=order.public_id, shipment_id=shipment.public_id,
            number=shipment.number, old_status=old, new_status=new,
            warehouse=shipment.warehouse.code if shipment.warehouse else "", carrier=carrier,
            tracking_number=tracking_number, tracking_url=shipment.tracking_url,
            weight_grams=weight_grams, email=order.email), by=by)
        _follow_shipments(order, by=by)
    _capture_due(order=order, pending_cash=False, by=by)
    return shipment


def confirm_delivery(*, public_id: str, by: Actor) -> Shipment:
    """Record that a Shipped parcel was delivered (once); then cash on delivery is collected:
    the order's Pending cash-on-delivery payments are captured (marked paid)."""
    with transaction.atomic():
        order, shipment = _locked_shipment(public_id)
        if shipment.status != ShipmentStatus.SHIPPED or shipment.delivered_at is not None:
            state = "already delivered" if shipment.delivered_at else shipment.status
            raise IllegalTransition(f"Cannot confirm the delivery of {shipment.number}: it is "
                                    f"{state}.", action="deliver", current_status=state)
        shipment.delivered_at = timezone.now()
        shipment.save(update_fields=["delivered_at"])
        record(ShipmentDelivered(aggregate_id=order.public_id, shipment_id=shipment.public_id,
                                 number=shipment.number), by=by)
    _capture_due(order=order, pending_cash=True, by=by)
    return shipment


def cancel_shipment(*, public_id: str, by: Actor, reason: str = "") -> Shipment:
    """Cancel a shipment that has not shipped: its stock is released. If it was the order's
    last open shipment and nothing shipped, the order is cancelled (cancel_order: payments
    voided or refunded); if the rest has shipped, the order is Completed. Its value is then
    taken off the order's payments (see above). Call it outside any transaction of your own."""
    with transaction.atomic():
        order, shipment = _locked_shipment(public_id)
        _check_allowed(shipment, "cancel")
        captured = False
        others = list(order.shipments.exclude(pk=shipment.pk).exclude(
            status=ShipmentStatus.CANCELLED).values_list("status", flat=True))
        whole_order = not others and order.status in ORDER_TRANSITIONS.moves["cancel"].source
        if not whole_order:
            _cancel_shipments(order=order, shipments=[shipment], by=by, reason=reason)
            _follow_shipments(order, by=by)
            captured = _captured(order)
    if whole_order:
        cancel_order(public_id=order.public_id, by=by, reason=reason)
    elif captured:
        _refund_cancelled(order=order, shipment=shipment, by=by)
    shipment.refresh_from_db()
    return shipment


def allocate_awaiting_shipments(*, variant_ids: Collection[int] | None = None,
                                by: Actor) -> list[Shipment]:
    """Allocate stock to AwaitingInventory shipments (of those variants), first come first
    served: oldest order first, each shipment whole or not at all. A shipment that cannot be
    filled blocks its variants for the later ones (they do not jump the queue). A shipment whose
    stock comes from several warehouses keeps the first warehouse's lines and the others move
    to new InventoryAssigned shipments of the order. Idempotent: run it whenever stock may have
    arrived (the inventory event handler does). Returns the shipments assigned or created."""
    with transaction.atomic():
        waiting = Shipment.objects.filter(status=ShipmentStatus.AWAITING_INVENTORY)
        if variant_ids is not None:
            waiting = waiting.filter(lines__order_line__variant_id__in=set(variant_ids))
        queue = list(waiting.distinct().order_by("order__created_at", "order_id", "pk")
                     .values_list("pk", "order_id"))
        if not queue:
            return []
        orders = Order.objects.select_for_update().order_by("pk").in_bulk(
            {order_id for _, order_id in queue})
        shipments = Shipment.objects.select_for_update().order_by("pk").in_bulk(
            [pk for pk, _ in queue])
        lines: dict[int, list[ShipmentLine]] = {}
        for line in ShipmentLine.objects.filter(shipment_id__in=shipments).select_related(
                "order_line").order_by("pk"):
            lines.setdefault(line.shipment_id, []).append(line)
        lock_stock(variant_ids={line.order_line.variant_id for rows in lines.values()
                                for line in rows if line.order_line.variant_id})
        done: list[Shipment] = []
        blocked: set[int] = set()
        for pk, order_id in queue:
            shipment, order = shipments[pk], orders[order_id]
            if shipment.status != ShipmentStatus.AWAITING_INVENTORY:
                continue
            assigned = _allocate_waiting(order=order, shipment=shipment,
                                         lines=lines.get(pk, []), blocked=blocked, by=by)
            done += assigned
            if assigned:
                done += _auto_release(order=order, by=by)
    return list(dict.fromkeys(done))


def release_paid_order(*, order_number: str, by: Actor) -> list[Shipment]:
    """With MERCATO_RELEASE_MODE=on_payment: release the order's InventoryAssigned shipments
    once its payments are authorized or captured (the payment event handler calls it).
    Does nothing in manual mode, for an order on hold or not yet paid."""
    if release_mode() != RELEASE_ON_PAYMENT:
        return []
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(number=order_number).first()
        if order is None:
            return []
        return _auto_release(order=order, by=by)


def _locked_shipment(public_id: str) -> tuple[Order, Shipment]:
    order_id = (Shipment.objects.filter(public_id=public_id)
                .values_list("order_id", flat=True).first())
    if order_id is None:
        raise errors.ShipmentNotFound("There is no such shipment.")
    order = Order.objects.select_for_update().get(pk=order_id)
    shipment = (Shipment.objects.select_for_update(of=("self",)).select_related("warehouse")
                .get(public_id=public_id))
    return order, shipment


def _check_order_open(order: Order, action: str, shipment: Shipment | None = None) -> None:
    """OnHold stops release, packing and shipping; a cancelled order has nothing to send."""
    what = f"{shipment.number} of order {order.number}" if shipment else \
        f"the shipments of order {order.number}"
    if order.status == OrderStatus.ON_HOLD:
        raise errors.OrderOnHold(f"Cannot {action} {what}: the order is on hold.",
                                 action=action, current_status=order.status)
    if order.status == OrderStatus.CANCELLED:
        raise IllegalTransition(f"Cannot {action} {what}: the order is cancelled.",
                                action=action, current_status=order.status)


def _check_allowed(shipment: Shipment, action: str) -> None:
    """IllegalTransition naming the shipment unless the table allows `action` from its status."""
    if shipment.status not in SHIPMENT_TRANSITIONS.moves[action].source:
        raise IllegalTransition(
            f"Cannot {action.replace('_', ' ')} shipment {shipment.number}: it is "
            f"{shipment.status}.", action=action, current_status=shipment.status,
            shipment=shipment.number)


def _move_shipment(order: Order, shipment: Shipment, action: str,
                   event: type[ShipmentStatusChanged], *, by: Actor, reason: str = "",
                   **details: str) -> None:
    """Apply `action` (IllegalTransition names the shipment, nothing changes), record it."""
    _check_allowed(shipment, action)
    old, new = advance(shipment, SHIPMENT_TRANSITIONS, action)
    shipment.save(update_fields=["status"])
    record(event(aggregate_id=order.public_id, shipment_id=shipment.public_id,
                 number=shipment.number, old_status=old, new_status=new, reason=reason,
                 **details), by=by)


def _follow_shipments(order: Order, *, by: Actor) -> None:
    """The order's status follows its shipments: Completed when every shipment not cancelled
    has shipped, PartiallyShipped when some have (an exchange completes when it ships)."""
    statuses = list(order.shipments.exclude(status=ShipmentStatus.CANCELLED)
                    .values_list("status", flat=True))
    shipped = [s for s in statuses if s == ShipmentStatus.SHIPPED]
    if not shipped:
        return
    if len(shipped) == len(statuses):
        action, event = ("exchange_shipped" if order.status == OrderStatus.AWAITING_EXCHANGE
                         else "complete"), OrderCompleted
    elif order.status == OrderStatus.IN_PROGRESS:
        action, event = "mark_partially_shipped", OrderPartiallyShipped
    else:
        return
    if order.status == ORDER_TRANSITIONS.moves[action].target:
        return
    old, new = advance(order, ORDER_TRANSITIONS, action)
    order.save(update_fields=["status"])
    record(event(aggregate_id=order.public_id, number=order.number, old_status=old,
                 new_status=new, reason=""), by=by)


def _allocate_waiting(*, order: Order, shipment: Shipment, lines: list[ShipmentLine],
                      blocked: set[int], by: Actor) -> list[Shipment]:
    """Allocate one AwaitingInventory shipment whole, or leave it (and block its variants)."""
    stocked = [line for line in lines if line.order_line.variant_id]
    needs: dict[int, int] = {}
    for line in stocked:
        needs[line.order_line.variant_id] = needs.get(line.order_line.variant_id, 0) + \
            line.quantity
    if order.status == OrderStatus.CANCELLED or not needs or blocked & needs.keys():
        blocked |= needs.keys()
        return []
    try:
        with transaction.atomic():
            allocations = allocate_stock(groups=[(0, list(needs.items()))], by=by,
                                         reference=order.public_id,
                                         destinations={0: shipment.country})
    except OutOfStock:
        blocked |= needs.keys()
        return []
    warehouses = list(dict.fromkeys(a.warehouse_id for a in allocations))
    base = order.shipments.count()
    parcels = {warehouses[0]: shipment} | {
        warehouse_id: _extra_shipment(order=order, like=shipment, warehouse_id=warehouse_id,
                                      position=base + n)
        for n, warehouse_id in enumerate(warehouses[1:], start=1)}
    left = {id(a): a.quantity for a in allocations}
    new_lines = []
    for line in stocked:
        quantity = line.quantity
        for a in (a for a in allocations if a.variant_id == line.order_line.variant_id):
            part = min(quantity, left[id(a)])
            if part:
                left[id(a)] -= part
                quantity -= part
                new_lines.append(ShipmentLine(shipment=parcels[a.warehouse_id],
                                              order_line=line.order_line, stock_id=a.stock_id,
                                              quantity=part))
    ShipmentLine.objects.filter(pk__in=[line.pk for line in stocked]).delete()
    ShipmentLine.objects.bulk_create(new_lines)
    codes = dict(Warehouse.objects.filter(pk__in=warehouses).values_list("pk", "code"))
    shipment.warehouse_id = warehouses[0]
    shipment.save(update_fields=["warehouse"])
    for warehouse_id, parcel in parcels.items():
        summary = ", ".join(f"{line.quantity} x {line.order_line.sku}" for line in new_lines
                            if line.shipment is parcel)
        if parcel is not shipment:
            record(ShipmentCreated(
                aggregate_id=order.public_id, shipment_id=parcel.public_id,
                number=parcel.number, status=parcel.status, warehouse=codes[warehouse_id],
                delivery_method=parcel.delivery_method_code,
                delivery_amount=parcel.delivery_amount, lines=summary), by=by)
            continue
        _move_shipment(order, shipment, "assign", ShipmentInventoryAssigned, by=by,
                       warehouse=codes[warehouse_id], lines=summary)
    return list(parcels.values())


def _extra_shipment(*, order: Order, like: Shipment, warehouse_id: int,
                    position: int) -> Shipment:
    """A backordered shipment's part that another warehouse sends (no second delivery fee)."""
    return Shipment.objects.create(
        order=order, number=format_shipment_number(order_number=order.number,
                                                   position=position),
        status=ShipmentStatus.INVENTORY_ASSIGNED, warehouse_id=warehouse_id,
        delivery_method_code=like.delivery_method_code,
        delivery_method_name=like.delivery_method_name, delivery_amount=Decimal(0),
        **{name: getattr(like, name) for name in ADDRESS_FIELDS})


def _auto_release(*, order: Order, by: Actor) -> list[Shipment]:
    """on_payment mode: release the (locked) order's InventoryAssigned shipments if it is open
    and its payments are authorized or captured (cash on delivery: nothing to wait for)."""
    if release_mode() != RELEASE_ON_PAYMENT or order.status not in OPEN_ORDER:
        return []
    payments = list(Payment.objects.filter(reference=order.number)
                    .values_list("status", "method"))
    paid = payments and all(status in PAID or (method == PaymentMethod.CASH_ON_DELIVERY
                                               and status == PaymentStatus.PENDING)
                            for status, method in payments)
    if not paid:
        return []
    shipments = list(order.shipments.select_for_update().filter(
        status=ShipmentStatus.INVENTORY_ASSIGNED).order_by("pk"))
    for shipment in shipments:
        _move_shipment(order, shipment, "release", ShipmentReleased, by=by,
                       reason="payment received")
    return shipments


def _cancelled_value(order: Order, shipments: Collection[Shipment] | None = None) -> Decimal:
    """What the order's cancelled shipments (or `shipments`) were worth (rules)."""
    parcels = list(shipments) if shipments is not None else list(
        order.shipments.filter(status=ShipmentStatus.CANCELLED))
    lines = ShipmentLine.objects.filter(shipment__in=parcels).values_list(
        "order_line__gross", "order_line__quantity", "quantity")
    return cancelled_value(lines=lines, delivery=[s.delivery_amount for s in parcels],
                           currency=order.currency)


def _ledgers(order: Order) -> list[tuple[Payment, Ledger]]:
    payments = Payment.objects.filter(reference=order.number).prefetch_related("transactions")
    return [(p, ledger_of((t.kind, t.amount, t.succeeded, t.error_code)
                          for t in p.transactions.all())) for p in payments.order_by("pk")]


def _captured(order: Order) -> bool:
    return any(ledger.captured > 0 for _, ledger in _ledgers(order))


def _capture_due(*, order: Order, pending_cash: bool, by: Actor) -> None:
    """Capture what the order still owes from its Authorized payments (or, `pending_cash`, its
    Pending cash-on-delivery ones), oldest first; one left with nothing to take is voided."""
    ledgers = _ledgers(order)
    due = order.total - _cancelled_value(order) - sum(
        (ledger.captured - ledger.refunded for _, ledger in ledgers), Decimal(0))
    if pending_cash:
        open_ones = [(p, ledger) for p, ledger in ledgers if p.status == PaymentStatus.PENDING
                     and p.method == PaymentMethod.CASH_ON_DELIVERY]
    else:
        open_ones = [(p, ledger) for p, ledger in ledgers
                     if p.status == PaymentStatus.AUTHORIZED]
    parts = split_amount(due, [capturable(ledger, p.amount) for p, ledger in open_ones])
    for (payment, _), part in zip(open_ones, parts, strict=True):
        _call(order=order, payment=payment, by=by, event=OrderPaymentCaptured, action=(
            lambda p=payment, amount=part: capture_payment(
                payment_id=p.public_id, idempotency_key=f"ship-capture:{p.public_id}",
                amount=Money(amount, p.currency), by=by)) if part > 0 else (
            lambda p=payment: void_payment(payment_id=p.public_id,
                                           idempotency_key=f"ship-void:{p.public_id}",
                                           by=by)))


def _refund_cancelled(*, order: Order, shipment: Shipment, by: Actor) -> None:
    """A parcel cancelled after the order's payments were captured: refund its value, newest
    payment first."""
    value = _cancelled_value(order, [shipment])
    ledgers = [(p, ledger) for p, ledger in reversed(_ledgers(order))
               if refundable(ledger) > 0]
    parts = split_amount(value, [refundable(ledger) for _, ledger in ledgers])
    for (payment, _), part in zip(ledgers, parts, strict=True):
        if part > 0:
            _call(order=order, payment=payment, by=by, event=OrderPaymentRefunded, action=(
                lambda p=payment, amount=part: refund_payment(
                    payment_id=p.public_id, amount=Money(amount, p.currency), by=by,
                    idempotency_key=f"cancel:{shipment.public_id}:{p.public_id}")))


def _call(*, order: Order, payment: Payment, action: Callable[[], Transaction],
          event: type[OrderPaymentRecorded], by: Actor) -> None:
    """One gateway call after the commit; a failure is logged (staff retry from the payment)."""
    try:
        txn = action()
    except Exception:  # the shipment's move is committed; staff see the open payment
        logger.exception("payment call for %s of order %s failed", payment.public_id,
                         order.number)
        return
    if txn.kind == "void":
        event = OrderPaymentVoided
    _record_payment(order=order, payment=payment, txn=txn, event=event, by=by)
