"""What the Returns pages of the back office offer: the permissions, the action buttons, and
reading the receive/request/refund forms into service arguments."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from mercato.catalog.models import ProductVariant
from mercato.core.events import Actor
from mercato.core.models import Event
from mercato.core.money import Money
from mercato.core.selectors import About, history
from mercato.customers.models import User
from mercato.orders.models import OrderLine
from mercato.returns import services
from mercato.returns.models import (
    Condition,
    Resolution,
    ReturnLine,
    ReturnReason,
    ReturnRequest,
)
from mercato.returns.states import (
    OPEN_STATUSES,
    RETURN_TRANSITIONS,
    ReturnStatus,
)

ADD_RETURN = "returns.add_returnrequest"
CHANGE_RETURN = "returns.change_returnrequest"
RECEIVE = "returns.add_receivingreceipt"
CHANGE_ORDER = "orders.change_order"
REFUND_PERMISSIONS = (CHANGE_RETURN, CHANGE_ORDER)
# The section's named views of the returns list (core/admin_site.py SECTIONS).
LIST_TITLES = {ReturnStatus.REQUESTED: "Returns to Approve",
               ReturnStatus.AWAITING_STOCK_RETURN: "Awaiting Stock Return",
               ReturnStatus.AWAITING_COMPLETION: "Awaiting Completion"}


def return_history(return_request: ReturnRequest) -> list[Event]:
    """The return's part of its order's history (its events name it by RMA)."""
    return history(About("order", return_request.order.public_id),
                   mentioning={"rma": return_request.rma})


@dataclass(frozen=True)
class ReturnAction:
    """A button of a return: its service, run as the staff member, who needs `permissions`."""

    name: str
    label: str
    asks_reason: bool
    run: Callable[[str, Actor, str], object]
    needs_reason: bool = False
    permissions: tuple[str, ...] = (CHANGE_RETURN,)


RETURN_ACTIONS = {action.name: action for action in (
    ReturnAction("approve", "Approve", False,
                 lambda rma, by, reason: services.approve_return(rma=rma, by=by)),
    ReturnAction("reject", "Reject", True,
                 lambda rma, by, reason: services.reject_return(rma=rma, by=by, reason=reason)),
    ReturnAction("complete", "Complete", False,
                 lambda rma, by, reason: services.complete_return(rma=rma, by=by)),
    ReturnAction("cancel", "Cancel return", True,
                 lambda rma, by, reason: services.cancel_return(rma=rma, by=by, reason=reason)),
    # Forgoing money the customer owes is decided as refunding is.
    ReturnAction("waive", "Waive difference", True,
                 lambda rma, by, reason: services.waive_difference(rma=rma, by=by,
                                                                   reason=reason),
                 needs_reason=True, permissions=REFUND_PERMISSIONS),
)}
DONE = {"approve": "is approved", "reject": "is rejected", "complete": "is complete",
        "cancel": "is cancelled", "waive": "needs no further payment: the difference is waived"}


def offered_actions(return_request: ReturnRequest, user: User) -> list[ReturnAction]:
    """The buttons the return's status allows (and "Waive difference" while the customer has
    some to pay), each for a role holding its permissions."""
    if not user.has_perm(CHANGE_RETURN):
        return []
    names = set(RETURN_TRANSITIONS.allowed_actions(return_request.status))
    if (user.has_perms(RETURN_ACTIONS["waive"].permissions)
            and return_request.status in OPEN_STATUSES
            and services.difference_unpaid(return_request) > 0):
        names.add("waive")
    return [action for name, action in RETURN_ACTIONS.items()
            if name in names and user.has_perms(action.permissions)]


def needs_replacement(return_request: ReturnRequest) -> bool:
    return (return_request.replacement_shipment_id is None
            and any(line.resolution == Resolution.EXCHANGE
                    for line in return_request.lines.all()))


def received_lines(post: dict, lines: list[ReturnLine]) -> list[services.ReceivedLine]:
    """The receive form's quantities: `<condition>-<line id>` per line, zero or blank skipped."""
    received = []
    for line in lines:
        for condition in Condition.values:
            raw = (post.get(f"{condition}-{line.pk}") or "").strip() or "0"
            if not raw.isdigit():
                raise ValueError(f"“{raw}” is not a quantity.")
            if int(raw):
                received.append(services.ReceivedLine(return_line_id=line.public_id,
                                                      quantity=int(raw), condition=condition))
    return received


def requested_lines(post: dict, order_lines: list[OrderLine]
                    ) -> list[services.ReturnLineRequest]:
    """The create form's lines: `quantity-<order line id>` (blank or zero skipped), its reason,
    resolution, and for an exchange the SKU wanted (blank: the same variant)."""
    requested = []
    for line in order_lines:
        raw = (post.get(f"quantity-{line.pk}") or "").strip() or "0"
        if not raw.isdigit():
            raise ValueError(f"“{raw}” is not a quantity.")
        if not int(raw):
            continue
        resolution = post.get(f"resolution-{line.pk}") or Resolution.REFUND
        exchange_id = None
        if resolution == Resolution.EXCHANGE:
            sku = (post.get(f"exchange-{line.pk}") or "").strip()
            exchange_id = (ProductVariant.objects.filter(sku=sku).values_list("pk", flat=True)
                           .first() if sku else line.variant_id)
            if exchange_id is None:
                raise ValueError(f"there is no variant {sku} to exchange for.")
        requested.append(services.ReturnLineRequest(
            order_line_id=line.public_id, quantity=int(raw), resolution=resolution,
            reason=post.get(f"reason-{line.pk}") or ReturnReason.OTHER,
            exchange_variant_id=exchange_id, note=(post.get(f"note-{line.pk}") or "")[:500]))
    return requested


def refund_amount(raw: str, currency: str) -> Money | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"“{raw}” is not an amount.") from None
    if not amount.is_finite() or amount <= 0:
        raise ValueError("The amount must be positive.")
    return Money(amount, currency)
