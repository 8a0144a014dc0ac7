"""Pure rules of returns: what may be returned, shares of what was paid, the refund split."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from mercato.returns import errors
from mercato.returns.rules import (
    RefundablePayment,
    RequestedLine,
    ReturnableLine,
    Settlement,
    check_completable,
    check_difference_paid,
    check_refund_amount,
    check_requested,
    difference_unpaid,
    exchange_difference,
    plan_refund,
    secured_amount,
    unit_share,
)

NOW = datetime(2026, 6, 30, tzinfo=UTC)
SHIPPED = NOW - timedelta(days=10)


def facts(shipped: int = 3, returned: int = 0, at: datetime | None = SHIPPED):
    return {"L1": ReturnableLine("L1", shipped, returned, at)}


def test_requested_quantity_within_what_shipped_and_is_not_returned_passes():
    check_requested([RequestedLine("L1", 2)], facts(shipped=3, returned=1), now=NOW, window_days=30)


def test_asking_more_than_is_left_is_an_over_return():
    with pytest.raises(errors.OverReturn):
        check_requested([RequestedLine("L1", 2), RequestedLine("L1", 1)], facts(returned=1),
                        now=NOW, window_days=30)


def test_unshipped_or_foreign_lines_are_refused():
    with pytest.raises(errors.InvalidReturn):
        check_requested([RequestedLine("L2", 1)], facts(), now=NOW, window_days=30)
    with pytest.raises(errors.InvalidReturn):
        check_requested([RequestedLine("L1", 1)], facts(shipped=0, at=None), now=NOW,
                        window_days=30)


def test_return_window_counts_from_shipping():
    with pytest.raises(errors.ReturnWindowClosed):
        check_requested([RequestedLine("L1", 1)], facts(), now=NOW, window_days=9)


def test_unit_share_splits_the_paid_line_total_and_keeps_every_cent_for_the_whole_line():
    assert unit_share(line_total=Decimal("35.82"), line_quantity=2, quantity=1,
                      currency="EUR") == Decimal("17.91")
    assert unit_share(line_total=Decimal("10.00"), line_quantity=3, quantity=1,
                      currency="EUR") == Decimal("3.33")
    assert unit_share(line_total=Decimal("10.00"), line_quantity=3, quantity=3,
                      currency="EUR") == Decimal("10.00")


def payment(public_id: str, method: str, refundable: str, minutes: int = 0):
    return RefundablePayment(public_id, method, SHIPPED + timedelta(minutes=minutes),
                             Decimal(refundable))


def test_refund_goes_to_cards_newest_first_then_gift_cards_then_cash():
    payments = [payment("cash", "cash_on_delivery", "50"), payment("gift", "gift_card", "10"),
                payment("old", "card", "5", minutes=1), payment("new", "paypal", "7", minutes=2)]
    assert plan_refund(payments, Decimal("20")) == [
        ("new", Decimal("7")), ("old", Decimal("5")), ("gift", Decimal("8"))]


def test_refund_beyond_what_payments_can_take_back_is_refused():
    with pytest.raises(errors.OverRefund):
        plan_refund([payment("card", "card", "5")], Decimal("5.01"))


def test_refund_amount_defaults_to_what_is_due_and_never_exceeds_it():
    assert check_refund_amount(asked=None, due=Decimal("9")) == Decimal("9")
    assert check_refund_amount(asked=Decimal("4"), due=Decimal("9")) == Decimal("4")
    with pytest.raises(errors.OverRefund):
        check_refund_amount(asked=Decimal("9.01"), due=Decimal("9"))
    with pytest.raises(errors.OverRefund):
        check_refund_amount(asked=None, due=Decimal("0"))


def settled(**changes) -> Settlement:
    values = {"is_faulty": False, "has_receipt": False, "refund_due": Decimal("10"),
              "refunded": Decimal("10"), "needs_replacement": False,
              "replacement_shipped": False} | changes
    return Settlement(**values)


def test_faulty_return_cannot_complete_without_its_receiving_receipt():
    with pytest.raises(errors.ReceiptRequired):
        check_completable(settled(is_faulty=True))
    check_completable(settled(is_faulty=True, has_receipt=True))
    check_completable(settled())


def test_completion_waits_for_the_refund_and_the_replacement():
    with pytest.raises(errors.ReturnNotSettled):
        check_completable(settled(refunded=Decimal("9.99")))
    with pytest.raises(errors.ReturnNotSettled):
        check_completable(settled(needs_replacement=True))
    check_completable(settled(needs_replacement=True, replacement_shipped=True))


def test_an_exchange_difference_is_a_credit_capped_at_what_was_paid_or_a_charge():
    assert exchange_difference(paid_unit_price=Decimal("19.90"), new_unit_price=Decimal("25.00"),
                               quantity=2, paid=Decimal("35.82")) == (Decimal(0),
                                                                      Decimal("10.20"))
    assert exchange_difference(paid_unit_price=Decimal("19.90"), new_unit_price=Decimal("14.90"),
                               quantity=1, paid=Decimal("3.00")) == (Decimal("3.00"), Decimal(0))
    assert exchange_difference(paid_unit_price=Decimal("19.90"), new_unit_price=Decimal("19.90"),
                               quantity=1, paid=Decimal("19.90")) == (Decimal(0), Decimal(0))


def test_what_is_left_to_pay_counts_secured_payments_only_and_nothing_once_waived():
    secured = secured_amount([("Authorized", Decimal("3.00")), ("Failed", Decimal("5.10")),
                              ("Voided", Decimal("5.10")), ("Captured", Decimal("1.00"))])
    assert secured == Decimal("4.00")
    assert difference_unpaid(charge=Decimal("5.10"), secured=secured, waived=False) == (
        Decimal("1.10"))
    assert difference_unpaid(charge=Decimal("5.10"), secured=Decimal(0), waived=True) == 0


def test_an_unpaid_difference_stops_completion_with_the_amount_rounded():
    with pytest.raises(errors.DifferenceUnpaid) as refused:
        check_difference_paid(Decimal("5.1000"), "EUR")
    assert "5.10" in refused.value.detail and "5.1000" not in refused.value.detail
    check_difference_paid(Decimal(0), "EUR")
