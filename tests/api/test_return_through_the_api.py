"""A return made through the API alone (issue 12, item 4): the shopper's side only calls
endpoints and reads their answers; the shop's side (shipping, delivery) calls its services, as
the back office would."""

import uuid

import pytest
from django.contrib.auth.models import Group

from mercato.core.events import Actor
from mercato.fulfilment.roles import WAREHOUSE
from mercato.orders.models import Order
from mercato.orders.services import (
    confirm_delivery,
    mark_shipment_shipped,
    pack_shipments,
    release_shipment,
)
from mercato.orders.states import ShipmentStatus
from mercato.returns.models import ReturnRequest
from mercato.returns.services import approve_return
from mercato.returns.states import ReturnStatus
from tests.cart.conftest import token_header
from tests.cart.pricing_data import german_vat, standard_delivery
from tests.checkout.conftest import BERLIN, VISA
from tests.factories import ApiTokenFactory, UserFactory, make_sellable_variant

pytestmark = pytest.mark.django_db

SHOP = Actor("staff", "warehouse@example.com")
ADA = {"email": "ada@example.com", "password": "analytical-engine-1843",
       "first_name": "Ada", "last_name": "Lovelace"}


@pytest.fixture
def skus(db) -> tuple[str, str]:
    """A shop selling shirts (20.00) and socks (9.50) with German VAT and standard delivery."""
    german_vat()
    standard_delivery(code="standard", price="4.90", free_over="100.00")
    shirt = make_sellable_variant(price="20.00", on_hand=5, title="Linen shirt")
    socks = make_sellable_variant(price="9.50", on_hand=10, title="Wool socks")
    return shirt.sku, socks.sku


def staff_token() -> str:
    """A bearer token of a member of the Warehouse role."""
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=WAREHOUSE))
    plain = f"warehouse-token-{user.pk:04d}-abcdefghijklmnop"
    ApiTokenFactory(user=user, token=plain)
    return plain


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def logged_in(api) -> dict[str, str]:
    """Ada registers and takes a bearer token: the headers of her requests."""
    assert api.post("/auth/register", ADA).status_code == 201
    api.client.cookies.clear()  # from here on the token alone says who she is
    response = api.post("/auth/tokens", {"email": ADA["email"], "password": ADA["password"],
                                         "name": "phone"})
    assert response.status_code == 201, response.content
    return bearer(response.json()["token"])


def card_token(api) -> str:
    response = api.post("/test-gateway/tokens", {"number": VISA, "exp_month": 12,
                                                 "exp_year": 2030, "cvc": "123"})
    assert response.status_code == 201, response.content
    return response.json()["token"]


def buy(api, skus: tuple[str, str], headers: dict[str, str]) -> str:
    """2 shirts and 1 pair of socks to Berlin, paid by card: the order number."""
    shirt, socks = skus
    added = api.post("/cart/lines", {"sku": shirt, "quantity": 2}, **headers)
    assert added.status_code == 200, added.content
    if "Authorization" not in headers:
        headers = {**headers, **token_header(added.json()["token"])}
    api.post("/cart/lines", {"sku": socks, "quantity": 1}, **headers)
    response = api.post("/checkout/complete", {
        "email": ADA["email"], "billing_address": BERLIN,
        "shipments": [{"address": BERLIN, "delivery_method": "standard"}],
        "payments": [{"method": "card", "token": card_token(api)}],
        "expected_total": "54.40"}, **headers, **{"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 201, response.content
    return response.json()["number"]


def ship_and_deliver(number: str) -> None:
    """The shop's side: release, pack, ship and confirm delivery of every parcel."""
    for shipment in Order.objects.get(number=number).shipments.all():
        if shipment.status == ShipmentStatus.INVENTORY_ASSIGNED:
            release_shipment(public_id=shipment.public_id, by=SHOP)
        pack_shipments(public_ids=[shipment.public_id], by=SHOP, reference="PL-1")
        mark_shipment_shipped(public_id=shipment.public_id, carrier="DHL",
                              tracking_number="JD0146", tracking_url="", weight_grams=900,
                              by=SHOP)
        confirm_delivery(public_id=shipment.public_id, by=SHOP)


def return_lines(order: dict, quantities: dict[str, int]) -> list[dict]:
    """Return lines naming the order's lines by the `id` the order answer shows."""
    by_sku = {line["sku"]: line["id"] for line in order["lines"]}
    return [{"order_line_id": by_sku[sku], "quantity": quantity, "reason": "does_not_fit",
             "resolution": "refund"} for sku, quantity in quantities.items()]


def assert_returns(created, order: dict, quantities: dict[str, int]) -> dict:
    assert created.status_code == 201, created.content
    body = created.json()
    ids = {line["sku"]: line["id"] for line in order["lines"]}
    assert sorted((line["sku"], line["order_line_id"], line["quantity"])
                  for line in body["lines"]) == sorted(
        (sku, ids[sku], quantity) for sku, quantity in quantities.items())
    stored = ReturnRequest.objects.get(rma=body["rma"])
    assert stored.order.number == order["number"]
    assert sorted(stored.lines.values_list("order_line__public_id", "order_line__sku",
                                           "quantity")) == sorted(
        (ids[sku], sku, quantity) for sku, quantity in quantities.items())
    return body


def test_a_customer_returns_lines_named_by_the_ids_her_order_shows(api, skus):
    headers = logged_in(api)
    number = buy(api, skus, headers)
    ship_and_deliver(number)

    order = api.get(f"/orders/{number}", **headers)
    assert order.status_code == 200, order.content
    order = order.json()
    shirt, socks = skus
    quantities = {shirt: 1, socks: 1}
    created = api.post("/returns", {"order_number": number,
                                    "lines": return_lines(order, quantities)}, **headers)

    body = assert_returns(created, order, quantities)
    shown = api.get(f"/returns/{body['rma']}", **headers)
    assert shown.status_code == 200 and shown.json()["lines"] == body["lines"]
    # Each shipped unit names its line by the same id.
    assert {line["order_line_id"] for shipment in order["shipments"]
            for line in shipment["lines"]} == {line["id"] for line in order["lines"]}


def test_the_warehouse_receives_a_return_by_the_ids_the_api_shows(api, skus):
    headers = logged_in(api)
    number = buy(api, skus, headers)
    ship_and_deliver(number)
    order = api.get(f"/orders/{number}", **headers).json()
    shirt, _ = skus
    rma = api.post("/returns", {"order_number": number,
                                "lines": return_lines(order, {shirt: 1})}, **headers).json()["rma"]
    ret = ReturnRequest.objects.get(rma=rma)
    if ret.status == ReturnStatus.REQUESTED:
        approve_return(rma=rma, by=SHOP)
    staff = bearer(staff_token())

    codes = [w["code"] for w in api.get("/warehouse/warehouses", **staff).json()["items"]]
    arrived = api.get(f"/warehouse/returns/{rma}", **staff).json()
    assert arrived["return_to"] in codes
    received = api.post(f"/warehouse/returns/{rma}/receive", {
        "warehouse": arrived["return_to"], "lines": [
            {"return_line_id": line["id"], "quantity": line["quantity"],
             "condition": "resellable"} for line in arrived["lines"]]}, **staff)

    assert received.status_code == 201, received.content
    assert [line["return_line_id"] for line in received.json()["lines"]] == [
        line["id"] for line in arrived["lines"]]
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.AWAITING_COMPLETION


def test_a_guest_returns_lines_named_by_the_ids_the_order_lookup_shows(api, skus):
    number = buy(api, skus, {})
    ship_and_deliver(number)

    order = api.post("/orders/lookup", {"number": number, "email": ADA["email"]})
    assert order.status_code == 200, order.content
    order = order.json()
    shirt, _ = skus
    created = api.post("/returns/guest", {"order_number": number, "email": ADA["email"],
                                          "lines": return_lines(order, {shirt: 2})})

    assert_returns(created, order, {shirt: 2})


def test_a_line_id_of_another_order_is_refused_by_the_id_sent_and_changes_nothing(api, skus):
    headers = logged_in(api)
    first, second = buy(api, skus, headers), buy(api, skus, headers)
    ship_and_deliver(first)
    ship_and_deliver(second)
    other_line = api.get(f"/orders/{second}", **headers).json()["lines"][0]["id"]

    response = api.post("/returns", {"order_number": first, "lines": [
        {"order_line_id": other_line, "quantity": 1, "reason": "faulty",
         "resolution": "refund"}]}, **headers)

    assert response.status_code == 422, response.content
    assert response.json()["order_line_id"] == other_line
    assert not ReturnRequest.objects.exists()
