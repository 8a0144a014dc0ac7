"""The address step's choices with Django's test client (issue 12): the delivery method picked
beside the address sticks through every redraw and reaches the order; the billing address is
the shipping address unless the shopper gives another (checked like it, same messages); a
customer's default shipping and billing addresses are preselected."""
# ruff: noqa: F811 - the fixtures imported from test_checkout are parameters here

import re

import pytest
from django.test import Client

from mercato.orders.models import Order
from tests.checkout.conftest import BERLIN, HAMBURG
from tests.factories import AddressFactory, UserFactory
from tests.storefront.test_checkout import (  # noqa: F401 (fixtures)
    GUEST_EMAIL,
    HTMX,
    guest,
    hidden,
    pay,
    placed_number,
    review_and_place,
    shirt,
    shop,
    socks,
)

pytestmark = pytest.mark.django_db
SAME = {"billing-same_as_shipping": "on"}


def billing(address: dict) -> dict:
    """The billing section as the browser posts it (the "same" box unticked)."""
    return {f"billing-{name}": value for name, value in address.items()}


def empty_billing() -> dict:
    """The billing section as the browser posts it with the box ticked: empty fields too."""
    return SAME | billing(dict.fromkeys(BERLIN, ""))


def checked_radio(page: str, name: str) -> str:
    match = re.search(rf'<input type="radio"[^>]*name="{name}" value="([^"]*)"[^>]*checked', page)
    return match[1] if match else ""


def order_addresses(order: Order) -> dict[str, str]:
    return {address.kind: address.city for address in order.addresses.all()}


def place_cash_order(client: Client, method: str) -> Order:
    response = client.post("/checkout/delivery/", {"action": "continue", "method_0": method})
    assert response["Location"] == "/checkout/payment/"
    pay(client, method="cash_on_delivery")
    placed_number(review_and_place(client)[0])
    return Order.objects.get()


# --- the delivery method picked beside the address ----------------------------------------------

def test_method_picked_beside_a_rejected_address_is_kept_and_reaches_the_order(guest):
    guest.post("/checkout/", {"email": GUEST_EMAIL})

    rejected = guest.post("/checkout/address/", BERLIN | empty_billing()
                          | {"postal_code": "1", "delivery_method": "express"})

    assert rejected.status_code == 200
    assert hidden(rejected, "delivery_method") == "express"  # the page shown again carries it
    redrawn = guest.post("/checkout/delivery-options/", BERLIN | {"delivery_method": "express"},
                         headers=HTMX)
    assert checked_radio(redrawn.content.decode(), "delivery_method") == "express"
    fixed = guest.post("/checkout/address/", BERLIN | empty_billing()
                       | {"delivery_method": hidden(rejected, "delivery_method")})
    assert fixed["Location"] == "/checkout/delivery/"
    delivery = guest.get("/checkout/delivery/").content.decode()
    assert checked_radio(delivery, "method_0") == "express"

    order = place_cash_order(guest, checked_radio(delivery, "method_0"))

    assert [s.delivery_method_code for s in order.shipments.all()] == ["express"]


def test_address_page_shown_again_later_carries_the_chosen_method(guest):
    guest.post("/checkout/", {"email": GUEST_EMAIL})
    guest.post("/checkout/address/", BERLIN | {"delivery_method": "express"})

    again = guest.get("/checkout/address/")

    assert hidden(again, "delivery_method") == "express"


def test_delivery_step_shown_again_with_an_error_keeps_the_methods_just_picked(guest, shirt):
    guest.post("/checkout/", {"email": GUEST_EMAIL})
    guest.post("/checkout/address/", BERLIN | {"delivery_method": "standard"})
    guest.post("/checkout/delivery/", {
        "action": "split", f"split-qty_{shirt.sku}": "1",
        **{f"split-{name}": value for name, value in HAMBURG.items()}})

    response = guest.post("/checkout/delivery/", {"action": "continue", "method_0": "express"})

    page = response.content.decode()
    assert "Choose a delivery method for every shipment." in page
    assert checked_radio(page, "method_0") == "express"


# --- the billing address ------------------------------------------------------------------------

def test_billing_address_is_the_shipping_address_by_default(guest):
    guest.post("/checkout/", {"email": GUEST_EMAIL})

    page = guest.get("/checkout/address/").content.decode()

    assert re.search(r'<input type="checkbox" name="billing-same_as_shipping"[^>]*checked', page)
    assert ">Billing address same as shipping address</label>" in page
    assert ">Billing first name</label>" in page  # shown without JavaScript, not twice "First name"
    assert "onclick" not in page and "<script>" not in page
    guest.post("/checkout/address/", BERLIN | empty_billing())
    order = place_cash_order(guest, "standard")
    assert order_addresses(order) == {"shipping": "BERLIN", "billing": "BERLIN"}


def test_a_separate_billing_address_reaches_the_review_and_the_order(guest):
    guest.post("/checkout/", {"email": GUEST_EMAIL})

    response = guest.post("/checkout/address/", BERLIN | billing(HAMBURG))

    assert response["Location"] == "/checkout/delivery/"
    guest.post("/checkout/delivery/", {"action": "continue", "method_0": "standard"})
    pay(guest, method="cash_on_delivery")
    review = guest.get("/checkout/review/").content.decode()
    billing_part = review[review.index('id="billing-heading"'):]
    assert "Jungfernstieg 7" in billing_part and "Unter den Linden 1" not in billing_part
    number = placed_number(review_and_place(guest)[0])
    order = Order.objects.get()
    assert order_addresses(order) == {"shipping": "BERLIN", "billing": "HAMBURG"}
    assert "Jungfernstieg 7" in guest.get(f"/checkout/done/{number}/").content.decode()


def test_a_bad_billing_address_is_shown_by_field_with_the_same_messages_and_keeps_nothing(
        guest):
    guest.post("/checkout/", {"email": GUEST_EMAIL})
    bad = HAMBURG | {"postal_code": "1", "last_name": ""}
    as_shipping = guest.post("/checkout/address/", bad).context["form"].errors

    response = guest.post("/checkout/address/", BERLIN | billing(bad))

    assert response.status_code == 200
    errors = response.context["billing_form"].errors
    assert errors["last_name"] == as_shipping["last_name"] == ["This field is required."]
    assert errors["postal_code"] == as_shipping["postal_code"]
    assert not response.context["form"].errors.get("postal_code")  # the shipping one is fine
    page = response.content.decode()
    assert 'id="id_billing-postal_code-error"' in page
    assert "Please correct the addresses." in page
    assert guest.get("/checkout/delivery/")["Location"] == "/checkout/address/"  # nothing kept
    assert not Order.objects.exists()


def test_ticked_same_as_shipping_ignores_the_billing_fields(guest):
    guest.post("/checkout/", {"email": GUEST_EMAIL})

    response = guest.post("/checkout/address/", BERLIN | SAME | billing({"postal_code": "1"}))

    assert response["Location"] == "/checkout/delivery/"
    assert order_addresses(place_cash_order(guest, "standard"))["billing"] == "BERLIN"


# --- a customer's default addresses --------------------------------------------------------------

def customer_with_book(shirt, *, billing_is_shipping: bool = False) -> tuple[Client, list]:
    """A customer with a cart and three addresses: the second is the default shipping address,
    the third the default billing address (or the second is both)."""
    customer = UserFactory(email="ada@example.com")
    first = AddressFactory(customer=customer, street_address_1="Erste Straße 1")
    shipping = AddressFactory(customer=customer, street_address_1="Jungfernstieg 7",
                              city="HAMBURG", postal_code="20354", is_default_shipping=True,
                              is_default_billing=billing_is_shipping)
    bill = AddressFactory(customer=customer, street_address_1="Marienplatz 1", city="MÜNCHEN",
                          postal_code="80331", is_default_billing=not billing_is_shipping)
    client = Client()
    client.force_login(customer)
    client.post("/cart/add/", {"sku": shirt.sku, "quantity": 1})
    return client, [first, shipping, bill]


def test_a_customers_default_shipping_and_billing_addresses_are_preselected(shirt):
    client, (_, shipping, bill) = customer_with_book(shirt)

    page = client.get("/checkout/address/").content.decode()

    assert checked_radio(page, "address_id") == shipping.public_id
    assert not re.search(r'name="billing-same_as_shipping"[^>]*checked', page)
    assert re.search(rf'<option value="{bill.public_id}" selected>', page)
    client.post("/checkout/address/", {"address_id": shipping.public_id,
                                       "billing-address_id": bill.public_id})
    order = place_cash_order(client, "standard")
    assert order_addresses(order) == {"shipping": "HAMBURG", "billing": "MÜNCHEN"}


def test_a_customer_billed_where_they_ship_has_same_as_shipping_ticked(shirt):
    client, (_, shipping, _) = customer_with_book(shirt, billing_is_shipping=True)

    page = client.get("/checkout/address/").content.decode()

    assert checked_radio(page, "address_id") == shipping.public_id
    assert re.search(r'name="billing-same_as_shipping"[^>]*checked', page)
