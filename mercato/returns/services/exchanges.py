"""Replacement shipments of exchanges."""

from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction

from mercato.core.events import Actor, record
from mercato.core.states import IllegalTransition, advance
from mercato.inventory.rules import Allocation
from mercato.inventory.services import allocate_stock
from mercato.orders.models import Order, OrderLine, Shipment, ShipmentLine
from mercato.orders.rules import ADDRESS_FIELDS, format_shipment_number
from mercato.orders.states import ORDER_TRANSITIONS, OrderStatus, ShipmentStatus
from mercato.returns import errors, rules
from mercato.returns.events import (
    OrderAwaitingExchange,
    ReplacementShipmentCreated,
)
from mercato.returns.models import (
    Resolution,
    ReturnLine,
    ReturnRequest,
)
from mercato.returns.services.common import (
    _about,
    _locked_return,
)
from mercato.returns.services.difference import difference_unpaid
from mercato.returns.states import (
    REPLACEABLE_STATUSES,
)

# Exchanges

def ship_replacement(*, rma: str, by: Actor) -> Shipment:
    """Create the replacement shipment of the exchange lines (at no charge, allocated as
    checkout's are); the order waits in AwaitingExchange until it ships. OutOfStock if short;
    DifferenceUnpaid while a dearer replacement's difference is neither paid nor waived."""
    with transaction.atomic():
        order, ret = _locked_return(rma)
        lines = list(ret.lines.filter(resolution=Resolution.EXCHANGE)
                     .select_related("order_line", "exchange_variant__product"))
        if ret.status not in REPLACEABLE_STATUSES or not lines \
                or ret.replacement_shipment_id is not None:
            raise IllegalTransition(f"Return {ret.rma} has no replacement to ship now.",
                                    action="ship_replacement", current_status=ret.status)
        rules.check_difference_paid(difference_unpaid(ret), order.currency)
        original = _original_shipment(ret)
        allocations = allocate_stock(
            groups=[(0, [(line.exchange_variant_id, line.quantity) for line in lines])],
            destinations={0: original.country}, by=by, reference=order.public_id)
        shipment = Shipment.objects.create(
            order=order, number=format_shipment_number(
                order_number=order.number, position=order.shipments.count() + 1),
            status=ShipmentStatus.INVENTORY_ASSIGNED,
            warehouse_id=allocations[0].warehouse_id, delivery_amount=Decimal(0),
            delivery_method_code=original.delivery_method_code,
            delivery_method_name=original.delivery_method_name,
            **{name: getattr(original, name) for name in ADDRESS_FIELDS})
        _replacement_lines(shipment, lines, allocations)
        ret.replacement_shipment = shipment
        ret.save(update_fields=["replacement_shipment", "updated_at"])
        record(ReplacementShipmentCreated(**_about(ret), shipment_id=shipment.public_id,
                                          number=shipment.number,
                                          units=sum(line.quantity for line in lines)), by=by)
        _await_exchange(order, ret, by)
    return shipment


def _replacement_lines(shipment: Shipment, lines: list[ReturnLine],
                       allocations: Sequence[Allocation]) -> None:
    for line in lines:
        variant, old = line.exchange_variant, line.order_line
        new = OrderLine.objects.create(
            order_id=shipment.order_id, variant=variant, sku=variant.sku,
            product_title=variant.product.title, variant_name=variant.name,
            quantity=line.quantity, unit_price=0, discount_amount=0, amount=0, net=0,
            tax_rate=old.tax_rate, tax_name=old.tax_name, tax=0, gross=0)
        line.replacement_line = new
        line.save(update_fields=["replacement_line"])
        for allocation in allocations:
            if allocation.variant_id == variant.pk and allocation.quantity:
                ShipmentLine.objects.create(shipment=shipment, order_line=new,
                                            stock_id=allocation.stock_id,
                                            quantity=allocation.quantity)


def _await_exchange(order: Order, ret: ReturnRequest, by: Actor) -> None:
    if order.status != OrderStatus.COMPLETED:
        return  # already waiting for another exchange, or still shipping: it follows shipments
    old, new = advance(order, ORDER_TRANSITIONS, "await_exchange")
    order.save(update_fields=["status"])
    record(OrderAwaitingExchange(aggregate_id=order.public_id, number=order.number,
                                 old_status=old, new_status=new,
                                 reason=f"Replacement for {ret.rma}"), by=by)


def _original_shipment(ret: ReturnRequest) -> Shipment:
    line_ids = ret.lines.values_list("order_line_id", flat=True)
    shipment = (Shipment.objects.filter(order=ret.order, status=ShipmentStatus.SHIPPED,
                                        lines__order_line_id__in=line_ids)
                .order_by("-shipped_at", "-id").first())
    if shipment is None:  # cannot happen for a return made by request_return
        raise errors.InvalidReturn(f"Return {ret.rma} has no shipped parcel to replace.")
    return shipment
