"""Order use cases: one transaction each, every change recorded as an event.

`place_order` only snapshots a priced quote into a numbered order. Stock allocation and payment
are checkout's work, done in checkout's own transaction around this call: `place_order` opens a
nested atomic block, so inside an outer `transaction.atomic` it commits or rolls back with it.

`hold_order`, `release_hold` and `cancel_order` move the status only for now; releasing stock
and voiding/refunding payments on cancel arrive with fulfilment and checkout.
"""

from django.db import IntegrityError, transaction

from mercato.catalog.models import ProductVariant
from mercato.core.events import Actor, record
from mercato.core.states import advance
from mercato.orders import errors
from mercato.orders.events import (
    OrderCancelled,
    OrderHoldReleased,
    OrderPlaced,
    OrderPutOnHold,
    OrderStatusChanged,
)
from mercato.orders.models import (
    DEFAULT_SEQUENCE,
    AddressKind,
    Order,
    OrderAddress,
    OrderDiscount,
    OrderLine,
    OrderNumberSequence,
)
from mercato.orders.rules import address_errors, address_snapshot, format_order_number
from mercato.orders.states import ORDER_TRANSITIONS
from mercato.pricing.rules.types import Quote


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


def place_order(*, quote: Quote, customer_id: int | None, email: str, shipping_address: dict,
                billing_address: dict, by: Actor) -> Order:
    """A numbered InProgress order with snapshots of the quote's lines, discounts, delivery,
    tax and totals and of both addresses."""
    _check_input(quote=quote, shipping_address=shipping_address,
                 billing_address=billing_address)
    with transaction.atomic():
        order = Order.objects.create(
            number=allocate_order_number(), customer_id=customer_id,
            email=email.strip(), currency=quote.currency,
            prices_include_tax=quote.prices_include_tax,
            subtotal=quote.subtotal.amount, discount_total=quote.discount_total.amount,
            delivery_total=quote.delivery.amount.amount if quote.delivery else 0,
            tax_total=quote.tax_total.amount, total=quote.total.amount,
            delivery_method_code=quote.delivery.code if quote.delivery else "",
            delivery_method_name=quote.delivery.name if quote.delivery else "",
        )
        _snapshot_lines(order=order, quote=quote)
        OrderDiscount.objects.bulk_create(
            OrderDiscount(order=order, name=d.name, amount=d.amount.amount,
                          promotion_id=d.promotion_id)
            for d in quote.discounts)
        OrderAddress.objects.bulk_create([
            OrderAddress(order=order, kind=AddressKind.SHIPPING,
                         **address_snapshot(shipping_address)),
            OrderAddress(order=order, kind=AddressKind.BILLING,
                         **address_snapshot(billing_address)),
        ])
        record(OrderPlaced(aggregate_id=order.public_id, number=order.number, email=order.email,
                           currency=order.currency, total=order.total), by=by)
    return order


def _check_input(*, quote: Quote, shipping_address: dict, billing_address: dict) -> None:
    if not quote.lines:
        raise errors.EmptyOrder("An order needs at least one line.")
    problems = {f"shipping_address.{k}": v for k, v in address_errors(shipping_address).items()}
    problems |= {f"billing_address.{k}": v for k, v in address_errors(billing_address).items()}
    if problems:
        raise errors.InvalidOrderAddress("Please correct the address.", errors=problems)


def _snapshot_lines(*, order: Order, quote: Quote) -> None:
    variant_ids = [line.variant_id for line in quote.lines if line.variant_id is not None]
    variants = ProductVariant.objects.select_related("product").only(
        "name", "product__title").in_bulk(variant_ids)
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
    OrderLine.objects.bulk_create(rows)


def hold_order(*, public_id: str, by: Actor, reason: str = "") -> Order:
    return _move(public_id=public_id, action="hold", event=OrderPutOnHold, by=by, reason=reason)


def release_hold(*, public_id: str, by: Actor, reason: str = "") -> Order:
    return _move(public_id=public_id, action="release_hold", event=OrderHoldReleased, by=by,
                 reason=reason)


def cancel_order(*, public_id: str, by: Actor, reason: str = "") -> Order:
    """Status only for now: stock release and payment void/refund arrive with fulfilment and
    checkout, which will call this inside their own transaction."""
    return _move(public_id=public_id, action="cancel", event=OrderCancelled, by=by,
                 reason=reason)


def _move(*, public_id: str, action: str, event: type[OrderStatusChanged], by: Actor,
          reason: str) -> Order:
    """Lock the order, apply `action` (IllegalTransition leaves it unchanged), record `event`."""
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(public_id=public_id).first()
        if order is None:
            raise errors.OrderNotFound("There is no such order.")
        old, new = advance(order, ORDER_TRANSITIONS, action)
        order.save(update_fields=["status"])
        record(event(aggregate_id=order.public_id, number=order.number, old_status=old,
                     new_status=new, reason=reason), by=by)
    return order

