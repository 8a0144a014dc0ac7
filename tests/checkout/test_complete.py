"""Completing a checkout: one order per Idempotency-Key, stock allocated, payment authorized."""

import pytest
from django.test import override_settings

from mercato.cart.models import Cart
from mercato.checkout.models import CheckoutAttempt
from mercato.core.models import Event
from mercato.inventory.models import Stock
from mercato.orders.models import Order, Shipment
from mercato.payments.models import Payment, Transaction
from tests.checkout.conftest import BERLIN, new_key, order_request
from tests.outbox import deliver_all

pytestmark = pytest.mark.django_db


def allocated(variant) -> int:
    return sum(Stock.objects.filter(variant=variant).values_list("allocated", flat=True))


def test_a_guest_places_an_order_paid_by_card(cart, checkout, shirt, socks):
    response = checkout(cart, order_request(), key=new_key())

    assert response.status_code == 201, response.content
    body = response.json()
    order = Order.objects.get()
    assert body["number"] == order.number == "MRC-100001"
    assert body["status"] == order.status == "InProgress"
    assert str(order.total) == "54.4000" and order.email == "ada@example.com"
    assert [(line.sku, line.quantity) for line in order.lines.all()] == [
        (shirt.sku, 2), (socks.sku, 1)]
    assert (allocated(shirt), allocated(socks)) == (2, 1)
    payment = Payment.objects.get()
    assert (payment.reference, payment.status, payment.method) == (
        order.number, "Authorized", "card")
    assert Cart.objects.get(token=cart).status == "Converted"
    shipment = Shipment.objects.get()
    assert (shipment.status, shipment.city, shipment.delivery_method_code) == (
        "InventoryAssigned", "BERLIN", "standard")
    types = set(Event.objects.values_list("type", flat=True))
    assert {"OrderPlaced", "CartConverted", "CheckoutCompleted", "StockAllocated"} <= types


def test_the_same_key_and_request_returns_the_same_order_and_charges_once(cart, checkout):
    key, request = new_key(), order_request()
    first = checkout(cart, request, key=key)
    again = checkout(cart, request, key=key)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]
    assert Order.objects.count() == 1
    assert Transaction.objects.filter(kind="authorize").count() == 1


def test_the_same_key_with_another_request_is_refused(cart, checkout):
    key = new_key()
    assert checkout(cart, order_request(), key=key).status_code == 201

    response = checkout(cart, order_request(email="other@example.com"), key=key)

    assert response.status_code == 422
    assert response.json()["type"].endswith("/idempotency-key-reused")
    assert Order.objects.count() == 1


def test_without_a_key_nothing_happens(cart, checkout):
    response = checkout(cart, order_request())

    assert response.status_code == 422
    assert response.json()["type"].endswith("/invalid-input")
    assert list(response.json()["errors"]) == ["Idempotency-Key"]
    assert not Order.objects.exists() and not Payment.objects.exists()


def test_a_second_key_for_an_ordered_cart_finds_no_cart(cart, checkout):
    assert checkout(cart, order_request(), key=new_key()).status_code == 201

    response = checkout(cart, order_request(), key=new_key())

    assert response.status_code == 404
    assert Order.objects.count() == 1


def test_a_key_being_processed_answers_409(cart, checkout):
    key, request = new_key(), order_request()
    assert checkout(cart, request, key=key).status_code == 201
    attempt = CheckoutAttempt.objects.get()
    CheckoutAttempt.objects.filter(pk=attempt.pk).update(status="Processing", order=None)
    attempt.lease_until = attempt.lease_until.replace(year=2999)
    attempt.save(update_fields=["lease_until"])

    response = checkout(cart, request, key=key)

    assert response.status_code == 409
    assert response.json()["type"].endswith("/checkout-in-progress")


@override_settings(MERCATO_CAPTURE_MODE="order")
def test_capture_at_order_placement_when_the_shop_says_so(cart, checkout):
    response = checkout(cart, order_request(), key=new_key())

    assert response.status_code == 201
    assert Payment.objects.get().status == "Authorized"  # the request calls no more gateways
    deliver_all()  # OrderPlaced reaches checkout.handlers.capture_placed_order
    assert Payment.objects.get().status == "Captured"


def test_cash_on_delivery_leaves_the_payment_pending(cart, checkout):
    response = checkout(cart, order_request(payments=[{"method": "cash_on_delivery"}]),
                        key=new_key())

    assert response.status_code == 201, response.content
    payment = Payment.objects.get()
    assert (payment.method, payment.status) == ("cash_on_delivery", "Pending")
    assert not payment.transactions.exists()


def test_a_logged_in_customer_uses_a_saved_address_and_saves_a_new_one(api, shop, shirt):
    from tests.checkout.conftest import HAMBURG, card_token
    from tests.factories import AddressFactory, UserFactory

    customer = UserFactory(email="grace@example.com")
    saved = AddressFactory(customer=customer, **BERLIN)
    api.client.force_login(customer)
    api.post("/cart/lines", {"sku": shirt.sku, "quantity": 1})
    payload = order_request(total="24.90", email="", save_addresses=True,
                            payments=[{"method": "card", "token": card_token()}],
                            shipments=[{"address": HAMBURG, "delivery_method": "standard"}])
    payload["billing_address"] = {"address_id": saved.public_id}

    response = api.post("/checkout/complete", payload, **{"Idempotency-Key": new_key()})

    assert response.status_code == 201, response.content
    order = Order.objects.get()
    assert (order.customer, order.email) == (customer, "grace@example.com")
    assert order.addresses.get(kind="billing").city == "BERLIN"
    assert order.addresses.get(kind="shipping").city == "HAMBURG"
    assert set(customer.addresses.values_list("city", flat=True)) == {"BERLIN", "HAMBURG"}
