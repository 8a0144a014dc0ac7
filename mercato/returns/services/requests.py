"""Requesting, editing, approving, rejecting and cancelling returns."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from mercato.catalog.models import VariantPrice
from mercato.core.events import Actor, record
from mercato.core.states import IllegalTransition
from mercato.orders.models import Order, OrderLine, Shipment
from mercato.orders.states import ShipmentStatus
from mercato.returns import errors, rules
from mercato.returns.events import (
    ReturnApproved,
    ReturnCancelled,
    ReturnLinesUpdated,
    ReturnRejected,
    ReturnRequested,
)
from mercato.returns.models import (
    Resolution,
    ReturnLine,
    ReturnReason,
    ReturnRequest,
)
from mercato.returns.selectors import returnable_lines
from mercato.returns.services.amounts import line_values, refunded_amount
from mercato.returns.services.common import (
    STAFF,
    _about,
    _advance,
    _locked_order,
    _locked_return,
    _move,
    return_window_days,
    returns_need_approval,
)
from mercato.returns.services.difference import secured_difference
from mercato.returns.states import (
    EDITABLE_STATUSES,
    ReturnStatus,
)


@dataclass(frozen=True)
class ReturnLineRequest:
    order_line_id: str  # the order line's public id (its `id` in the orders API)
    quantity: int
    reason: str
    resolution: str  # "refund" | "exchange"
    exchange_variant_id: int | None = None
    note: str = ""


# Requesting and approving

def request_return(*, order_number: str, lines: Sequence[ReturnLineRequest], by: Actor,
                   customer_id: int | None = None, email: str | None = None) -> ReturnRequest:
    """Open a return of shipped, not yet returned units within the window: Requested when
    customer returns need approval, else (and always for staff) AwaitingStockReturn."""
    _check_choices(lines)
    with transaction.atomic():
        order = _locked_order(order_number=order_number, customer_id=customer_id, email=email)
        _check_lines(order, lines, exclude_return_id=None)
        line_pks = _line_pks(order, lines)
        differences = _exchange_differences(order, lines, line_pks)
        approved = by.kind == STAFF or not returns_need_approval()
        position = ReturnRequest.objects.filter(order=order).count() + 1
        ret = ReturnRequest.objects.create(
            rma=f"RMA-{order.number}-{position}", order=order, created_by=str(by)[:200],
            status=ReturnStatus.AWAITING_STOCK_RETURN if approved else ReturnStatus.REQUESTED,
            warehouse_id=_return_warehouse_id(order, line_pks.values()))
        _create_lines(ret, lines, line_pks, differences)
        record(ReturnRequested(**_about(ret), status=ret.status,
                               units=sum(line.quantity for line in lines)), by=by)
    return ret


def update_return_lines(*, rma: str, lines: Sequence[ReturnLineRequest],
                        by: Actor) -> ReturnRequest:
    """Staff replace a return's lines before anything is received or refunded."""
    _check_choices(lines)
    with transaction.atomic():
        order, ret = _locked_return(rma)
        if ret.status not in EDITABLE_STATUSES or ret.refunds.exists() \
                or secured_difference(ret) > 0:
            raise IllegalTransition(f"Return {ret.rma} can no longer be edited: it is "
                                    f"{ret.status}, or money was refunded or paid for it.",
                                    action="edit", current_status=ret.status)
        _check_lines(order, lines, exclude_return_id=ret.pk)
        line_pks = _line_pks(order, lines)
        differences = _exchange_differences(order, lines, line_pks)
        ret.lines.all().delete()
        _create_lines(ret, lines, line_pks, differences)
        ret.save(update_fields=["updated_at"])
        record(ReturnLinesUpdated(**_about(ret), units=sum(line.quantity for line in lines)),
               by=by)
    return ret


def approve_return(*, rma: str, by: Actor) -> ReturnRequest:
    """Requested -> AwaitingStockReturn: the customer is sent the return instructions."""
    return _move(rma=rma, action="approve", event=ReturnApproved, by=by)


def reject_return(*, rma: str, by: Actor, reason: str) -> ReturnRequest:
    """Requested -> Rejected; a difference the customer paid is voided (by the outbox, as
    ReturnRejected is delivered)."""
    return _move(rma=rma, action="reject", event=ReturnRejected, by=by, reason=reason)


def cancel_return(*, rma: str, by: Actor, reason: str = "") -> ReturnRequest:
    """Cancel an open return; refused once something was refunded or a replacement made. A
    difference the customer paid is voided (by the outbox, as ReturnCancelled is delivered)."""
    with transaction.atomic():
        _, ret = _locked_return(rma)
        if refunded_amount(ret) > 0 or ret.replacement_shipment_id is not None:
            raise IllegalTransition(
                f"Return {ret.rma} cannot be cancelled: money or a replacement went out.",
                action="cancel", current_status=ret.status)
        _advance(ret, "cancel", ReturnCancelled, by=by, reason=reason)
    return ret


def _check_choices(lines: Sequence[ReturnLineRequest]) -> None:
    for line in lines:
        if line.reason not in ReturnReason.values:
            raise errors.InvalidReturn(f"Unknown reason {line.reason!r}.",
                                       errors={"reason": ["Choose a reason."]})
        if line.resolution not in Resolution.values:
            raise errors.InvalidReturn(f"Unknown resolution {line.resolution!r}.",
                                       errors={"resolution": ["Refund or exchange."]})
        if (line.resolution == Resolution.EXCHANGE) != (line.exchange_variant_id is not None):
            raise errors.InvalidReturn(
                "An exchange names the variant wanted; a refund names none.",
                errors={"exchange_variant_id": ["Choose the variant for an exchange."]})


def _check_lines(order: Order, lines: Sequence[ReturnLineRequest],
                 exclude_return_id: int | None) -> None:
    rules.check_requested([rules.RequestedLine(line.order_line_id, line.quantity)
                           for line in lines], returnable_lines(order, exclude_return_id),
                          now=timezone.now(), window_days=return_window_days())


def _line_pks(order: Order, lines: Sequence[ReturnLineRequest]) -> dict[str, int]:
    """The rows of the requested lines, by public id (_check_lines proved they are the
    order's)."""
    return dict(order.lines.filter(public_id__in=[line.order_line_id for line in lines])
                .values_list("public_id", "pk"))


@dataclass(frozen=True)
class Difference:
    credit: Decimal = Decimal(0)
    charge: Decimal = Decimal(0)
    unit_price: Decimal | None = None  # the exchange variant's price


def _exchange_differences(order: Order, lines: Sequence[ReturnLineRequest],
                          line_pks: dict[str, int]) -> list[Difference]:
    """Per line: what a cheaper variant leaves to refund, what a dearer one leaves to pay
    (rules.exchange_difference; a replacement line valued by amounts.line_values); nothing for
    a refund line."""
    order_lines = OrderLine.objects.in_bulk(list(line_pks.values()))
    values = line_values(list(order_lines.values()), order.currency)
    differences = []
    for line in lines:
        if line.resolution != Resolution.EXCHANGE:
            differences.append(Difference())
            continue
        old = values[line_pks[line.order_line_id]]
        price = VariantPrice.objects.filter(variant_id=line.exchange_variant_id,
                                            currency=order.currency,
                                            variant__product__is_published=True).first()
        if price is None:
            raise errors.InvalidReturn("This variant cannot be ordered as a replacement.",
                                       errors={"exchange_variant_id": ["Not available."]})
        credit, charge = rules.exchange_difference(
            paid_unit_price=old.unit_price, new_unit_price=price.amount, quantity=line.quantity,
            paid=rules.unit_share(line_total=old.paid, line_quantity=old.quantity,
                                  quantity=line.quantity, currency=order.currency))
        differences.append(Difference(credit, charge, price.amount))
    return differences


def _create_lines(ret: ReturnRequest, lines: Sequence[ReturnLineRequest],
                  line_pks: dict[str, int], differences: list[Difference]) -> None:
    ReturnLine.objects.bulk_create(
        ReturnLine(return_request=ret, order_line_id=line_pks[line.order_line_id],
                   quantity=line.quantity,
                   reason=line.reason, resolution=line.resolution,
                   exchange_variant_id=line.exchange_variant_id, note=line.note[:500],
                   credit=difference.credit, charge=difference.charge,
                   exchange_unit_price=difference.unit_price)
        for line, difference in zip(lines, differences, strict=True))


def _return_warehouse_id(order: Order, line_pks: Iterable[int]) -> int | None:
    return (Shipment.objects.filter(order=order, status=ShipmentStatus.SHIPPED,
                                    lines__order_line_id__in=list(line_pks))
            .order_by("shipped_at", "id").values_list("warehouse_id", flat=True).first())
