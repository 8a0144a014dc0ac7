"""Paying the price difference of a dearer exchange on the return's page: the form offers the
variants with their difference, the customer (or a guest after the lookup) pays it by card,
3-D Secure included, and the page shows what was paid or waived."""

import re
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mercato.core.events import Actor
from mercato.core.models import Event
from mercato.orders.models import Order
from mercato.payments.gateways import get_gateway
from mercato.payments.models import Payment
from mercato.returns.models import ReturnRequest
from mercato.returns.services import cancel_return, difference_unpaid, waive_difference
from tests.factories import ProductVariantFactory, UserFactory, VariantPriceFactory
from tests.orders.builders import make_quote, place
from tests.storefront.test_returns import line_ids, return_fields, ship

pytestmark = pytest.mark.django_db
STAFF = Actor("staff", "cs@example.com")
GOOD_CARD, DECLINED_CARD, THREE_D_SECURE = ("4242424242424242", "4000000000000002",
                                            "4000002760003184")


def card_token(number: str = GOOD_CARD) -> str:
    """What checkout.js gets from the provider for the card typed in the browser."""
    return get_gateway("test").tokenize_card(number, 12, 2030, "123")


def said(response) -> str:
    """The page's flash messages."""
    return " ".join(str(message) for message in response.context["messages"])


def add_variant(order: Order, name: str, price: str):
    """Another variant of the order's shirt (paid 19.90 a unit, 17.91 after its discount)."""
    shirt = order.lines.order_by("pk").select_related("variant").first().variant
    variant = ProductVariantFactory(product=shirt.product, name=name)
    VariantPriceFactory(variant=variant, currency="EUR", amount=Decimal(price))
    return variant


@pytest.fixture
def customer(client):
    customer = UserFactory(email="ada@example.com")
    client.force_login(customer)
    return customer


@pytest.fixture
def shipped(customer):
    """Ada's order, shipped: 2 shirts (Red / M, 19.90 each) and a mug."""
    return ship(place(make_quote(), customer_id=customer.pk))


@pytest.fixture
def dearer_return(client, shipped) -> ReturnRequest:
    """Ada returns one shirt for a Blue / L at 25.00: 5.10 to pay."""
    shirt, _ = line_ids(shipped)
    blue = add_variant(shipped, "Blue / L", "25.00")
    client.post(f"/account/orders/{shipped.number}/return/",
                return_fields(shirt, 1, resolution="exchange", exchange=blue.pk))
    return ReturnRequest.objects.get()


def detail(ret: ReturnRequest, guest: bool = False) -> str:
    return f"/orders/returns/{ret.rma}/" if guest else f"/account/returns/{ret.rma}/"


def pay_url(ret: ReturnRequest, guest: bool = False) -> str:
    return detail(ret, guest) + "pay/"


def secured(ret: ReturnRequest) -> list[tuple]:
    return list(Payment.objects.filter(reference=ret.rma, status__in=["Authorized", "Captured"])
                .values_list("status", "amount"))


# --- the return form ---------------------------------------------------------------------------

def test_the_exchange_choices_say_the_price_difference(client, shipped):
    add_variant(shipped, "Blue / L", "25.00")
    add_variant(shipped, "Green / M", "17.90")
    add_variant(shipped, "White / M", "19.90")

    page = client.get(f"/account/orders/{shipped.number}/return/").content.decode()

    assert "Blue / L (+€5.10 to pay)</option>" in page
    assert "Green / M (€2.00 back)</option>" in page
    assert "White / M</option>" in page
    assert "Price differences are per item." in page  # 2 shirts may come back


def test_a_dearer_exchange_is_requested_with_its_difference_to_pay(client, shipped):
    shirt, _ = line_ids(shipped)
    blue = add_variant(shipped, "Blue / L", "25.00")

    response = client.post(f"/account/orders/{shipped.number}/return/",
                           return_fields(shirt, 1, resolution="exchange", exchange=blue.pk),
                           follow=True)

    ret = ReturnRequest.objects.get()
    assert ret.lines.get().charge == Decimal("5.10")
    assert (f"Your return {ret.rma} is requested. Your replacement ships once the price "
            "difference of €5.10 is paid") in said(response)
    page = response.content.decode()
    assert "Exchange for Blue / L" in page and "+€5.10 price difference" in page
    assert 'data-testid="difference-to-pay">€5.10<' in page
    assert "Your replacement ships once the difference is paid." in page
    form = re.search(r'<form[^>]*id="payment-form".*?</form>', page, re.S).group(0)
    assert f'action="/account/returns/{ret.rma}/pay/"' in form
    assert 'name="card_token"' in form and 'name="method"' in form
    # The card's fields are never posted: checkout.js sends them to the provider.
    assert re.search(r'<input id="card-number"[^>]*>', form) and \
        "name=" not in re.search(r'<input id="card-number"[^>]*>', form).group(0)
    assert "storefront/checkout.js" in page


# --- paying ------------------------------------------------------------------------------------

def test_a_customer_pays_the_difference_by_card(client, dearer_return):
    ret = dearer_return

    response = client.post(pay_url(ret), {"method": "card", "card_token": card_token(),
                                          "card_label": "Visa •••• 4242"})

    assert response.status_code == 302 and response["Location"] == detail(ret)
    [payment] = Payment.objects.filter(reference=ret.rma)
    assert (payment.status, payment.amount, payment.method) == ("Authorized", Decimal("5.10"),
                                                                 "card")
    assert difference_unpaid(ret) == 0
    assert Event.objects.filter(type="ReturnDifferencePaid").count() == 1
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "Thank you: we received your payment of €5.10." in said(page)
    assert 'id="payment-form"' not in text and "Paid: thank you." in text
    assert "Paid (taken from your card when the replacement ships)" in text


def test_a_declined_card_says_so_and_secures_nothing(client, dearer_return):
    ret = dearer_return

    response = client.post(pay_url(ret), {"method": "card",
                                          "card_token": card_token(DECLINED_CARD)},
                           follow=True)

    assert "Your card was declined." in said(response)
    assert secured(ret) == [] and difference_unpaid(ret) == Decimal("5.10")
    assert not Event.objects.filter(type="ReturnDifferencePaid").exists()
    page = response.content.decode()
    assert 'id="payment-form"' in page and "Declined" in page

    client.post(pay_url(ret), {"method": "card", "card_token": card_token()})
    assert secured(ret) == [("Authorized", Decimal("5.10"))]


def test_a_card_without_its_token_is_asked_for_again(client, dearer_return):
    response = client.post(pay_url(dearer_return), {"method": "card"}, follow=True)

    assert "Enter your card details" in said(response)
    assert not Payment.objects.filter(reference=dearer_return.rma).exists()


def test_3d_secure_goes_to_the_bank_and_back_then_completes(client, dearer_return):
    ret = dearer_return
    token = card_token(THREE_D_SECURE)

    response = client.post(pay_url(ret), {"method": "card", "card_token": token})

    assert response.status_code == 302
    bank_page = response["Location"]
    assert bank_page.startswith("/test-gateway/3ds/")
    assert unquote(bank_page.split("?return=")[1]) == detail(ret)
    assert secured(ret) == []
    waiting = client.get(detail(ret)).content.decode()
    assert "Complete payment" in waiting and 'id="payment-form"' in waiting

    # Confirming before the bank did sends the shopper to the bank again.
    again = client.post(pay_url(ret), {"confirm": "1"})
    assert again["Location"].split("?")[0] == bank_page.split("?")[0]

    back = client.post(bank_page.split("?")[0], {"return": detail(ret)})
    assert back["Location"] == detail(ret)
    done = client.post(pay_url(ret), {"confirm": "1"}, follow=True)

    assert "Thank you: we received your payment of €5.10." in said(done)
    assert secured(ret) == [("Authorized", Decimal("5.10"))]
    page = done.content.decode()
    assert "Complete payment" not in page and 'id="payment-form"' not in page


def test_paypal_is_approved_at_the_provider_then_completed(client, dearer_return):
    ret = dearer_return

    response = client.post(pay_url(ret), {"method": "paypal"})

    approval_page = response["Location"]
    assert approval_page.startswith("/test-gateway/approve/ppa_")
    assert unquote(approval_page.split("?return=")[1]) == detail(ret)
    back = client.post(approval_page.split("?")[0], {"return": detail(ret)})
    assert back["Location"] == detail(ret)
    done = client.post(pay_url(ret), {"confirm": "1"}, follow=True)

    assert "Thank you: we received your payment of €5.10." in said(done)
    assert list(Payment.objects.filter(reference=ret.rma).values_list("method", "status")) == [
        ("paypal", "Authorized")]


def test_paypal_not_approved_comes_back_to_the_return_with_nothing_paid(client, dearer_return):
    ret = dearer_return
    approval_page = client.post(pay_url(ret), {"method": "paypal"})["Location"]

    cancelled = client.post(approval_page.split("?")[0], {"return": detail(ret), "cancel": "1"},
                            follow=True)

    assert cancelled.redirect_chain[-1][0] == detail(ret)
    assert "You did not approve the payment" in said(cancelled)
    assert secured(ret) == []


def test_nothing_waits_for_confirmation_without_a_3d_secure_card(client, dearer_return):
    response = client.post(pay_url(dearer_return), {"confirm": "1"}, follow=True)

    assert "No payment is waiting for your confirmation" in said(response)
    assert not Payment.objects.filter(reference=dearer_return.rma).exists()


def test_a_guest_pays_after_the_lookup(db):
    order = ship(place(make_quote(), email="grace@example.com"))
    shirt, _ = line_ids(order)
    blue = add_variant(order, "Blue / L", "25.00")
    guest = Client()
    guest.post("/orders/lookup/return/", {"number": order.number, "email": "grace@example.com"})
    guest.post(f"/orders/{order.number}/return/",
               return_fields(shirt, 1, resolution="exchange", exchange=blue.pk))
    ret = ReturnRequest.objects.get()
    page = guest.get(detail(ret, guest=True)).content.decode()
    assert f'action="/orders/returns/{ret.rma}/pay/"' in page

    stranger = Client()
    assert stranger.post(pay_url(ret, guest=True),
                         {"method": "card", "card_token": card_token()}).status_code == 404
    assert secured(ret) == []

    response = guest.post(pay_url(ret, guest=True),
                          {"method": "card", "card_token": card_token()}, follow=True)

    assert "Thank you: we received your payment of €5.10." in said(response)
    assert secured(ret) == [("Authorized", Decimal("5.10"))]
    event = Event.objects.get(type="ReturnDifferencePaid")
    assert event.actor == "customer:grace@example.com"


def test_another_customers_return_is_not_found(client, dearer_return):
    other = Client()
    other.force_login(UserFactory(email="eve@example.com"))

    response = other.post(pay_url(dearer_return), {"method": "card",
                                                   "card_token": card_token()})

    assert response.status_code == 404
    assert not Payment.objects.filter(reference=dearer_return.rma).exists()
    assert Client().post(pay_url(dearer_return), {})["Location"].startswith("/account/login/")


# --- nothing to pay ----------------------------------------------------------------------------

def test_a_refund_has_no_payment_form_and_a_post_says_nothing_is_due(client, shipped):
    shirt, _ = line_ids(shipped)
    client.post(f"/account/orders/{shipped.number}/return/", return_fields(shirt, 1))
    ret = ReturnRequest.objects.get()
    events = Event.objects.count()

    page = client.get(detail(ret)).content.decode()
    assert "Price difference" not in page and 'id="payment-form"' not in page
    response = client.post(pay_url(ret), {"method": "card", "card_token": card_token()},
                           follow=True)

    assert f"Nothing is left to pay for return {ret.rma}." in said(response)
    assert not Payment.objects.filter(reference=ret.rma).exists()
    assert Event.objects.count() == events


def test_a_waived_difference_is_shown_without_a_form(client, dearer_return):
    waive_difference(rma=dearer_return.rma, by=STAFF, reason="Our mistake")

    page = client.get(detail(dearer_return)).content.decode()

    assert "Waived by the shop" in page and 'id="payment-form"' not in page
    assert "storefront/checkout.js" not in page


def test_a_cancelled_return_takes_no_payment(client, dearer_return):
    cancel_return(rma=dearer_return.rma, by=STAFF, reason="Changed mind")

    page = client.get(detail(dearer_return)).content.decode()
    response = client.post(pay_url(dearer_return), {"method": "card",
                                                    "card_token": card_token()}, follow=True)

    assert "nothing to pay" in page and 'id="payment-form"' not in page
    assert "nothing to pay" in said(response)
    assert secured(dearer_return) == []


def test_the_detail_page_reads_its_payments_in_one_query(client, dearer_return):
    with CaptureQueriesContext(connection) as unpaid:
        client.get(detail(dearer_return))
    client.post(pay_url(dearer_return), {"method": "card", "card_token": card_token()})
    client.post(pay_url(dearer_return), {"method": "card", "card_token": card_token()})

    with CaptureQueriesContext(connection) as paid:
        assert client.get(detail(dearer_return)).status_code == 200

    assert len(paid) <= len(unpaid) <= 8


def test_a_cheaper_exchange_shows_what_comes_back_and_asks_no_payment(client, shipped):
    shirt, _ = line_ids(shipped)
    green = add_variant(shipped, "Green / M", "17.90")

    response = client.post(f"/account/orders/{shipped.number}/return/",
                           return_fields(shirt, 1, resolution="exchange", exchange=green.pk),
                           follow=True)

    page = response.content.decode()
    assert "Exchange for Green / M" in page and "€2.00 back" in page
    assert "Price difference" not in page and 'id="payment-form"' not in page
    assert "price difference" not in said(response)


def test_a_replacement_is_offered_for_exchange_at_the_price_it_was_exchanged_at(
        client, shipped, dearer_return):
    from mercato.inventory.models import Stock
    from mercato.orders.services import mark_shipment_shipped, pack_shipments, release_shipment
    from mercato.returns.services import (
        ReceivedLine,
        approve_return,
        receive_return,
        ship_replacement,
    )

    approve_return(rma=dearer_return.rma, by=STAFF)
    blue = dearer_return.lines.get().exchange_variant
    Stock.objects.create(variant=blue, warehouse_id=dearer_return.warehouse_id, on_hand=3)
    waive_difference(rma=dearer_return.rma, by=STAFF, reason="test")
    receive_return(rma=dearer_return.rma, warehouse_id=dearer_return.warehouse_id, by=STAFF,
                   lines=[ReceivedLine(dearer_return.lines.get().public_id, 1, "resellable")])
    parcel = ship_replacement(rma=dearer_return.rma, by=STAFF)
    release_shipment(public_id=parcel.public_id, by=STAFF)
    pack_shipments(public_ids=[parcel.public_id], by=STAFF, reference="PL-2")
    mark_shipment_shipped(public_id=parcel.public_id, carrier="DHL", tracking_number="JD0147",
                          tracking_url="", weight_grams=900, by=STAFF)

    add_variant(shipped, "Green / M", "19.90")
    page = client.get(f"/account/orders/{shipped.number}/return/").content.decode()

    line_id = ReturnRequest.objects.get().lines.get().replacement_line_id
    replacement = re.search(rf'<select name="exchange-{line_id}".*?</select>', page,
                            re.S).group(0)
    assert "Green / M (€5.10 back)</option>" in replacement  # exchanged at 25.00, 19.90 now
    assert "Blue / L</option>" in replacement
