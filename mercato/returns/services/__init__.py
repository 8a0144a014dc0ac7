"""Return use cases: one transaction each, every step recorded on the order's history.

Lock order, as in orders.services: the order row, then the return row, then (receiving,
replacement) stock rows by pk. Refund gateway calls come after the commit, with no lock held:
each call's idempotency key is derived from the return, the payment and how many refund calls
that return already made on that payment, so a retry after a crash replays the stored
transaction instead of refunding twice (payments.services.refund_payment).

A dearer replacement's price difference is paid by the customer before the replacement ships
(difference.py: authorized through the gateway interface, captured when it ships, voided if the
return is cancelled). A received return completes by itself once its refund, replacement and
difference are done (completion.py), from whichever of those steps comes last.

Import from here (`from mercato.returns.services import refund_return`); the modules are the
package's layout, not its interface.
"""

from mercato.returns.pdf import receiving_receipt_pdf, return_instructions_pdf
from mercato.returns.services.amounts import (
    LineValue,
    line_values,
    refund_due,
    refunded_amount,
)
from mercato.returns.services.common import return_window_days, returns_need_approval
from mercato.returns.services.completion import complete_if_settled, complete_return
from mercato.returns.services.difference import (
    capture_difference,
    difference_charge,
    difference_unpaid,
    pay_difference,
    return_payments,
    void_difference,
    void_duplicate_payment,
    waive_difference,
)
from mercato.returns.services.exchanges import ship_replacement
from mercato.returns.services.receiving import ReceivedLine, receive_return
from mercato.returns.services.refunds import refund_return
from mercato.returns.services.requests import (
    ReturnLineRequest,
    approve_return,
    cancel_return,
    reject_return,
    request_return,
    update_return_lines,
)

__all__ = [
    "LineValue",
    "ReceivedLine",
    "ReturnLineRequest",
    "approve_return",
    "cancel_return",
    "capture_difference",
    "complete_if_settled",
    "complete_return",
    "difference_charge",
    "difference_unpaid",
    "line_values",
    "pay_difference",
    "receive_return",
    "receiving_receipt_pdf",
    "refund_due",
    "refund_return",
    "refunded_amount",
    "reject_return",
    "request_return",
    "return_instructions_pdf",
    "return_payments",
    "return_window_days",
    "returns_need_approval",
    "ship_replacement",
    "update_return_lines",
    "void_difference",
    "void_duplicate_payment",
    "waive_difference",
]
