"""Completing a return: by staff once it is settled, or by itself once it is received and
nothing is left to refund, ship or pay (after receiving, a refund, the replacement shipping)."""

from django.db import transaction

from mercato.core.events import Actor
from mercato.orders.states import ShipmentStatus
from mercato.returns import rules
from mercato.returns.events import ReturnCompleted
from mercato.returns.models import ReceivingReceipt, Resolution, ReturnReason, ReturnRequest
from mercato.returns.services.amounts import refund_due, refunded_amount
from mercato.returns.services.common import _advance, _locked_return
from mercato.returns.services.difference import difference_unpaid
from mercato.returns.states import ReturnStatus


def complete_return(*, rma: str, by: Actor) -> ReturnRequest:
    """Complete a return whose refund and/or replacement is done (a faulty product's only
    once its receiving receipt exists): ReceiptRequired / ReturnNotSettled otherwise."""
    with transaction.atomic():
        _, ret = _locked_return(rma)
        settlement = _settlement(ret)
        rules.check_completable(settlement)
        return _advance(ret, "complete", ReturnCompleted, by=by,
                        reason=rules.completion_note(settlement))


def complete_if_settled(*, rma: str, by: Actor) -> bool:
    """Complete a received return (AwaitingCompletion) once nothing is left to refund, ship or
    pay; called after receiving, refunding and the replacement shipping. True if completed."""
    with transaction.atomic():
        _, ret = _locked_return(rma)
        if ret.status != ReturnStatus.AWAITING_COMPLETION:
            return False
        settlement = _settlement(ret)
        if not rules.is_settled(settlement):
            return False
        _advance(ret, "complete", ReturnCompleted, by=by,
                 reason=rules.completion_note(settlement))
        return True


def _settlement(ret: ReturnRequest) -> rules.Settlement:
    lines = list(ret.lines.all())
    replacement = ret.replacement_shipment
    return rules.Settlement(
        is_faulty=any(line.reason == ReturnReason.FAULTY for line in lines),
        has_receipt=ReceivingReceipt.objects.filter(return_request=ret).exists(),
        refund_due=refund_due(ret), refunded=refunded_amount(ret),
        needs_replacement=any(line.resolution == Resolution.EXCHANGE for line in lines),
        replacement_shipped=replacement is not None
        and replacement.status == ShipmentStatus.SHIPPED,
        difference_unpaid=difference_unpaid(ret), currency=ret.order.currency)
