"""A guest's email is validated as registration validates it: a bad one is refused with 422
naming the field, and nothing is placed, recorded or queued."""

import pytest

from mercato.cart.models import Cart
from mercato.core.models import Event
from mercato.notifications.models import SentEmail
from mercato.orders.models import Order
from mercato.payments.models import Payment
from tests.checkout.conftest import new_key, order_request

pytestmark = pytest.mark.django_db

BAD_EMAILS = ["not-an-email", "' OR 1=1 --", "<script>alert(1)</script>", "ada@", "@example.com",
              "ada example@example.com", "ada@example.com\x00x"]


def nothing_happened_since(events: int) -> bool:
    return (not Order.objects.exists() and not Payment.objects.exists()
            and not SentEmail.objects.exists() and Event.objects.count() == events)


@pytest.mark.parametrize("email", BAD_EMAILS)
def test_checkout_refuses_a_bad_email_and_changes_nothing(cart, checkout, email):
    events = Event.objects.count()

    response = checkout(cart, order_request(email=email), key=new_key())

    assert response.status_code == 422, response.content
    body = response.json()
    assert body["type"].endswith("/invalid-input")
    assert "email" in str(body["errors"])
    assert nothing_happened_since(events)
    assert Cart.objects.get(token=cart).status == "Active"


@pytest.mark.parametrize("email", BAD_EMAILS[:3])
def test_the_quote_refuses_a_bad_email_too(api, cart, email):
    from tests.cart.conftest import token_header

    payload = order_request(email=email)
    del payload["payments"], payload["expected_total"]
    response = api.post("/checkout/quote", payload, **token_header(cart))

    assert response.status_code == 422 and "email" in str(response.json()["errors"])


def test_a_good_email_still_places_the_order_with_it_as_given(cart, checkout):
    response = checkout(cart, order_request(email="  Ada.Lovelace+shop@example.com "),
                        key=new_key())

    assert response.status_code == 201, response.content
    assert Order.objects.get().email == "Ada.Lovelace+shop@example.com"


def test_the_storefront_email_step_says_what_is_wrong(client, shirt):
    client.post("/cart/add/", {"sku": shirt.sku, "quantity": 1})

    response = client.post("/checkout/", {"email": "' OR 1=1 --"})

    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert "email" not in client.session.get("checkout", {})
