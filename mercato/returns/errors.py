"""Domain errors of returns, each a problem type (core.problems)."""

from mercato.core.problems import Conflict, InvalidInput, NotFound


class ReturnNotFound(NotFound):
    slug = "return-not-found"
    title = "Return not found"


class ReceiptNotFound(NotFound):
    slug = "receiving-receipt-not-found"
    title = "Receiving receipt not found"


class OrderNotReturnable(NotFound):
    """Unknown order, or not this customer's: the same answer, so nothing leaks."""

    slug = "order-not-found"
    title = "Order not found"


class InvalidReturn(InvalidInput):
    slug = "invalid-return"
    title = "This return cannot be made"


class OverReturn(InvalidInput):
    slug = "over-return"
    title = "More than can be returned"


class ReturnWindowClosed(InvalidInput):
    slug = "return-window-closed"
    title = "The return window has closed"


class OverRefund(Conflict):
    slug = "over-refund"
    title = "More than can be refunded"


class RefundFailed(Conflict):
    slug = "refund-failed"
    title = "The payment provider refused the refund"


class ReceiptRequired(Conflict):
    slug = "receiving-receipt-required"
    title = "A faulty product's return needs its receiving receipt"


class ReturnNotSettled(Conflict):
    slug = "return-not-settled"
    title = "The refund or the replacement is not done yet"


class DifferenceUnpaid(Conflict):
    slug = "exchange-difference-unpaid"
    title = "The price difference of the exchange is not paid"


class NothingToPay(Conflict):
    slug = "nothing-to-pay"
    title = "Nothing is left to pay for this return"


class RefundInProgress(Conflict):
    slug = "refund-in-progress"
    title = "Another refund of this return is being made"


class InstructionsNotReady(Conflict):
    slug = "return-instructions-not-ready"
    title = "This return has no instructions to print"


class ReplacementOutOfStock(Conflict):
    slug = "replacement-out-of-stock"
    title = "The replacement is out of stock"
