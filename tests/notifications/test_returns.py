"""Return emails: each step of a return is emailed to the customer once."""

import pytest

from mercato.core.events import from_row
from mercato.core.models import Event
from mercato.core.outbox import deliver_due
from mercato.notifications.handlers import return_changed
from mercato.notifications.models import EmailKind, SentEmail
from mercato.returns.services import (
    ReceivedLine,
    approve_return,
    receive_return,
    refund_return,
    reject_return,
    request_return,
)
from tests.returns.builders import CUSTOMER, STAFF, lines, refund_line, shipped_order

pytestmark = pytest.mark.django_db

RETURN_EVENTS = ["ReturnRequested", "ReturnApproved", "ReturnRejected", "ReturnReceived",
                 "ReturnRefunded", "ReturnCompleted", "ReturnCancelled"]


def test_every_step_is_emailed_with_its_documents(mailoutbox):
    order = shipped_order()
    deliver_due()
    mailoutbox.clear()
    ret = request_return(order_number=order.number, lines=[refund_line(lines(order)[0])],
                         by=CUSTOMER)
    approve_return(rma=ret.rma, by=STAFF)
    receive_return(rma=ret.rma, warehouse_id=ret.warehouse_id, by=STAFF,
                   lines=[ReceivedLine(ret.lines.get().public_id, 1, "resellable")])
    refund_return(rma=ret.rma, by=STAFF)
    deliver_due()
    subjects = [message.subject for message in mailoutbox]
    assert [s.split(": ", 1)[1] for s in subjects] == [
        f"we received your return request ({ret.rma})", f"your return is approved ({ret.rma})",
        f"your return has arrived ({ret.rma})", f"your refund is on its way ({ret.rma})",
        f"your return is complete ({ret.rma})"]  # received and refunded: it completes itself
    assert all(message.to == [order.email] for message in mailoutbox)
    requested, approved, received, refunded, _ = mailoutbox
    assert not requested.attachments
    assert approved.attachments[0][0] == f"return-instructions-{ret.rma}.pdf"
    assert received.attachments[0][2] == "application/pdf"
    assert "17.91" in refunded.body
    history = Event.objects.filter(aggregate_id=order.public_id, type="ReturnEmailSent")
    assert history.count() == 5


def test_a_repeated_delivery_sends_nothing_more(mailoutbox):
    order = shipped_order()
    mailoutbox.clear()  # the confirmation and the tracking link
    ret = request_return(order_number=order.number, lines=[refund_line(lines(order)[0])],
                         by=CUSTOMER)
    reject_return(rma=ret.rma, by=STAFF, reason="Bought in a sale")
    event = Event.objects.get(type="ReturnRejected")
    return_changed(from_row(event), event.pk)
    return_changed(from_row(event), event.pk)
    assert len(mailoutbox) == 1
    assert "Bought in a sale" in mailoutbox[0].body
    assert SentEmail.objects.filter(kind=EmailKind.RETURN_UPDATE).count() == 1
