"""Back office > Returns: the price difference of an exchange for a dearer variant — shown on
the return's page with its payments, waived by Customer Service (with a reason), holding the
replacement back while unpaid, and the list filter "Difference to pay"."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mercato.checkout.errors import PaymentDeclined
from mercato.core.models import Event
from mercato.fulfilment.roles import CUSTOMER_SERVICE, WAREHOUSE
from mercato.orders.models import Order, Shipment
from mercato.payments.gateways import get_gateway
from mercato.payments.models import Payment
from mercato.returns.models import ReturnRequest
from mercato.returns.services import pay_difference, request_return
from mercato.returns.states import ReturnStatus
from tests.factories import UserFactory, make_sellable_variant
from tests.orders.builders import make_quote, place
from tests.returns.builders import (
    CUSTOMER,
    STAFF,
    card,
    exchange_line,
    lines,
    refund_line,
    ship_all,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:returns_returnrequest_changelist"
GOOD_CARD, DECLINED_CARD = "4242424242424242", "4000000000000002"


@pytest.fixture
def quote():
    return make_quote()


@pytest.fixture
def dearer():
    """The shirt (19.90) in a dearer variant: 5.10 more a unit."""
    return make_sellable_variant(price="25.00", on_hand=5)


@pytest.fixture
def ret(quote, dearer) -> ReturnRequest:
    return exchanged(shipped(quote), dearer)


def shipped(quote) -> Order:
    order = place(quote)
    card(order, order.total)
    ship_all(order)
    order.refresh_from_db()
    return order


def exchanged(order: Order, variant) -> ReturnRequest:
    """A staff return (approved at once) of one shirt for `variant`."""
    return request_return(order_number=order.number, by=STAFF,
                          lines=[exchange_line(lines(order)[0], variant.pk)])


def refunded(order: Order) -> ReturnRequest:
    return request_return(order_number=order.number, by=STAFF,
                          lines=[refund_line(lines(order)[0])])


def pay(ret: ReturnRequest, number: str = GOOD_CARD) -> None:
    token = get_gateway("test").tokenize_card(number, 12, 2030, "123")
    pay_difference(rma=ret.rma, method="card", token=token, by=CUSTOMER,
                   email=ret.order.email)


def staff_in(client, role: str, email: str = "cs-desk@example.com"):
    user = UserFactory(email=email, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return client


@pytest.fixture
def customer_service(client):
    return staff_in(client, CUSTOMER_SERVICE)


def page(ret: ReturnRequest) -> str:
    return reverse("admin:returns_returnrequest_change", args=[ret.pk])


def waive_url(ret: ReturnRequest) -> str:
    return reverse("admin:returns_returnrequest_act", args=[ret.pk, "waive"])


def replace_url(ret: ReturnRequest) -> str:
    return reverse("admin:returns_returnrequest_replace", args=[ret.pk])


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def action_names(response) -> list[str]:
    return [item["action"].name for item in response.context["return_actions"]]


def snapshot(ret: ReturnRequest) -> tuple:
    fresh = ReturnRequest.objects.get(pk=ret.pk)
    return (fresh.status, fresh.difference_waived, fresh.replacement_shipment_id,
            Event.objects.count(), Shipment.objects.count(), Payment.objects.count())


# --- the return's page --------------------------------------------------------------------------

def test_the_page_shows_the_charge_what_is_left_to_pay_and_offers_the_waiver(
        customer_service, ret):
    response = customer_service.get(page(ret))
    html = response.content.decode()

    assert response.status_code == 200
    assert "charge €5.10" in html
    assert "Exchange difference" in html and "To pay" in html and "Waived" in html
    assert response.context["difference_due"] == "€5.10"
    assert "to pay for the dearer replacement first" in html
    assert action_names(response)[-1] == "waive"
    assert 'id="reason-waive" maxlength="255" required' in html
    assert not response.context["difference_payments"]


def test_the_page_lists_the_difference_payments_linked_to_their_page(customer_service, ret):
    with pytest.raises(PaymentDeclined):
        pay(ret, DECLINED_CARD)
    declined = customer_service.get(page(ret))
    pay(ret)  # another card: the same payment, authorized this time

    response = customer_service.get(page(ret))
    html = response.content.decode()

    paid = Payment.objects.get(reference=ret.rma)
    assert [row["payment"].status for row in declined.context["difference_payments"]] == [
        "Failed"]
    assert declined.context["difference_due"] == "€5.10"
    [row] = response.context["difference_payments"]
    assert (row["payment"].pk, row["amount"]) == (paid.pk, "€5.10")
    assert row["payment"].status in {"Authorized", "Captured"}
    assert row["payment"].get_status_display() in html
    assert reverse("admin:payments_payment_change", args=[paid.pk]) in html
    assert response.context["difference_due"] == ""
    assert "waive" not in action_names(response)
    assert customer_service.get(row["url"]).status_code == 200


def test_the_warehouse_sees_the_payments_without_a_link_and_no_waiver(client, ret):
    pay(ret)
    staff_in(client, WAREHOUSE, "dock@example.com")

    response = client.get(page(ret))

    assert [row["url"] for row in response.context["difference_payments"]] == [""]
    assert action_names(response) == []


def test_a_cheaper_exchange_shows_its_credit_and_nothing_to_pay(customer_service, quote):
    cheaper = make_sellable_variant(price="14.90", on_hand=5)
    ret = exchanged(shipped(quote), cheaper)

    response = customer_service.get(page(ret))

    assert "credit €5.00" in response.content.decode()
    assert response.context["difference_due"] == ""
    assert "waive" not in action_names(response)


# --- waiving ------------------------------------------------------------------------------------

def test_customer_service_waives_the_difference_then_ships_the_replacement(
        customer_service, ret):
    response = customer_service.post(waive_url(ret), {"reason": "Goodwill: late delivery"})

    assert response.status_code == 302
    assert f"Return {ret.rma} needs no further payment: the difference is waived." in texts(
        response)
    ret.refresh_from_db()
    assert ret.difference_waived
    event = Event.objects.get(type="ReturnDifferenceWaived")
    assert event.actor == "staff:cs-desk@example.com"
    assert (event.payload["rma"], event.payload["reason"]) == (ret.rma, "Goodwill: late delivery")
    after = customer_service.get(page(ret))
    assert "waive" not in action_names(after) and after.context["difference_due"] == ""

    shipped_reply = customer_service.post(replace_url(ret))

    ret.refresh_from_db()
    assert ret.replacement_shipment is not None, texts(shipped_reply)


def test_the_warehouse_may_not_waive_and_nothing_changes(client, ret):
    staff_in(client, WAREHOUSE, "dock@example.com")
    before = snapshot(ret)

    response = client.post(waive_url(ret), {"reason": "Goodwill"})

    assert response.status_code == 403
    assert snapshot(ret) == before


def test_changing_returns_without_moving_money_may_not_waive(client, ret):
    user = UserFactory(email="clerk@example.com", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="returns", codename__in=["view_returnrequest",
                                                         "change_returnrequest"]))
    client.force_login(user)
    before = snapshot(ret)

    offered = action_names(client.get(page(ret)))
    response = client.post(waive_url(ret), {"reason": "Goodwill"})

    assert offered and "waive" not in offered
    assert response.status_code == 403
    assert snapshot(ret) == before


def test_waiving_without_a_reason_changes_nothing(customer_service, ret):
    before = snapshot(ret)

    response = customer_service.post(waive_url(ret), {"reason": "   "})

    assert response.status_code == 302
    assert texts(response) == ["Not done — “Waive difference” needs a reason."]
    assert snapshot(ret) == before


def test_waiving_what_is_paid_already_shows_why_and_changes_nothing(customer_service, ret):
    pay(ret)
    before = snapshot(ret)

    response = customer_service.post(waive_url(ret), {"reason": "Goodwill"})

    assert texts(response) == [f"Nothing is left to pay for return {ret.rma}."]
    assert snapshot(ret) == before


# --- the replacement waits for the difference ---------------------------------------------------

def test_shipping_the_replacement_while_unpaid_shows_why_and_creates_no_shipment(
        customer_service, ret):
    before = snapshot(ret)

    response = customer_service.post(replace_url(ret))

    assert response.status_code == 302
    [message] = texts(response)
    assert "to pay for the dearer replacement before it can ship" in message
    assert snapshot(ret) == before
    assert ReturnRequest.objects.get(pk=ret.pk).status == ReturnStatus.AWAITING_STOCK_RETURN


def test_once_paid_the_replacement_ships(customer_service, ret):
    pay(ret)

    response = customer_service.post(replace_url(ret))

    ret.refresh_from_db()
    assert ret.replacement_shipment is not None, texts(response)


# --- the list filter ----------------------------------------------------------------------------

def test_the_list_filters_returns_with_a_difference_to_pay(customer_service, quote, dearer):
    unpaid = exchanged(shipped(quote), dearer)
    paid = exchanged(shipped(quote), dearer)
    pay(paid)
    waived = exchanged(shipped(quote), dearer)
    customer_service.post(waive_url(waived), {"reason": "Goodwill"})
    plain = refunded(shipped(quote))

    to_pay = customer_service.get(reverse(CHANGELIST), {"difference_to_pay": "yes"})
    settled = customer_service.get(reverse(CHANGELIST), {"difference_to_pay": "no"})

    assert [row.rma for row in to_pay.context["cl"].result_list] == [unpaid.rma]
    assert {row.rma for row in settled.context["cl"].result_list} == {
        paid.rma, waived.rma, plain.rma}
    facets = settled.content.decode()
    assert 'difference_to_pay=yes">Yes (1)<' in facets
    assert 'difference_to_pay=no">No (3)<' in facets


def test_the_filtered_list_takes_the_same_queries_for_one_return_or_many(
        customer_service, quote, dearer):
    exchanged(shipped(quote), dearer)
    query = {"difference_to_pay": "yes"}
    customer_service.get(reverse(CHANGELIST), query)
    with CaptureQueriesContext(connection) as one:
        customer_service.get(reverse(CHANGELIST), query)
    exchanged(shipped(quote), dearer)
    exchanged(shipped(quote), dearer)
    with CaptureQueriesContext(connection) as three:
        response = customer_service.get(reverse(CHANGELIST), query)

    assert response.context["cl"].result_count == 3
    assert len(three) == len(one)
