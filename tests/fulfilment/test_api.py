"""The warehouse API: staff bearer tokens, back-office permissions, released shipments,
picklists, packing slips and shipping."""

from io import BytesIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from mercato.core.events import Actor
from mercato.core.models import Event
from mercato.fulfilment.models import Picklist
from mercato.fulfilment.roles import MERCHANDISER, WAREHOUSE
from mercato.inventory.models import Stock
from mercato.orders.models import Order, Shipment
from mercato.orders.services import hold_order, release_shipment
from mercato.orders.states import ShipmentStatus
from tests.factories import ApiTokenFactory, UserFactory, WarehouseFactory
from tests.orders.builders import make_quote, place

pytestmark = pytest.mark.django_db

UPS = "1Z5R89390357567127"
UPS_BAD_CHECK_DIGIT = "1Z5R89390357567128"
STAFF = Actor("staff", "lead@example.com")


def token_for(*, role: str | None = None, is_staff: bool = True,
              permissions: tuple[str, ...] = ()) -> str:
    user = UserFactory(is_staff=is_staff)
    if role is not None:
        user.groups.add(Group.objects.get(name=role))
    for name in permissions:
        app_label, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label,
                                                         codename=codename))
    plain = f"warehouse-token-{user.pk:04d}-abcdefghijklmnop"
    ApiTokenFactory(user=user, token=plain)
    return plain


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def warehouse_token():
    return token_for(role=WAREHOUSE)


@pytest.fixture
def quote():
    return make_quote(on_hand=100)


def released_order(quote) -> Order:
    order = place(quote)
    for shipment in order.shipments.all():
        release_shipment(public_id=shipment.public_id, by=STAFF)
    return order


def shipment_of(order: Order) -> Shipment:
    return Shipment.objects.get(order=order)


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    return body


def snapshot() -> tuple:
    return (list(Shipment.objects.order_by("id").values_list("status", "carrier")),
            Picklist.objects.count(), Event.objects.count(),
            list(Stock.objects.order_by("id").values_list("on_hand", "allocated")))


def picklist_of(api, token: str, *shipments: Shipment) -> dict:
    response = api.post("/warehouse/warehouses/main/picklists",
                        {"shipment_ids": [s.public_id for s in shipments]}, **bearer(token))
    assert response.status_code == 201, response.content
    return response.json()


# --- who may call ----------------------------------------------------------------------------

def test_without_a_token_the_api_answers_401_problem_json(api):
    WarehouseFactory()
    assert_problem(api.get("/warehouse/warehouses/main/released-shipments"), 401)


def test_an_unknown_token_is_401(api):
    response = api.get("/warehouse/warehouses/main/released-shipments",
                       **bearer("no-such-token"))
    assert_problem(response, 401)


def test_a_customer_token_is_403_even_for_a_valid_customer(api):
    WarehouseFactory()
    response = api.get("/warehouse/warehouses/main/released-shipments",
                       **bearer(token_for(is_staff=False)))
    assert assert_problem(response, 403)["type"].endswith("/permission-denied")


def test_staff_without_fulfilment_permissions_get_403_and_change_nothing(api, quote):
    order = released_order(quote)
    token = token_for(role=MERCHANDISER)
    before = snapshot()

    listed = api.get("/warehouse/warehouses/main/released-shipments", **bearer(token))
    created = api.post("/warehouse/warehouses/main/picklists", {"next_n": 5}, **bearer(token))
    shipped = api.post(f"/warehouse/shipments/{shipment_of(order).public_id}/ship",
                       {"carrier": "UPS", "tracking_number": UPS}, **bearer(token))

    assert assert_problem(listed, 403)["missing_permissions"] == ["orders.view_shipment"]
    assert assert_problem(created, 403)["missing_permissions"] == [
        "orders.change_shipment", "fulfilment.add_picklist"]
    assert assert_problem(shipped, 403)["missing_permissions"] == ["orders.change_shipment"]
    assert snapshot() == before


def test_staff_who_may_only_view_cannot_make_picklists_or_ship(api, quote, warehouse_token):
    order = released_order(quote)
    picklist_of(api, warehouse_token, shipment_of(order))
    token = token_for(permissions=("orders.view_shipment", "fulfilment.view_picklist"))
    before = snapshot()

    assert api.get("/warehouse/warehouses/main/released-shipments",
                   **bearer(token)).status_code == 200
    assert_problem(api.post("/warehouse/warehouses/main/picklists", {"next_n": 1},
                            **bearer(token)), 403)

    response = api.post(f"/warehouse/shipments/{shipment_of(order).public_id}/ship",
                        {"carrier": "UPS", "tracking_number": UPS}, **bearer(token))

    assert_problem(response, 403)
    assert snapshot() == before


# --- released shipments ----------------------------------------------------------------------

def test_released_shipments_lists_only_released_ones_of_that_warehouse(api, quote,
                                                                       warehouse_token):
    released = shipment_of(released_order(quote))
    place(quote)  # InventoryAssigned: not released yet
    WarehouseFactory(code="south", name="South")

    response = api.get("/warehouse/warehouses/main/released-shipments", **bearer(warehouse_token))
    elsewhere = api.get("/warehouse/warehouses/south/released-shipments",
                        **bearer(warehouse_token))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1
    [item] = body["items"]
    assert item["id"] == released.public_id
    assert item["number"] == released.number
    assert item["status"] == "Released"
    assert item["warehouse"] == "main"
    assert item["ship_to"]["street_address_1"] == "Unter den Linden 1"
    assert [(line["sku"], line["quantity"]) for line in item["lines"]] == [
        (line.sku, line.quantity) for line in released.order.lines.order_by("id")]
    assert item["carrier"] == "" and item["shipped_at"] is None
    assert elsewhere.json() == {"items": [], "count": 0}


def test_released_shipments_take_the_same_queries_for_one_shipment_or_many(api, quote,
                                                                           warehouse_token):
    released_order(quote)
    path = "/warehouse/warehouses/main/released-shipments"
    api.get(path, **bearer(warehouse_token))  # the token's last use is noted once a minute
    with CaptureQueriesContext(connection) as one:
        api.get(path, **bearer(warehouse_token))
    released_order(quote)
    released_order(quote)
    with CaptureQueriesContext(connection) as three:
        response = api.get(path, **bearer(warehouse_token))

    assert response.json()["count"] == 3
    assert len(three) == len(one)


def test_an_unknown_warehouse_is_404_problem_json(api, warehouse_token):
    response = api.get("/warehouse/warehouses/nowhere/released-shipments",
                       **bearer(warehouse_token))
    assert_problem(response, 404)


# --- picklists -------------------------------------------------------------------------------

def test_creating_a_picklist_of_chosen_shipments_moves_them_to_packing(api, quote,
                                                                       warehouse_token):
    first, second = (shipment_of(released_order(quote)) for _ in range(2))
    left_out = shipment_of(released_order(quote))

    body = picklist_of(api, warehouse_token, first, second)

    assert body["warehouse"] == "main"
    assert body["shipment_count"] == 2
    assert {s["id"] for s in body["shipments"]} == {first.public_id, second.public_id}
    assert all(s["status"] == "Packing" for s in body["shipments"])
    shirts = next(pick for pick in body["picks"] if pick["sku"] == quote.lines[0].sku)
    assert shirts["quantity"] == 2 * quote.lines[0].quantity
    assert body["unit_count"] == 2 * sum(line.quantity for line in quote.lines)
    statuses = dict(Shipment.objects.values_list("public_id", "status"))
    assert statuses[first.public_id] == statuses[second.public_id] == ShipmentStatus.PACKING
    assert statuses[left_out.public_id] == ShipmentStatus.RELEASED
    assert body["created_by"] == Picklist.objects.get(number=body["number"]).created_by
    assert Event.objects.get(type="PicklistCreated").actor.startswith("api:")


def test_creating_a_picklist_of_the_next_n_takes_the_oldest_released(api, quote,
                                                                     warehouse_token):
    oldest, middle, newest = (shipment_of(released_order(quote)) for _ in range(3))

    response = api.post("/warehouse/warehouses/main/picklists", {"next_n": 2},
                        **bearer(warehouse_token))

    assert response.status_code == 201, response.content
    assert {s["id"] for s in response.json()["shipments"]} == {oldest.public_id,
                                                               middle.public_id}
    newest.refresh_from_db()
    assert newest.status == ShipmentStatus.RELEASED


@pytest.mark.parametrize("payload", [{}, {"next_n": 2, "shipment_ids": ["x"]}, {"next_n": 0},
                                     {"shipment_ids": []}])
def test_a_picklist_needs_either_shipments_or_next_n(api, quote, warehouse_token, payload):
    released_order(quote)
    before = snapshot()

    response = api.post("/warehouse/warehouses/main/picklists", payload,
                        **bearer(warehouse_token))

    assert_problem(response, 422)
    assert snapshot() == before


def test_a_picklist_with_a_shipment_not_released_is_refused_and_changes_nothing(
        api, quote, warehouse_token):
    released = shipment_of(released_order(quote))
    assigned = shipment_of(place(quote))
    before = snapshot()

    response = api.post("/warehouse/warehouses/main/picklists",
                        {"shipment_ids": [released.public_id, assigned.public_id]},
                        **bearer(warehouse_token))

    body = assert_problem(response, 409)
    assert assigned.number in body["detail"]
    assert snapshot() == before


def test_a_picklist_is_shown_by_its_number_and_printed_as_pdf(api, quote, warehouse_token):
    shipment = shipment_of(released_order(quote))
    number = picklist_of(api, warehouse_token, shipment)["number"]

    detail = api.get(f"/warehouse/picklists/{number}", **bearer(warehouse_token))
    printed = api.get(f"/warehouse/picklists/{number}/pdf", **bearer(warehouse_token))

    assert detail.status_code == 200
    assert detail.json()["number"] == number
    assert [s["number"] for s in detail.json()["shipments"]] == [shipment.number]
    assert printed.status_code == 200
    assert printed["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(printed.content)).pages)
    assert number in text and shipment.number in text


def test_a_picklist_takes_the_same_queries_for_one_shipment_or_many(api, quote,
                                                                    warehouse_token):
    small = picklist_of(api, warehouse_token, shipment_of(released_order(quote)))["number"]
    big = picklist_of(api, warehouse_token,
                      *(shipment_of(released_order(quote)) for _ in range(3)))["number"]
    api.get(f"/warehouse/picklists/{small}", **bearer(warehouse_token))
    with CaptureQueriesContext(connection) as one:
        api.get(f"/warehouse/picklists/{small}", **bearer(warehouse_token))
    with CaptureQueriesContext(connection) as three:
        response = api.get(f"/warehouse/picklists/{big}", **bearer(warehouse_token))

    assert response.json()["shipment_count"] == 3
    assert len(three) == len(one)


def test_a_released_shipment_of_an_order_on_hold_shows_the_order_status(api, quote,
                                                                         warehouse_token):
    order = released_order(quote)
    hold_order(public_id=order.public_id, by=STAFF)

    response = api.get("/warehouse/warehouses/main/released-shipments",
                       **bearer(warehouse_token))

    assert [item["order_status"] for item in response.json()["items"]] == ["OnHold"]


def test_an_unknown_picklist_is_404(api, warehouse_token):
    assert_problem(api.get("/warehouse/picklists/PL-999999", **bearer(warehouse_token)), 404)


def test_the_packing_slip_is_a_pdf(api, quote, warehouse_token):
    shipment = shipment_of(released_order(quote))

    response = api.get(f"/warehouse/shipments/{shipment.public_id}/packing-slip",
                       **bearer(warehouse_token))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


# --- shipping --------------------------------------------------------------------------------

def test_shipping_a_packed_shipment_records_carrier_tracking_and_who(api, quote,
                                                                     warehouse_token):
    shipment = shipment_of(released_order(quote))
    picklist_of(api, warehouse_token, shipment)

    response = api.post(f"/warehouse/shipments/{shipment.public_id}/ship",
                        {"carrier": "UPS", "tracking_number": UPS, "weight_grams": 1200},
                        **bearer(warehouse_token))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "Shipped"
    assert (body["carrier"], body["tracking_number"], body["weight_grams"]) == ("UPS", UPS, 1200)
    assert UPS in body["tracking_url"]
    assert body["shipped_at"] is not None
    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.SHIPPED
    shipped = Event.objects.get(type="ShipmentShipped")
    assert shipped.actor.startswith("api:")


def test_a_tracking_number_that_does_not_fit_the_carrier_is_422_and_changes_nothing(
        api, quote, warehouse_token):
    shipment = shipment_of(released_order(quote))
    picklist_of(api, warehouse_token, shipment)
    before = snapshot()

    response = api.post(f"/warehouse/shipments/{shipment.public_id}/ship",
                        {"carrier": "UPS", "tracking_number": UPS_BAD_CHECK_DIGIT},
                        **bearer(warehouse_token))

    assert_problem(response, 422)
    assert snapshot() == before


def test_shipping_a_shipment_not_on_a_picklist_is_409_and_changes_nothing(api, quote,
                                                                          warehouse_token):
    shipment = shipment_of(released_order(quote))
    before = snapshot()

    response = api.post(f"/warehouse/shipments/{shipment.public_id}/ship",
                        {"carrier": "Other Post", "tracking_number": "ABC-123"},
                        **bearer(warehouse_token))

    assert_problem(response, 409)
    assert snapshot() == before


def test_shipping_an_unknown_shipment_is_404(api, warehouse_token):
    response = api.post("/warehouse/shipments/nope/ship",
                        {"carrier": "UPS", "tracking_number": UPS}, **bearer(warehouse_token))
    assert_problem(response, 404)


# --- documentation ---------------------------------------------------------------------------

def test_the_warehouse_endpoints_are_documented_with_bearer_auth(client):
    document = client.get("/api/openapi.json").json()
    paths = document["paths"]
    operation = paths["/api/v1/warehouse/shipments/{public_id}/ship"]["post"]
    assert operation["security"] == [{"StaffAuth": []}]
    assert document["components"]["securitySchemes"]["StaffAuth"]["scheme"] == "bearer"
    assert "orders.change_shipment" in operation["description"]


def test_the_warehouses_are_listed_with_the_codes_the_other_endpoints_take(api, quote,
                                                                           warehouse_token):
    shipment_of(released_order(quote))
    closed = WarehouseFactory(code="closed", is_active=False)

    response = api.get("/warehouse/warehouses", **bearer(warehouse_token))

    assert response.status_code == 200, response.content
    body = response.json()
    codes = [item["code"] for item in body["items"]]
    assert closed.code in codes and body["count"] == len(codes)
    for code in codes:
        assert api.get(f"/warehouse/warehouses/{code}/released-shipments",
                       **bearer(warehouse_token)).status_code == 200


def test_listing_warehouses_needs_the_shipment_viewing_permission(api):
    response = api.get("/warehouse/warehouses", **bearer(token_for(role=None)))

    assert_problem(response, 403)
