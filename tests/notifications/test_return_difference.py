"""Return emails about a dearer exchange's price difference: the request and the approval say
what is to pay and that the replacement waits for it; paying and waiving are emailed."""

import pytest

from mercato.core.events import from_row
from mercato.core.models import Event
from mercato.core.outbox import deliver_due
from mercato.notifications.handlers import return_changed
from mercato.notifications.models import EmailKind, SentEmail
from mercato.payments.gateways import get_gateway
from mercato.returns.services import (
    approve_return,
    pay_difference,
    request_return,
    waive_difference,
)
from tests.factories import UserFactory, make_sellable_variant
from tests.notifications.test_order_confirmation import parts
from tests.orders.builders import make_quote, place
from tests.returns.builders import (
    CUSTOMER,
    STAFF,
    card,
    exchange_line,
    lines,
    refund_line,
    ship_all,
    shipped_order,
)

pytestmark = pytest.mark.django_db


def dearer_return(order, **owner):
    """One shirt (paid 19.90) exchanged for a variant at 25.00: 5.10 to pay."""
    dearer = make_sellable_variant(price="25.00", on_hand=5)
    deliver_due()  # the order's own emails
    return request_return(order_number=order.number, by=CUSTOMER, **owner,
                          lines=[exchange_line(lines(order)[0], dearer.pk)])


def pay(ret, email: str = "ada@example.com") -> None:
    token = get_gateway("test").tokenize_card("4242424242424242", 12, 2030, "123")
    pay_difference(rma=ret.rma, method="card", token=token, by=CUSTOMER, email=email)


def sent(mailoutbox, step: str):
    [message] = [m for m in mailoutbox if step in m.subject]
    return message, message.alternatives[0][0]


def test_the_request_and_approval_say_what_is_to_pay(mailoutbox):
    order = shipped_order()  # a guest's order
    ret = dearer_return(order)
    mailoutbox.clear()
    approve_return(rma=ret.rma, by=STAFF)

    deliver_due()

    for step in ("we received your return request", "your return is approved"):
        message, html = sent(mailoutbox, step)
        assert "€5.10 is to pay. Your replacement ships once it is paid." in message.body
        assert "<strong>€5.10</strong> is to pay" in html
        assert f'choose "Find an order" on our shop, enter order {order.number}' in message.body
        assert "(+€5.10 price difference)" in message.body


def test_a_customer_is_sent_to_their_account_to_pay(mailoutbox):
    order = place(make_quote(), customer_id=UserFactory(email="ada@example.com").pk)
    card(order, order.total)
    ship_all(order)
    dearer_return(order)
    mailoutbox.clear()

    deliver_due()

    message, _ = sent(mailoutbox, "we received your return request")
    assert "€5.10 is to pay" in message.body
    assert f'sign in to your account, open order {order.number} and choose "Your returns"' \
        in message.body


def test_the_payment_is_emailed_and_a_later_approval_asks_nothing(smtp_server):
    order = shipped_order()
    ret = dearer_return(order)
    pay(ret)
    approve_return(rma=ret.rma, by=STAFF)

    deliver_due()

    by_subject = {m["Subject"].split(": ", 1)[1]: m for m in smtp_server.messages
                  if ret.rma in m["Subject"]}
    paid = by_subject[f"we received your payment ({ret.rma})"]
    assert paid["To"] == order.email
    text, html = parts(paid)
    assert "We received your payment of €5.10 for the price difference of your exchange." \
        in text
    assert "We received your payment of <strong>€5.10</strong>" in html
    # Each email is written when the worker sends it: by then nothing is left to pay.
    for step in ("we received your return request", "your return is approved"):
        text, _ = parts(by_subject[f"{step} ({ret.rma})"])
        assert "is to pay" not in text


def test_a_waived_difference_is_emailed_as_no_payment_needed(mailoutbox):
    order = shipped_order()
    ret = dearer_return(order)
    deliver_due()
    mailoutbox.clear()
    waive_difference(rma=ret.rma, by=STAFF, reason="Our size chart was wrong")
    approve_return(rma=ret.rma, by=STAFF)

    deliver_due()

    message, html = sent(mailoutbox, "no payment needed for your exchange")
    assert message.to == [order.email]
    assert "you do not need to pay the price difference of your exchange (€5.10)" \
        in message.body
    assert "Our size chart was wrong" not in message.body  # the shop's note stays inside
    assert "(<strong>€5.10</strong>)" in html
    approved, _ = sent(mailoutbox, "your return is approved")
    assert "is to pay" not in approved.body


def test_a_refund_only_return_says_nothing_about_paying(mailoutbox):
    order = shipped_order()
    deliver_due()
    mailoutbox.clear()
    request_return(order_number=order.number, by=CUSTOMER,
                   lines=[refund_line(lines(order)[0])])

    deliver_due()

    message, _ = sent(mailoutbox, "we received your return request")
    assert "to pay" not in message.body and "price difference" not in message.body


def test_each_difference_email_is_sent_once(mailoutbox):
    order = shipped_order()
    ret = dearer_return(order)
    pay(ret)
    deliver_due()

    paid = Event.objects.get(type="ReturnDifferencePaid")
    return_changed(from_row(paid), paid.pk)

    assert SentEmail.objects.filter(kind=EmailKind.RETURN_UPDATE).count() == 2
    assert Event.objects.filter(type="ReturnEmailSent",
                                payload__step="ReturnDifferencePaid").count() == 1
