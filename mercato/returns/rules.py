"""Pure rules of returns: what may be returned, what a return refunds, which payments the
refund goes to, and when a return may be completed. No ORM here.

Refund rule (ARCHITECTURE.md, "Returns"): a refund goes back to the order's own payments,
card and PayPal first (newest first), then gift cards (their balance is restored), then cash on
delivery (recorded as a manual refund). No payment is refunded more than it captured minus what
was already refunded, and the delivery fee is refunded only when asked.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from mercato.core.money import round_money, to_money
from mercato.returns import errors
from mercato.returns.states import ReturnStatus

# A difference payment in one of these statuses is paid for (authorized or taken).
SECURED_PAYMENT_STATUSES = frozenset({"Authorized", "Captured", "PartiallyRefunded", "Refunded"})

# Lower goes first; unknown methods last.
REFUND_ORDER = {"card": 0, "paypal": 0, "gift_card": 1, "cash_on_delivery": 2}


@dataclass(frozen=True)
class ReturnableLine:
    """An order line as returns see it: what shipped, when, and what is already returned."""

    order_line_id: str  # the line's public id, as customers and errors name it
    shipped: int
    already_returned: int
    last_shipped_at: datetime | None

    @property
    def returnable(self) -> int:
        return max(self.shipped - self.already_returned, 0)


@dataclass(frozen=True)
class RequestedLine:
    order_line_id: str
    quantity: int


@dataclass(frozen=True)
class RefundablePayment:
    public_id: str
    method: str
    created_at: datetime
    refundable: Decimal


@dataclass(frozen=True)
class Settlement:
    """What completing a return waits for."""

    is_faulty: bool
    has_receipt: bool
    refund_due: Decimal
    refunded: Decimal
    needs_replacement: bool
    replacement_shipped: bool
    difference_unpaid: Decimal = Decimal(0)
    currency: str = "EUR"


def window_closes(last_shipped_at: datetime, days: int) -> datetime:
    return last_shipped_at + timedelta(days=days)


def check_requested(requested: Sequence[RequestedLine], lines: Mapping[str, ReturnableLine], *,
                    now: datetime, window_days: int) -> None:
    """Refuse lines that are not the order's, not shipped, out of the window, or more than is
    left to return (a line asked twice counts twice)."""
    if not requested:
        raise errors.InvalidReturn("Choose at least one line to return.")
    asked: dict[str, int] = {}
    for line in requested:
        if line.quantity <= 0:
            raise errors.InvalidReturn("A returned quantity must be positive.",
                                       errors={"quantity": ["Must be positive."]})
        asked[line.order_line_id] = asked.get(line.order_line_id, 0) + line.quantity
    for line_id, quantity in asked.items():
        facts = lines.get(line_id)
        if facts is None or facts.shipped == 0 or facts.last_shipped_at is None:
            raise errors.InvalidReturn(f"Line {line_id} has not shipped from this order.",
                                       order_line_id=line_id)
        if now > window_closes(facts.last_shipped_at, window_days):
            raise errors.ReturnWindowClosed(
                f"Returns are accepted within {window_days} days of shipping.",
                order_line_id=line_id)
        if quantity > facts.returnable:
            raise errors.OverReturn(
                f"At most {facts.returnable} of line {line_id} can be returned; "
                f"{quantity} were asked.", order_line_id=line_id, limit=facts.returnable)


def unit_share(*, line_total: Decimal, line_quantity: int, quantity: int,
               currency: str) -> Decimal:
    """What `quantity` of a line cost, its total (after discounts, tax included) shared evenly;
    all of it when the whole line comes back, so rounding never leaves a cent behind."""
    if quantity >= line_quantity:
        return line_total
    return round_money(to_money(line_total * quantity / line_quantity, currency)).amount


def exchange_difference(*, paid_unit_price: Decimal, new_unit_price: Decimal, quantity: int,
                        paid: Decimal) -> tuple[Decimal, Decimal]:
    """(credit, charge) of exchanging `quantity` units: a cheaper variant leaves the difference
    to refund (never more than those units were paid), a dearer one leaves it to pay. Prices
    are unit list prices, so a discount the order had stays with the customer."""
    difference = (new_unit_price - paid_unit_price) * quantity
    if difference > 0:
        return Decimal(0), difference
    return min(-difference, paid), Decimal(0)


def secured_amount(payments: Iterable[tuple[str, Decimal]]) -> Decimal:
    """What (status, amount) payments of a difference secure."""
    return sum((amount for status, amount in payments if status in SECURED_PAYMENT_STATUSES),
               Decimal(0))


def difference_unpaid(*, charge: Decimal, secured: Decimal, waived: bool) -> Decimal:
    """What the customer still has to pay for dearer replacements (0 once staff waived it)."""
    return Decimal(0) if waived else max(charge - secured, Decimal(0))


def check_difference_paid(unpaid: Decimal, currency: str) -> None:
    if unpaid > 0:
        shown = round_money(to_money(unpaid, currency))
        raise errors.DifferenceUnpaid(
            f"The customer has {shown} to pay for the dearer replacement before it can ship "
            "(or staff waive it).", amount=str(shown.amount))


def plan_refund(payments: Iterable[RefundablePayment],
                amount: Decimal) -> list[tuple[str, Decimal]]:
    """Split `amount` over the payments by the refund rule; OverRefund if they cannot take it."""
    ordered = sorted(payments, key=lambda p: (REFUND_ORDER.get(p.method, 9),
                                              -p.created_at.timestamp(), p.public_id))
    left, plan = amount, []
    for payment in ordered:
        if left <= 0:
            break
        share = min(payment.refundable, left)
        if share > 0:
            plan.append((payment.public_id, share))
            left -= share
    if left > 0:
        raise errors.OverRefund(
            f"The order's payments can take back at most {amount - left}; {amount} was asked.",
            limit=str(amount - left))
    return plan


def check_refund_amount(*, asked: Decimal | None, due: Decimal) -> Decimal:
    """The amount to refund now: `asked` (partial) or all that is due; never more than due."""
    amount = due if asked is None else asked
    if amount <= 0 and asked is not None:
        raise errors.InvalidReturn("A refund amount must be positive.")
    if amount > due:
        raise errors.OverRefund(f"At most {due} can be refunded for this return; "
                                f"{amount} was asked.", limit=str(due))
    if amount <= 0:
        raise errors.OverRefund("Nothing is left to refund for this return.", limit="0")
    return amount


def check_completable(settlement: Settlement) -> None:
    if settlement.is_faulty and not settlement.has_receipt:
        raise errors.ReceiptRequired(
            "A return of a faulty product cannot be completed before it is received.")
    if settlement.refunded < settlement.refund_due:
        raise errors.ReturnNotSettled(
            f"{settlement.refund_due - settlement.refunded} is still to be refunded.")
    if settlement.needs_replacement and not settlement.replacement_shipped:
        raise errors.ReturnNotSettled("The replacement has not shipped yet.")
    check_difference_paid(settlement.difference_unpaid, settlement.currency)


def is_settled(settlement: Settlement) -> bool:
    try:
        check_completable(settlement)
    except (errors.ReceiptRequired, errors.ReturnNotSettled, errors.DifferenceUnpaid):
        return False
    return True


# --- what the shopper reads ----------------------------------------------------------------------

# A return's status in the shopper's words (pages, emails, the API's `status_label`); the back
# office keeps the status names.
RETURN_LABELS = {
    ReturnStatus.REQUESTED: "Requested",
    ReturnStatus.AWAITING_STOCK_RETURN: "Approved: send the items back",
    ReturnStatus.AWAITING_COMPLETION: "Received",
    ReturnStatus.COMPLETE: "Completed",
    ReturnStatus.REJECTED: "Declined",
    ReturnStatus.CANCELLED: "Cancelled",
}


def return_label(status: str) -> str:
    return RETURN_LABELS.get(status, status)


def completion_note(settlement: Settlement) -> str:
    """What completing the return did, in the shopper's words: the amount refunded, the
    replacement shipped, or both ("Refunded 42.00 EUR to your original payment.")."""
    parts = []
    if settlement.refunded > 0:
        refunded = round_money(to_money(settlement.refunded, settlement.currency))
        parts.append(f"Refunded {refunded.amount} {settlement.currency} to your original "
                     f"payment.")
    if settlement.needs_replacement and settlement.replacement_shipped:
        parts.append("Your replacement has shipped.")
    return " ".join(parts) or "Nothing was left to refund or replace."
