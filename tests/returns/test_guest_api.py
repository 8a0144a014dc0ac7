"""The guest returns API: a guest proves the order (number + email) or the return (RMA + email)
in each request; a wrong part answers as an unknown order or return, and nothing changes."""

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from mercato.core.models import Event
from mercato.orders.models import Order
from mercato.returns.models import ReturnRequest
from mercato.returns.services import approve_return, request_return
from mercato.returns.states import ReturnStatus
from tests.factories import UserFactory
from tests.orders.builders import make_quote, place
from tests.returns.builders import STAFF, card, lines, refund_line, ship_all, shipped_order
from tests.returns.test_api import assert_problem, snapshot

pytestmark = pytest.mark.django_db

EMAIL = "ada@example.com"  # the email tests.orders.builders.place orders with


def return_body(order: Order, *, email: str = EMAIL, quantity: int = 1, **line) -> dict:
    shirt, _ = lines(order)
    return {"order_number": order.number, "email": email, "lines": [
        {"order_line_id": shirt.public_id, "quantity": quantity, "reason": "changed_mind",
         "resolution": "refund"} | line]}


@pytest.fixture
def order():
    """A guest's order (no customer), paid by card and shipped: shirt x2, mug x1."""
    order = shipped_order()
    assert order.customer_id is None
    return order


@pytest.fixture
def approved(order):
    """An approved return of one shirt of the guest's order: AwaitingStockReturn."""
    shirt, _ = lines(order)
    ret = request_return(order_number=order.number, lines=[refund_line(shirt)], by=STAFF)
    if ret.status == ReturnStatus.REQUESTED:
        approve_return(rma=ret.rma, by=STAFF)
    ret.refresh_from_db()
    return ret


# --- requesting a return -----------------------------------------------------------------------

def test_a_guest_requests_a_return_with_the_order_number_and_email(api, order):
    shirt, _ = lines(order)

    response = api.post("/returns/guest", return_body(order, email=" ADA@Example.com ",
                                                      quantity=2, note="Too big"))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["rma"] == f"RMA-{order.number}-1" and body["order_number"] == order.number
    assert body["status"] == ReturnStatus.REQUESTED
    assert [(line["sku"], line["quantity"], line["reason"], line["resolution"], line["note"])
            for line in body["lines"]] == [(shirt.sku, 2, "changed_mind", "refund", "Too big")]
    ret = ReturnRequest.objects.get(rma=body["rma"])
    assert ret.order == order and ret.created_by == "guest:ADA@Example.com"
    [event] = Event.objects.filter(type="ReturnRequested")
    assert (event.aggregate_id, event.actor) == (order.public_id, "guest:ADA@Example.com")
    assert event.payload["rma"] == body["rma"]


def test_a_wrong_email_and_an_unknown_order_get_the_order_lookups_answer(api, order):
    before = snapshot()

    wrong_email = api.post("/returns/guest", return_body(order, email="eve@example.com"))
    unknown = return_body(order)
    unknown["order_number"] = "MRC-999999"
    unknown_order = api.post("/returns/guest", unknown)
    lookup = api.post("/orders/lookup", {"number": order.number, "email": "eve@example.com"})

    assert assert_problem(wrong_email, 404) == assert_problem(unknown_order, 404)
    assert wrong_email.json() == assert_problem(lookup, 404)
    assert order.number not in wrong_email.json()["detail"]
    assert snapshot() == before


def test_a_customers_order_is_returned_as_the_order_lookup_finds_it(api):
    """order_for_guest finds any order by its number and email, an account's too: so does the
    guest endpoint; the email still has to match."""
    customer = UserFactory(email="grace@example.com")
    order = place(make_quote(), customer_id=customer.pk, email=customer.email)
    card(order, order.total)
    ship_all(order)
    assert api.post("/orders/lookup", {"number": order.number,
                                       "email": customer.email}).status_code == 200
    before = snapshot()

    assert_problem(api.post("/returns/guest", return_body(order, email=EMAIL)), 404)
    assert snapshot() == before
    response = api.post("/returns/guest", return_body(order, email=customer.email))

    assert response.status_code == 201, response.content
    assert ReturnRequest.objects.get(rma=response.json()["rma"]).order == order


def test_returning_more_than_shipped_is_refused_and_changes_nothing(api, order):
    before = snapshot()

    response = api.post("/returns/guest", return_body(order, quantity=3))

    assert assert_problem(response, 422)["type"].endswith("/over-return")
    assert snapshot() == before


def test_an_unknown_exchange_sku_is_422(api, order):
    before = snapshot()

    response = api.post("/returns/guest", return_body(order, resolution="exchange",
                                                      exchange_sku="NO-SUCH-SKU"))

    assert_problem(response, 422)
    assert snapshot() == before


@pytest.mark.parametrize(("change", "field"), [
    ({"email": None}, "email"),
    ({"email": "   "}, "email"),
    ({"order_number": ""}, "order_number"),
    ({"lines": []}, "lines"),
])
def test_a_malformed_request_is_a_422_problem_and_changes_nothing(api, order, change, field):
    body = {key: value for key, value in (return_body(order) | change).items()
            if value is not None}
    before = snapshot()

    problem = assert_problem(api.post("/returns/guest", body), 422)

    assert problem["type"].endswith("/invalid-input") and field in problem["errors"]
    assert snapshot() == before


# --- following a return ------------------------------------------------------------------------

def test_a_guest_looks_a_return_up_by_rma_and_email(api, approved):
    response = api.post("/returns/lookup", {"rma": approved.rma, "email": "Ada@Example.COM"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["rma"], body["status"]) == (approved.rma, ReturnStatus.AWAITING_STOCK_RETURN)
    assert [line["id"] for line in body["lines"]] == [approved.lines.get().public_id]


def test_a_wrong_email_answers_as_an_unknown_rma(api, approved):
    wrong = assert_problem(api.post("/returns/lookup", {"rma": approved.rma,
                                                        "email": "eve@example.com"}), 404)
    unknown = assert_problem(api.post("/returns/lookup", {"rma": "RMA-NOPE-1",
                                                          "email": EMAIL}), 404)

    assert wrong | {"detail": ""} == unknown | {"detail": ""}
    assert wrong["detail"].replace(approved.rma, "RMA-NOPE-1") == unknown["detail"]


def test_the_lookup_takes_the_same_queries_for_one_line_or_two(api, order):
    shirt, mug = lines(order)
    one = request_return(order_number=order.number, lines=[refund_line(shirt)], by=STAFF)
    two = request_return(order_number=order.number,
                         lines=[refund_line(shirt), refund_line(mug)], by=STAFF)
    with CaptureQueriesContext(connection) as for_one:
        api.post("/returns/lookup", {"rma": one.rma, "email": EMAIL})
    with CaptureQueriesContext(connection) as for_two:
        response = api.post("/returns/lookup", {"rma": two.rma, "email": EMAIL})

    assert len(response.json()["lines"]) == 2
    assert len(for_two) == len(for_one)


def test_a_guest_downloads_the_return_instructions(api, approved):
    response = api.post("/returns/lookup/instructions", {"rma": approved.rma, "email": EMAIL})

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert approved.rma in text


def test_the_instructions_need_the_orders_email(api, approved):
    wrong = api.post("/returns/lookup/instructions", {"rma": approved.rma,
                                                      "email": "eve@example.com"})
    unknown = api.post("/returns/lookup/instructions", {"rma": "RMA-NOPE-1", "email": EMAIL})

    assert assert_problem(wrong, 404)["type"] == assert_problem(unknown, 404)["type"]
    assert wrong.json()["type"].endswith("/return-not-found")


def test_a_lookup_without_an_email_is_a_422_problem(api, approved):
    problem = assert_problem(api.post("/returns/lookup", {"rma": approved.rma}), 422)

    assert "email" in problem["errors"]
