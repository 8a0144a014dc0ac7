"""The returns API: a customer's own returns (list, detail, request, instructions) and a
warehouse app's receiving with staff bearer tokens and the back office's permissions."""

from io import BytesIO
from itertools import count

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from mercato.core.models import Event
from mercato.fulfilment.roles import CUSTOMER_SERVICE, MERCHANDISER, WAREHOUSE
from mercato.inventory.models import Stock
from mercato.orders.models import Order
from mercato.returns.models import ReceivingReceipt, ReturnRequest
from mercato.returns.services import approve_return, request_return
from mercato.returns.states import ReturnStatus
from tests.factories import (
    ApiTokenFactory,
    UserFactory,
    WarehouseFactory,
    make_sellable_variant,
)
from tests.orders.builders import make_quote, place
from tests.returns.builders import CUSTOMER, STAFF, card, lines, refund_line, ship_all

pytestmark = pytest.mark.django_db


TOKENS = count(1)


def token_for(user) -> str:
    plain = f"returns-token-{next(TOKENS):04d}-abcdefghijklmnop"
    ApiTokenFactory(user=user, token=plain)
    return plain


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def staff_token(role: str) -> str:
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return token_for(user)


def customers_order(customer) -> Order:
    """A shipped order of `customer`, paid by card."""
    order = place(make_quote(), customer_id=customer.pk, email=customer.email)
    card(order, order.total)
    ship_all(order)
    order.refresh_from_db()
    return order


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def snapshot() -> tuple:
    return (list(ReturnRequest.objects.order_by("id").values_list("rma", "status")),
            ReceivingReceipt.objects.count(), Event.objects.count(),
            list(Stock.objects.order_by("id").values_list("on_hand", "allocated")))


@pytest.fixture
def customer():
    return UserFactory(email="ada@example.com")


@pytest.fixture
def order(customer):
    return customers_order(customer)


@pytest.fixture
def approved(order):
    """An approved return of one shirt: AwaitingStockReturn."""
    shirt, _ = lines(order)
    ret = request_return(order_number=order.number, lines=[refund_line(shirt)], by=STAFF)
    if ret.status == ReturnStatus.REQUESTED:
        approve_return(rma=ret.rma, by=STAFF)
    ret.refresh_from_db()
    return ret


# --- the customer's returns ---------------------------------------------------------------------

def test_a_customer_requests_a_return_of_a_shipped_line(api, customer, order):
    shirt, _ = lines(order)

    response = api.post("/returns", {"order_number": order.number, "lines": [
        {"order_line_id": shirt.public_id, "quantity": 2, "reason": "changed_mind",
         "resolution": "refund", "note": "Too big"}]}, **bearer(token_for(customer)))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["rma"].startswith("RMA-") and body["order_number"] == order.number
    assert body["status"] == ReturnStatus.REQUESTED
    assert [(line["sku"], line["quantity"], line["reason"], line["resolution"], line["note"])
            for line in body["lines"]] == [(shirt.sku, 2, "changed_mind", "refund", "Too big")]
    assert body["receipt"] is None and body["refunds"] == []
    assert ReturnRequest.objects.get(rma=body["rma"]).order == order


def test_an_exchange_names_the_variant_wanted_by_sku(api, customer, order):
    shirt, _ = lines(order)
    other = make_sellable_variant(price="19.90", on_hand=5)

    response = api.post("/returns", {"order_number": order.number, "lines": [
        {"order_line_id": shirt.public_id, "quantity": 1, "reason": "does_not_fit",
         "resolution": "exchange", "exchange_sku": other.sku}]}, **bearer(token_for(customer)))

    assert response.status_code == 201, response.content
    [line] = response.json()["lines"]
    assert (line["resolution"], line["exchange_sku"]) == ("exchange", other.sku)


def test_returning_more_than_shipped_is_refused_and_changes_nothing(api, customer, order):
    shirt, _ = lines(order)
    before = snapshot()

    response = api.post("/returns", {"order_number": order.number, "lines": [
        {"order_line_id": shirt.public_id, "quantity": 3, "reason": "faulty",
         "resolution": "refund"}]}, **bearer(token_for(customer)))

    assert_problem(response, 422)
    assert snapshot() == before


def test_an_unknown_exchange_sku_is_422(api, customer, order):
    shirt, _ = lines(order)
    before = snapshot()

    response = api.post("/returns", {"order_number": order.number, "lines": [
        {"order_line_id": shirt.public_id, "quantity": 1, "reason": "does_not_fit",
         "resolution": "exchange", "exchange_sku": "NO-SUCH-SKU"}]},
        **bearer(token_for(customer)))

    assert_problem(response, 422)
    assert snapshot() == before


def test_another_customers_order_cannot_be_returned(api, order):
    shirt, _ = lines(order)
    stranger = UserFactory(email="eve@example.com")
    before = snapshot()

    response = api.post("/returns", {"order_number": order.number, "lines": [
        {"order_line_id": shirt.public_id, "quantity": 1, "reason": "faulty",
         "resolution": "refund"}]}, **bearer(token_for(stranger)))

    assert_problem(response, 404)
    assert snapshot() == before


def test_a_customer_lists_and_reads_only_their_own_returns(api, customer, approved):
    stranger = UserFactory(email="eve@example.com")
    mine = bearer(token_for(customer))

    listed = api.get("/returns", **mine)
    detail = api.get(f"/returns/{approved.rma}", **mine)
    theirs = api.get("/returns", **bearer(token_for(stranger)))
    hidden = api.get(f"/returns/{approved.rma}", **bearer(token_for(stranger)))

    assert [item["rma"] for item in listed.json()["items"]] == [approved.rma]
    assert detail.status_code == 200
    assert detail.json()["status"] == ReturnStatus.AWAITING_STOCK_RETURN
    assert theirs.json() == {"items": [], "count": 0}
    assert_problem(hidden, 404)
    assert_problem(api.get("/returns/RMA-NOPE-1", **mine), 404)


def test_the_list_takes_the_same_queries_for_one_return_or_many(api, customer, order):
    token = bearer(token_for(customer))
    shirt, mug = lines(order)
    request_return(order_number=order.number, lines=[refund_line(shirt)], by=STAFF)
    api.get("/returns", **token)  # the token's last use is noted once a minute
    with CaptureQueriesContext(connection) as one:
        api.get("/returns", **token)
    request_return(order_number=order.number, lines=[refund_line(mug)], by=STAFF)
    request_return(order_number=order.number, lines=[refund_line(shirt)], by=STAFF)
    with CaptureQueriesContext(connection) as three:
        response = api.get("/returns", **token)

    assert response.json()["count"] == 3
    assert len(three) == len(one)


def test_return_endpoints_need_a_login(api, approved):
    assert_problem(api.get("/returns"), 401)
    assert_problem(api.get(f"/returns/{approved.rma}"), 401)
    assert_problem(api.post("/returns", {"order_number": "x", "lines": []}), 401)


def test_the_customer_downloads_the_return_instructions(api, customer, approved):
    response = api.get(f"/returns/{approved.rma}/instructions", **bearer(token_for(customer)))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert approved.rma in text


# --- warehouse receiving ------------------------------------------------------------------------

def receive_body(ret: ReturnRequest, *, condition: str = "resellable", code: str = "main"):
    line = ret.lines.get()
    return {"warehouse": code, "lines": [{"return_line_id": line.public_id,
                                          "quantity": line.quantity, "condition": condition}]}


def test_the_warehouse_looks_a_return_up_and_receives_it(api, approved):
    token = staff_token(WAREHOUSE)
    stock = Stock.objects.get(variant_id=approved.lines.get().order_line.variant_id)
    on_hand = stock.on_hand

    looked_up = api.get(f"/warehouse/returns/{approved.rma}", **bearer(token))
    response = api.post(f"/warehouse/returns/{approved.rma}/receive", receive_body(approved),
                        **bearer(token))

    assert looked_up.status_code == 200
    assert looked_up.json()["lines"][0]["id"] == approved.lines.get().public_id
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["warehouse"] == "main"
    assert [(line["return_line_id"], line["quantity"], line["condition"])
            for line in body["lines"]] == [(looked_up.json()["lines"][0]["id"], 1, "resellable")]
    approved.refresh_from_db()
    assert approved.status == ReturnStatus.AWAITING_COMPLETION
    stock.refresh_from_db()
    assert stock.on_hand == on_hand + 1

    pdf = api.get(f"/warehouse/receipts/{body['number']}/pdf", **bearer(token))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_receiving_a_line_not_of_this_return_names_it_and_changes_nothing(api, approved):
    before = snapshot()
    body = receive_body(approved)
    body["lines"][0]["return_line_id"] = "not-a-line"

    response = api.post(f"/warehouse/returns/{approved.rma}/receive", body,
                        **bearer(staff_token(WAREHOUSE)))

    assert assert_problem(response, 422)["return_line_id"] == "not-a-line"
    assert snapshot() == before


def test_damaged_goods_are_received_but_not_restocked(api, approved):
    before = list(Stock.objects.order_by("id").values_list("on_hand", flat=True))

    response = api.post(f"/warehouse/returns/{approved.rma}/receive",
                        receive_body(approved, condition="damaged"),
                        **bearer(staff_token(WAREHOUSE)))

    assert response.status_code == 201, response.content
    assert list(Stock.objects.order_by("id").values_list("on_hand", flat=True)) == before


def test_customer_service_may_not_receive_and_nothing_changes(api, approved):
    before = snapshot()

    response = api.post(f"/warehouse/returns/{approved.rma}/receive", receive_body(approved),
                        **bearer(staff_token(CUSTOMER_SERVICE)))

    assert assert_problem(response, 403)["missing_permissions"] == [
        "returns.add_receivingreceipt"]
    assert snapshot() == before


def test_receiving_refuses_customers_strangers_and_roles_without_returns(api, customer,
                                                                        approved):
    path = f"/warehouse/returns/{approved.rma}/receive"
    before = snapshot()

    assert_problem(api.post(path, receive_body(approved)), 401)
    assert_problem(api.post(path, receive_body(approved), **bearer(token_for(customer))), 403)
    merchandiser = bearer(staff_token(MERCHANDISER))
    assert_problem(api.post(path, receive_body(approved), **merchandiser), 403)
    assert_problem(api.get(f"/warehouse/returns/{approved.rma}", **merchandiser), 403)
    assert snapshot() == before


def test_receiving_twice_or_in_an_unknown_warehouse_is_refused(api, approved):
    token = bearer(staff_token(WAREHOUSE))
    path = f"/warehouse/returns/{approved.rma}/receive"
    WarehouseFactory(code="south", name="South")

    assert_problem(api.post(path, receive_body(approved, code="nowhere"), **token), 404)
    assert api.post(path, receive_body(approved), **token).status_code == 201
    before = snapshot()
    assert_problem(api.post(path, receive_body(approved, code="south"), **token), 409)
    assert snapshot() == before


def test_receiving_more_than_returned_is_refused(api, approved):
    body = receive_body(approved)
    body["lines"][0]["quantity"] = 5
    before = snapshot()

    response = api.post(f"/warehouse/returns/{approved.rma}/receive", body,
                        **bearer(staff_token(WAREHOUSE)))

    assert response.status_code in (409, 422)
    assert snapshot() == before


def test_instructions_come_with_the_approval(api, customer, order):
    shirt, _ = lines(order)
    ret = request_return(order_number=order.number, lines=[refund_line(shirt)], by=CUSTOMER,
                         customer_id=customer.pk)
    auth = bearer(token_for(customer))
    if ret.status == ReturnStatus.REQUESTED:
        response = api.get(f"/returns/{ret.rma}/instructions", **auth)
        assert assert_problem(response, 409)["type"].endswith("return-instructions-not-ready")
        approve_return(rma=ret.rma, by=STAFF)
    assert api.get(f"/returns/{ret.rma}/instructions", **auth).status_code == 200
