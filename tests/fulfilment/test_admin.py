"""Back office > Order Management > Shipping/Receiving: Released for Shipping, Picklists,
Shipped; each button through a service, recorded with the staff member; refusals change
nothing."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from mercato.core.events import Actor
from mercato.core.models import Event
from mercato.fulfilment.models import Picklist
from mercato.fulfilment.services import create_picklist
from mercato.inventory.models import Stock
from mercato.orders.models import Order, Shipment
from mercato.orders.services import release_shipment
from mercato.orders.states import ShipmentStatus
from mercato.payments.models import Payment
from tests.factories import UserFactory
from tests.orders.builders import make_quote, place
from tests.orders.test_admin import pay
from tests.outbox import deliver_all

pytestmark = pytest.mark.django_db

BOSS = "boss@example.com"
STAFF = Actor("staff", "lead@example.com")
UPS = "1Z5R89390357567127"
UPS_BAD_CHECK_DIGIT = "1Z5R89390357567128"
CHANGELIST = "admin:orders_shipment_changelist"


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(email=BOSS, is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def quote():
    return make_quote(on_hand=100)


def released(quote) -> Shipment:
    order = place(quote)
    pay(order)
    shipment = order.shipments.get()
    return release_shipment(public_id=shipment.public_id, by=STAFF)


def packing(quote) -> Shipment:
    shipment = released(quote)
    create_picklist(warehouse_id=shipment.warehouse_id, shipment_ids=[shipment.public_id],
                    by=STAFF)
    shipment.refresh_from_db()
    return shipment


def page(shipment: Shipment) -> str:
    return reverse("admin:orders_shipment_change", args=[shipment.pk])


def listed(response) -> list[str]:
    return [shipment.number for shipment in response.context["cl"].result_list]


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def snapshot() -> tuple:
    return (list(Shipment.objects.order_by("pk").values_list("status", "carrier")),
            list(Order.objects.order_by("pk").values_list("status", flat=True)),
            list(Payment.objects.order_by("pk").values_list("status", flat=True)),
            Picklist.objects.count(), Event.objects.count(),
            list(Stock.objects.order_by("pk").values_list("on_hand", "allocated")))


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)


# --- lists --------------------------------------------------------------------------------------

def test_released_for_shipping_lists_released_shipments_with_counts(staff_client, quote):
    waiting = place(quote).shipments.get()
    ready = released(quote)

    response = staff_client.get(reverse(CHANGELIST), {"status__exact": "Released"})

    assert response.status_code == 200
    assert listed(response) == [ready.number]
    html = response.content.decode()
    assert "Released for shipping (1)" in html and "Inventory Assigned (1)" in html
    assert response.context["title"] == "Released for Shipping"
    everything = staff_client.get(reverse(CHANGELIST))
    assert set(listed(everything)) == {waiting.number, ready.number}


def test_shipped_list_shows_carrier_and_tracking_link(staff_client, quote):
    shipment = packing(quote)
    staff_client.post(reverse("admin:orders_shipment_ship", args=[shipment.pk]),
                      {"carrier": "UPS", "tracking_number": UPS, "weight_grams": "1200"})

    response = staff_client.get(reverse(CHANGELIST), {"status__exact": "Shipped"})

    assert listed(response) == [shipment.number]
    assert UPS in response.content.decode() and "ups.com" in response.content.decode()


def test_the_section_links_to_the_named_lists(staff_client):
    response = staff_client.get(reverse("admin:index"))

    section = next(app for app in response.context["app_list"]
                   if app["name"] == "Order Management")
    entries = {model["name"]: model["admin_url"] for model in section["models"]}
    assert entries["Released for Shipping"] == (reverse(CHANGELIST)
                                                + "?status__exact=Released")
    assert entries["Shipped"] == reverse(CHANGELIST) + "?status__exact=Shipped"
    assert entries["Picklists"] == reverse("admin:fulfilment_picklist_changelist")


# --- the shipment page and its buttons ----------------------------------------------------------

def test_shipment_page_shows_lines_history_and_the_allowed_buttons(staff_client, quote):
    shipment = released(quote)

    response = staff_client.get(page(shipment))

    assert response.status_code == 200
    html = response.content.decode()
    assert shipment.number in html and shipment.order.number in html
    labels = [item["action"].label for item in response.context["shipment_actions"]]
    assert labels == ["Hold shipment", "Cancel shipment"]
    assert response.context["can_pick"] and response.context["ship_form"] is None
    assert "ShipmentReleased" in [row["event"].type for row in response.context["history_rows"]]


def test_release_hold_and_release_hold_record_the_staff_member(staff_client, quote):
    shipment = place(quote).shipments.get()

    for action in ("release", "hold", "release_hold"):
        response = staff_client.post(reverse("admin:orders_shipment_act",
                                             args=[shipment.pk, action]),
                                     {"reason": "address check"}, follow=True)
        assert response.status_code == 200

    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.INVENTORY_ASSIGNED
    actors = set(Event.objects.filter(payload__shipment_id=shipment.public_id)
                 .exclude(type="ShipmentCreated").values_list("actor", flat=True))
    assert actors == {f"staff:{BOSS}"}


def test_a_refused_move_shows_its_message_and_changes_nothing(staff_client, quote):
    shipment = place(quote).shipments.get()
    before = snapshot()

    response = staff_client.post(reverse("admin:orders_shipment_act",
                                         args=[shipment.pk, "release_hold"]), follow=True)

    assert snapshot() == before
    assert any("Cannot" in text or "not" in text for text in shown_messages(response))


def test_add_to_picklist_moves_chosen_shipments_to_packing(staff_client, quote):
    first, second = released(quote), released(quote)

    response = staff_client.post(reverse(CHANGELIST), {
        "action": "add_to_picklist", "_selected_action": [first.pk, second.pk]}, follow=True)

    picklist = Picklist.objects.get()
    assert response.redirect_chain[-1][0] == reverse("admin:fulfilment_picklist_change",
                                                     args=[picklist.pk])
    assert set(Shipment.objects.values_list("status", flat=True)) == {ShipmentStatus.PACKING}
    assert Event.objects.get(type="PicklistCreated").actor == f"staff:{BOSS}"


def test_add_to_picklist_refuses_a_shipment_not_released(staff_client, quote):
    ready, waiting = released(quote), place(quote).shipments.get()
    before = snapshot()

    response = staff_client.post(reverse(CHANGELIST), {
        "action": "add_to_picklist", "_selected_action": [ready.pk, waiting.pk]}, follow=True)

    assert snapshot() == before
    assert shown_messages(response)


def test_ship_with_a_valid_tracking_number_captures_and_records(staff_client, quote):
    shipment = packing(quote)

    response = staff_client.post(reverse("admin:orders_shipment_ship", args=[shipment.pk]),
                                 {"carrier": "ups", "tracking_number": UPS,
                                  "weight_grams": "800"}, follow=True)

    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.SHIPPED
    assert (shipment.carrier, shipment.tracking_number, shipment.weight_grams) == \
        ("UPS", UPS, 800)
    assert Event.objects.get(type="ShipmentShipped").actor == f"staff:{BOSS}"
    deliver_all()  # the worker captures
    assert Payment.objects.get(reference=shipment.order.number).status == "Captured"
    assert f"Shipment {shipment.number} is shipped." in shown_messages(response)


def test_ship_with_a_bad_tracking_number_changes_nothing(staff_client, quote):
    shipment = packing(quote)
    before = snapshot()

    response = staff_client.post(reverse("admin:orders_shipment_ship", args=[shipment.pk]),
                                 {"carrier": "UPS", "tracking_number": UPS_BAD_CHECK_DIGIT},
                                 follow=True)

    assert snapshot() == before
    assert shown_messages(response)


def test_ship_form_shows_only_while_packing(staff_client, quote):
    shipment = packing(quote)

    response = staff_client.get(page(shipment))

    assert response.context["ship_form"] is not None
    assert b'id="ship-form"' in response.content


def test_cancel_shipment_from_its_page_cancels_the_order_and_releases_stock(staff_client,
                                                                           quote):
    shipment = released(quote)

    staff_client.post(reverse("admin:orders_shipment_act", args=[shipment.pk, "cancel"]),
                      {"reason": "customer asked"})

    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.CANCELLED
    assert shipment.order.status == "Cancelled"
    assert set(Stock.objects.values_list("allocated", flat=True)) == {0}


def test_packing_slip_prints_as_pdf(staff_client, quote):
    shipment = released(quote)

    text = pdf_text(staff_client.get(reverse("admin:orders_shipment_packing_slip",
                                             args=[shipment.pk])))

    assert shipment.order.number in text and "Lovelace" in text


# --- picklists ----------------------------------------------------------------------------------

def test_create_picklist_takes_the_next_n_released_of_a_warehouse(staff_client, quote):
    first, second, third = released(quote), released(quote), released(quote)

    response = staff_client.post(reverse("admin:fulfilment_picklist_add"),
                                 {"warehouse": first.warehouse_id, "next_n": 2}, follow=True)

    picklist = Picklist.objects.get()
    assert response.redirect_chain[-1][0] == reverse("admin:fulfilment_picklist_change",
                                                     args=[picklist.pk])
    statuses = dict(Shipment.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "Packing", second.pk: "Packing", third.pk: "Released"}


def test_create_picklist_form_shows_waiting_counts_and_refuses_when_nothing_is_released(
        staff_client, quote):
    shipment = place(quote).shipments.get()
    form = staff_client.get(reverse("admin:fulfilment_picklist_add"))
    assert form.status_code == 200 and b"No shipment is released" in form.content
    before = snapshot()

    response = staff_client.post(reverse("admin:fulfilment_picklist_add"),
                                 {"warehouse": shipment.warehouse_id, "next_n": 5})

    assert response.status_code == 200
    assert snapshot() == before
    assert shown_messages(response)


def test_picklist_page_lists_what_to_pick_and_prints(staff_client, quote):
    shipment = packing(quote)
    picklist = Picklist.objects.get()

    response = staff_client.get(reverse("admin:fulfilment_picklist_change", args=[picklist.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert shipment.number in html and picklist.number in html
    assert "PicklistCreated" in html
    text = pdf_text(staff_client.get(reverse("admin:fulfilment_picklist_pdf",
                                             args=[picklist.pk])))
    assert picklist.number in text and shipment.number in text


def test_picklists_list_counts_shipments_and_units(staff_client, quote):
    packing(quote)

    response = staff_client.get(reverse("admin:fulfilment_picklist_changelist"))

    picklist = response.context["cl"].result_list[0]
    assert (picklist.shipment_count, picklist.units) == (1, 3)


# --- the order page's shipment buttons ----------------------------------------------------------

def test_order_page_offers_shipment_buttons_and_packing_slip(staff_client, quote):
    order = place(quote)
    shipment = order.shipments.get()
    url = reverse("admin:orders_order_change", args=[order.pk])

    response = staff_client.get(url)
    row = response.context["shipment_rows"][0]
    assert [item["action"].name for item in row["actions"]] == ["release", "hold", "cancel"]
    assert row["packing_slip_url"] == reverse("admin:orders_shipment_packing_slip",
                                              args=[shipment.pk])

    staff_client.post(reverse("admin:orders_order_shipment_act",
                              args=[order.pk, shipment.pk, "release"]))

    shipment.refresh_from_db()
    assert shipment.status == ShipmentStatus.RELEASED
    history = staff_client.get(url).context["history_rows"]
    assert any(row["event"].type == "ShipmentReleased" for row in history)


def test_order_page_shipment_button_of_another_order_is_not_found(staff_client, quote):
    order, other = place(quote), place(quote)

    response = staff_client.post(reverse("admin:orders_order_shipment_act",
                                         args=[order.pk, other.shipments.get().pk, "release"]))

    assert response.status_code == 404


@pytest.mark.parametrize("url", [CHANGELIST, "admin:fulfilment_picklist_changelist"])
def test_lists_take_the_same_queries_for_one_row_or_many(staff_client, quote, url):
    packing(quote)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(reverse(url)).status_code == 200
        return len(captured)

    one = queries()
    for _ in range(3):
        packing(quote)

    assert queries() == one
