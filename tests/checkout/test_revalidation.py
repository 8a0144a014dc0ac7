"""A cart that changed since the shopper last saw it, or went out of stock, is not ordered;
addresses and shipments are checked field by field."""

from decimal import Decimal
from unittest import mock

import pytest

from mercato.catalog.models import VariantPrice
from mercato.checkout.models import CheckoutAttempt
from mercato.core.events import SYSTEM
from mercato.core.money import Money
from mercato.inventory.errors import OutOfStock
from mercato.inventory.models import Stock
from mercato.inventory.services import set_stock_level
from mercato.orders.models import Order, Shipment
from mercato.payments.models import GiftCard, Payment
from mercato.payments.services import issue_gift_card
from tests.checkout.conftest import BERLIN, HAMBURG, card_token, new_key, order_request

pytestmark = pytest.mark.django_db


def test_out_of_stock_at_completion_is_409_and_charges_nothing(cart, checkout, shirt):
    stock = Stock.objects.get(variant=shirt)
    set_stock_level(variant_id=shirt.pk, warehouse_id=stock.warehouse_id, on_hand=1, by=SYSTEM)

    response = checkout(cart, order_request(), key=new_key())

    assert response.status_code == 409
    body = response.json()
    assert body["type"].endswith("/out-of-stock")
    assert body["shortages"] == [{"sku": shirt.sku, "requested": 2, "available": 1}]
    assert not Order.objects.exists() and not Payment.objects.exists()
    assert Stock.objects.get(variant=shirt).allocated == 0


def test_stock_sold_while_paying_voids_the_authorizations(cart, checkout):
    issue_gift_card(code="GIFT-10", amount=Money(Decimal("10.00"), "EUR"))
    payments = [{"method": "gift_card", "gift_card_code": "GIFT-10", "amount": "10.00"},
                {"method": "card", "token": card_token()}]
    sold_out = OutOfStock.for_shortages([("SKU", 2, 0)])

    with mock.patch("mercato.checkout.services.place_order", side_effect=sold_out):
        response = checkout(cart, order_request(payments=payments), key=new_key())

    assert response.status_code == 409
    assert sorted(Payment.objects.values_list("status", flat=True)) == ["Voided", "Voided"]
    assert GiftCard.objects.get().balance == Decimal("10.0000")
    assert CheckoutAttempt.objects.get().status == "Failed"


def test_a_price_change_since_the_cart_was_shown_stops_completion(cart, checkout, shirt):
    VariantPrice.objects.filter(variant=shirt).update(amount=Decimal("22.00"))

    response = checkout(cart, order_request(), key=new_key())

    assert response.status_code == 409
    assert response.json()["type"].endswith("/checkout-cart-changed")
    assert "changed from" in response.json()["detail"]
    assert not Order.objects.exists() and not Payment.objects.exists()


def test_a_total_other_than_the_one_shown_stops_completion(cart, checkout):
    response = checkout(cart, order_request(total="50.00"), key=new_key())

    assert response.status_code == 409
    assert "54.40" in response.json()["detail"]
    # The reviewed total was authorized before the cart was priced; it is given back.
    assert list(Payment.objects.values_list("status", flat=True)) == ["Voided"]
    assert not Order.objects.exists()


def test_address_errors_are_per_field_and_leave_the_key_free(cart, checkout):
    key = new_key()
    bad = {**BERLIN, "postal_code": "ABC"}
    response = checkout(cart, order_request(
        shipments=[{"address": bad, "delivery_method": "standard"}]), key=key)

    assert response.status_code == 422
    assert "shipments.0.address.postal_code" in response.json()["errors"]
    assert not CheckoutAttempt.objects.exists()
    assert checkout(cart, order_request(), key=key).status_code == 201


def test_a_guest_must_give_an_email(cart, checkout):
    response = checkout(cart, order_request(email=""), key=new_key())

    assert response.status_code == 422
    assert "email" in response.json()["errors"]


def test_split_shipments_each_with_their_method_and_fee(cart, checkout, shirt, socks):
    shipments = [
        {"address": BERLIN, "delivery_method": "standard",
         "lines": [{"sku": shirt.sku, "quantity": 1}]},
        {"address": HAMBURG, "delivery_method": "express"},  # the rest: 1 shirt, the socks
    ]
    response = checkout(cart, order_request(shipments=shipments, total="64.30"),
                        key=new_key())

    assert response.status_code == 201, response.content
    order = Order.objects.get()
    assert order.delivery_total == Decimal("14.8000")
    parcels = {s.city: (s.delivery_method_code, s.delivery_amount,
                        sorted((line.order_line.sku, line.quantity) for line in s.lines.all()))
               for s in Shipment.objects.all()}
    assert parcels == {
        "BERLIN": ("standard", Decimal("4.9000"), [(shirt.sku, 1)]),
        "HAMBURG": ("express", Decimal("9.9000"), sorted([(shirt.sku, 1), (socks.sku, 1)])),
    }


@pytest.mark.parametrize(("shipments", "field"), [
    ([{"address": BERLIN, "delivery_method": "standard",
       "lines": [{"sku": "NOPE", "quantity": 1}]}], "shipments.0.lines"),
    ([{"address": BERLIN, "delivery_method": "standard"},
      {"address": HAMBURG, "delivery_method": "standard"}], "shipments"),
    ([{"address": BERLIN, "delivery_method": "teleport"}], "shipments.0.delivery_method"),
])
def test_shipments_that_do_not_match_the_cart_are_422(cart, checkout, shipments, field):
    response = checkout(cart, order_request(shipments=shipments), key=new_key())

    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert not Order.objects.exists()


def test_the_quote_prices_each_shipment_and_offers_its_methods(api, cart, shirt):
    from tests.cart.conftest import token_header

    payload = {"email": "ada@example.com", "billing_address": BERLIN,
               "shipments": [{"address": BERLIN, "delivery_method": "express"}]}
    response = api.post("/checkout/quote", payload, **token_header(cart))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["totals"]["total"]["amount"] == "59.40"
    shipment = body["shipments"][0]
    assert shipment["delivery"]["method"] == "express"
    assert {m["code"] for m in shipment["delivery_methods"]} == {"standard", "express"}
    assert body["messages"] == [] and body["out_of_stock"] == []


def test_shipments_of_one_order_share_a_tax_destination(cart, checkout, shirt):
    paris = {**HAMBURG, "country": "FR", "postal_code": "75001", "city": "Paris"}
    shipments = [{"address": paris, "delivery_method": "standard",
                  "lines": [{"sku": shirt.sku, "quantity": 1}]},
                 {"address": BERLIN, "delivery_method": "standard"}]

    response = checkout(cart, order_request(shipments=shipments), key=new_key())

    assert response.status_code == 422
    assert "same country" in response.json()["detail"]
