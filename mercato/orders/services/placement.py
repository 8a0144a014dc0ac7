"""Placing an order: its number from the shop's sequence and `place_order`.

`place_order` turns a priced quote and checkout's shipment plans into a numbered order with its
stock allocated and its shipments. Checkout calls it inside its own transaction (with the
payment authorization): `place_order` opens a nested atomic block, so it commits or rolls back
with the caller's, and an OutOfStock it raises undoes everything.

Lock order: stock rows (by pk), then the order-number sequence row. Stock comes before the
number so an order that is out of stock fails without queueing for the shop-wide number lock.
"""

from collections.abc import Mapping, Sequence

from django.db import IntegrityError, transaction

from mercato.catalog.models import ProductVariant
from mercato.core.events import Actor, record
from mercato.core.ids import new_public_id
from mercato.inventory.models import Warehouse
from mercato.inventory.services import allocate_stock
from mercato.orders import errors
from mercato.orders.events import OrderPlaced, ShipmentCreated
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
from mercato.orders.states import ShipmentStatus
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
