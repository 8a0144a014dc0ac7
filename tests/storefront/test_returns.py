"""Return pages: a customer starts a return from their order page, a guest after the order
lookup; both follow the return's status and print its instructions once approved."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mercato.core.events import Actor
from mercato.core.models import Event
from mercato.orders.models import Order, Shipment
from mercato.orders.services import mark_shipment_shipped, pack_shipments, release_shipment
from mercato.orders.states import ShipmentStatus
from mercato.returns.models import ReturnRequest
from mercato.returns.services import approve_return
from tests.factories import ProductVariantFactory, UserFactory, VariantPriceFactory
from tests.orders.builders import make_quote, place

pytestmark = pytest.mark.django_db
STAFF = Actor("staff", "cs@example.com")


@pytest.fixture
def customer(client):
    customer = UserFactory(email="ada@example.com")
    client.force_login(customer)
    return customer


def ship(order: Order) -> Order:
    for shipment in order.shipments.order_by("pk"):
        if shipment.status == ShipmentStatus.INVENTORY_ASSIGNED:
            release_shipment(public_id=shipment.public_id, by=STAFF)
        pack_shipments(public_ids=[shipment.public_id], by=STAFF, reference="PL-1")
        mark_shipment_shipped(public_id=shipment.public_id, carrier="DHL",
                              tracking_number="JD0146", tracking_url="", weight_grams=900,
                              by=STAFF)
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def shipped(customer):
    """Ada's order, shipped: 2 shirts (Red / M) and a mug."""
    quote = make_quote()
    return ship(place(quote, customer_id=customer.pk))


def line_ids(order: Order) -> tuple[int, int]:
    shirt, mug = order.lines.order_by("pk")
    return shirt.pk, mug.pk


def return_fields(line_id: int, quantity: int, reason: str = "changed_mind",
                  resolution: str = "refund", exchange: int | None = None) -> dict:
    fields = {f"quantity-{line_id}": quantity, f"reason-{line_id}": reason,
              f"resolution-{line_id}": resolution, f"note-{line_id}": ""}
    if exchange is not None:
        fields[f"exchange-{line_id}"] = exchange
    return fields


# --- a customer's return -----------------------------------------------------------------------

def test_the_order_page_links_to_the_return_form_once_shipped(client, customer):
    order = place(make_quote(), customer_id=customer.pk)
    assert "Return items" not in client.get(f"/account/orders/{order.number}/").content.decode()

    ship(order)

    page = client.get(f"/account/orders/{order.number}/").content.decode()
    assert f'href="/account/orders/{order.number}/return/"' in page


def test_the_form_offers_each_shipped_line_up_to_its_quantity(client, shipped):
    shirt, _mug = line_ids(shipped)
    response = client.get(f"/account/orders/{shipped.number}/return/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Up to 2 can be returned." in page and "Up to 1 can be returned." in page
    assert f'<label for="id_quantity-{shirt}">Quantity to return</label>' in page
    assert "Request return" in page and "csrfmiddlewaretoken" in page


def test_a_customer_requests_a_refund_of_part_of_a_line(client, shipped):
    shirt, _ = line_ids(shipped)

    response = client.post(f"/account/orders/{shipped.number}/return/",
                           return_fields(shirt, 1))

    ret = ReturnRequest.objects.get(order=shipped)
    assert response.status_code == 302
    assert response["Location"] == f"/account/returns/{ret.rma}/"
    assert ret.status == "Requested"
    assert list(ret.lines.values_list("order_line_id", "quantity", "resolution")) == \
        [(shirt, 1, "refund")]
    page = client.get(response["Location"]).content.decode()
    assert f"Your return {ret.rma} is requested." in page
    assert "Requested" in page and "Changed my mind" in page
    assert "return instructions (PDF)" not in page


def test_returned_units_are_no_longer_offered(client, shipped):
    shirt, _mug = line_ids(shipped)
    client.post(f"/account/orders/{shipped.number}/return/", return_fields(shirt, 1))

    page = client.get(f"/account/orders/{shipped.number}/return/").content.decode()
    assert "Up to 1 can be returned." in page and "Up to 2" not in page

    response = client.post(f"/account/orders/{shipped.number}/return/",
                           return_fields(shirt, 2))
    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    assert ReturnRequest.objects.count() == 1


def test_a_return_needs_a_reason_and_a_quantity(client, shipped):
    shirt, _ = line_ids(shipped)
    events = Event.objects.count()

    no_reason = client.post(f"/account/orders/{shipped.number}/return/",
                            return_fields(shirt, 1, reason=""))
    nothing = client.post(f"/account/orders/{shipped.number}/return/", return_fields(shirt, 0))

    assert "Choose a reason." in no_reason.content.decode()
    assert "Choose how many of at least one item to return." in nothing.content.decode()
    assert not ReturnRequest.objects.exists() and Event.objects.count() == events


def test_an_exchange_names_the_variant_wanted(client, shipped):
    shirt, _ = line_ids(shipped)
    old = variants_of_order(shipped)[0]
    other = ProductVariantFactory(product=old.product, name="Blue / M")
    VariantPriceFactory(variant=other, currency="EUR", amount=Decimal("19.90"))

    form = client.get(f"/account/orders/{shipped.number}/return/").content.decode()
    assert "Exchange for" in form and "Blue / M" in form
    missing = client.post(f"/account/orders/{shipped.number}/return/",
                          return_fields(shirt, 1, resolution="exchange"))
    assert "Choose the variant you want instead." in missing.content.decode()

    response = client.post(f"/account/orders/{shipped.number}/return/",
                           return_fields(shirt, 1, resolution="exchange", exchange=other.pk))
    assert response.status_code == 302
    line = ReturnRequest.objects.get().lines.get()
    assert (line.resolution, line.exchange_variant_id) == ("exchange", other.pk)
    assert "Exchange for Blue / M" in client.get(response["Location"]).content.decode()


def test_the_services_refusal_is_shown_on_the_form(client, shipped, monkeypatch):
    """What request_return refuses (here: stock of the variant gone meanwhile, as a service
    would say) shows on the form, on the line it names; nothing is created."""
    from mercato.returns.errors import InvalidReturn
    from mercato.storefront.views import returns as views

    shirt, _ = line_ids(shipped)
    old = variants_of_order(shipped)[0]
    other = ProductVariantFactory(product=old.product, name="Silk / M")
    VariantPriceFactory(variant=other, currency="EUR", amount=Decimal("19.90"))

    def refuse(**_):
        raise InvalidReturn("This variant cannot be ordered as a replacement.",
                            errors={"exchange_variant_id": ["Not available."]},
                            order_line_id=shipped.lines.get(pk=shirt).public_id)

    monkeypatch.setattr(views, "request_return", refuse)
    response = client.post(f"/account/orders/{shipped.number}/return/",
                           return_fields(shirt, 1, resolution="exchange", exchange=other.pk))

    assert response.status_code == 200
    page = response.content.decode()
    assert "cannot be ordered as a replacement" in page and "Not available." in page
    assert not ReturnRequest.objects.exists()


def test_nothing_is_offered_outside_the_window_or_before_shipping(client, customer, settings):
    quote = make_quote()
    unshipped = place(quote, customer_id=customer.pk)
    page = client.get(f"/account/orders/{unshipped.number}/return/").content.decode()
    assert "Nothing in this order can be returned now" in page

    old = ship(place(quote, customer_id=customer.pk))
    Shipment.objects.filter(order=old).update(
        shipped_at=old.shipments.get().shipped_at - timedelta(days=31))
    settings.MERCATO_RETURN_WINDOW_DAYS = 30
    page = client.get(f"/account/orders/{old.number}/return/").content.decode()
    assert "Nothing in this order can be returned now" in page
    assert "within 30 days" in page


def test_another_customers_order_and_return_are_not_found(client, customer):
    theirs = ship(place(make_quote(), customer_id=UserFactory().pk))
    other = Client()
    other.force_login(theirs.customer)
    shirt, _ = line_ids(theirs)
    other.post(f"/account/orders/{theirs.number}/return/", return_fields(shirt, 1))
    ret = ReturnRequest.objects.get()

    assert client.get(f"/account/orders/{theirs.number}/return/").status_code == 404
    assert client.post(f"/account/orders/{theirs.number}/return/",
                       return_fields(shirt, 1)).status_code == 404
    assert client.get(f"/account/returns/{ret.rma}/").status_code == 404
    assert client.get(f"/account/returns/{ret.rma}/instructions/").status_code == 404
    assert ret.rma not in client.get("/account/returns/").content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = Client().get("/account/returns/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/?next=")


def test_the_returns_list_and_the_approved_returns_instructions(client, shipped):
    shirt, _mug = line_ids(shipped)
    client.post(f"/account/orders/{shipped.number}/return/", return_fields(shirt, 1))
    ret = ReturnRequest.objects.get()
    assert client.get(f"/account/returns/{ret.rma}/instructions/").status_code == 404

    approve_return(rma=ret.rma, by=STAFF)

    listing = client.get("/account/returns/").content.decode()
    assert ret.rma in listing and "Approved: send the items back" in listing
    page = client.get(f"/account/returns/{ret.rma}/").content.decode()
    assert f'href="/account/returns/{ret.rma}/instructions/"' in page
    pdf = client.get(f"/account/returns/{ret.rma}/instructions/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_the_pages_make_a_bounded_number_of_queries(client, shipped):
    """The same few queries whatever the number of lines and returns."""
    shirt, mug = line_ids(shipped)
    client.post(f"/account/orders/{shipped.number}/return/", return_fields(shirt, 1))
    client.post(f"/account/orders/{shipped.number}/return/",
                return_fields(shirt, 1) | return_fields(mug, 1))
    rma = ReturnRequest.objects.order_by("pk").last().rma
    for path, most in ((f"/account/orders/{shipped.number}/return/", 16),
                       ("/account/returns/", 5), (f"/account/returns/{rma}/", 8)):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        assert len(queries) <= most, (path, len(queries))


# --- a guest's return --------------------------------------------------------------------------

@pytest.fixture
def guest_order(db) -> Order:
    return ship(place(make_quote(), email="grace@example.com"))


def test_a_guest_returns_items_after_the_lookup(guest_order):
    guest = Client()
    looked_up = guest.post("/orders/lookup/", {"number": guest_order.number,
                                               "email": "grace@example.com"}).content.decode()
    assert 'action="/orders/lookup/return/"' in looked_up

    start = guest.post("/orders/lookup/return/", {"number": guest_order.number,
                                                  "email": "GRACE@example.com"})
    assert start["Location"] == f"/orders/{guest_order.number}/return/"
    _shirt, mug = line_ids(guest_order)
    response = guest.post(start["Location"], return_fields(mug, 1, reason="faulty"))

    ret = ReturnRequest.objects.get()
    assert response["Location"] == f"/orders/returns/{ret.rma}/"
    assert ret.lines.get().order_line_id == mug
    page = guest.get(response["Location"]).content.decode()
    assert ret.rma in page and "Faulty or damaged" in page
    approve_return(rma=ret.rma, by=STAFF)
    assert guest.get(f"/orders/returns/{ret.rma}/instructions/")["Content-Type"] == \
        "application/pdf"
    assert ret.rma in guest.get(start["Location"]).content.decode()


def test_a_guest_must_prove_the_order_first(guest_order):
    stranger = Client()
    assert stranger.get(f"/orders/{guest_order.number}/return/")["Location"] == \
        "/orders/lookup/"
    wrong = stranger.post("/orders/lookup/return/", {"number": guest_order.number,
                                                     "email": "eve@example.com"})
    assert wrong["Location"] == "/orders/lookup/"
    shirt, _ = line_ids(guest_order)
    stranger.post(f"/orders/{guest_order.number}/return/", return_fields(shirt, 1))
    assert not ReturnRequest.objects.exists()

    owner = Client()
    owner.post("/orders/lookup/return/", {"number": guest_order.number,
                                          "email": "grace@example.com"})
    owner.post(f"/orders/{guest_order.number}/return/", return_fields(shirt, 1))
    rma = ReturnRequest.objects.get().rma
    assert stranger.get(f"/orders/returns/{rma}/").status_code == 404


def variants_of_order(order: Order) -> list:
    return [line.variant for line in order.lines.order_by("pk").select_related("variant__product")]
