"""Paying an exchange's price difference through the API: the customer's
POST /returns/{rma}/payment and the guest's POST /returns/lookup/payment."""

import pytest

from mercato.core.models import Event
from mercato.payments.models import Payment
from mercato.returns.services import request_return
from tests.factories import UserFactory, make_sellable_variant
from tests.orders.builders import make_quote, place
from tests.returns.builders import STAFF, card, exchange_line, lines, ship_all
from tests.returns.test_api import assert_problem, bearer, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    return UserFactory(email="ada@example.com")


def shipped(customer_id: int | None, email: str):
    order = place(make_quote(), customer_id=customer_id, email=email)
    card(order, order.total)
    ship_all(order)
    return order


def dearer_exchange(order):
    dearer = make_sellable_variant(price="25.00", on_hand=5)
    return request_return(order_number=order.number, by=STAFF,
                          lines=[exchange_line(lines(order)[0], dearer.pk)])


def card_token(api, number: str = "4242424242424242") -> str:
    response = api.post("/test-gateway/tokens", {"number": number, "exp_month": 12,
                                                 "exp_year": 2030, "cvc": "123"})
    assert response.status_code in (200, 201), response.content
    return response.json()["token"]


def test_the_return_says_what_is_to_pay_and_the_customer_pays_it(api, customer):
    order = shipped(customer.pk, customer.email)
    ret = dearer_exchange(order)
    auth = bearer(token_for(customer))

    body = api.get(f"/returns/{ret.rma}", **auth).json()
    assert body["exchange_difference"] == {"amount": "5.10", "currency": "EUR"}
    assert body["difference_to_pay"] == {"amount": "5.10", "currency": "EUR"}
    assert body["lines"][0]["charge"] == {"amount": "5.10", "currency": "EUR"}

    response = api.post(f"/returns/{ret.rma}/payment",
                        {"method": "card", "token": card_token(api)}, **auth)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["difference_to_pay"]["amount"] == "0.00"
    assert [(p["method"], p["status"], p["amount"]["amount"]) for p in body["payments"]] == [
        ("card", "Authorized", "5.10")]
    again = api.post(f"/returns/{ret.rma}/payment", {"method": "card", "token": card_token(api)},
                     **auth)
    assert assert_problem(again, 409)["type"].endswith("nothing-to-pay")


def test_a_declined_card_is_402_and_nothing_is_paid(api, customer):
    order = shipped(customer.pk, customer.email)
    ret = dearer_exchange(order)

    response = api.post(f"/returns/{ret.rma}/payment",
                        {"method": "card", "token": card_token(api, "4000000000000002")},
                        **bearer(token_for(customer)))

    assert assert_problem(response, 402)["type"].endswith("payment-declined")
    assert not Payment.objects.filter(reference=ret.rma, status="Authorized").exists()
    assert not Event.objects.filter(type="ReturnDifferencePaid").exists()


def test_three_d_secure_answers_where_to_confirm(api, customer):
    order = shipped(customer.pk, customer.email)
    ret = dearer_exchange(order)

    response = api.post(f"/returns/{ret.rma}/payment",
                        {"method": "card", "token": card_token(api, "4000002760003184")},
                        **bearer(token_for(customer)))

    assert "/test-gateway/3ds/" in assert_problem(response, 402)["action_url"]


def test_another_customer_cannot_pay_and_bad_input_is_422(api, customer):
    order = shipped(customer.pk, customer.email)
    ret = dearer_exchange(order)
    stranger = bearer(token_for(UserFactory(email="eve@example.com")))

    response = api.post(f"/returns/{ret.rma}/payment",
                        {"method": "card", "token": card_token(api)}, **stranger)
    assert_problem(response, 404)
    response = api.post(f"/returns/{ret.rma}/payment", {"method": "cash", "token": "x"},
                        **bearer(token_for(customer)))
    assert_problem(response, 422)
    assert not Payment.objects.filter(reference=ret.rma).exists()


def test_a_guest_pays_with_the_rma_and_the_orders_email(api):
    order = shipped(None, "guest@example.com")
    ret = dearer_exchange(order)

    wrong = api.post("/returns/lookup/payment", {"rma": ret.rma, "email": "x@example.com",
                                                 "method": "card", "token": card_token(api)})
    assert_problem(wrong, 404)
    response = api.post("/returns/lookup/payment", {
        "rma": ret.rma, "email": "GUEST@example.com", "method": "card",
        "token": card_token(api)})

    assert response.status_code == 200, response.content
    assert response.json()["difference_to_pay"]["amount"] == "0.00"
    assert Event.objects.get(type="ReturnDifferencePaid").actor == "guest:GUEST@example.com"


def test_paypal_approval_asked_for_by_402_then_the_same_request_pays(api, customer):
    order = shipped(customer.pk, customer.email)
    ret = dearer_exchange(order)
    auth = bearer(token_for(customer))
    approval = api.post("/test-gateway/approvals", {"amount": "5.10", "currency": "EUR"}).json()
    request = {"method": "paypal", "token": approval["approval_token"]}

    asked = assert_problem(api.post(f"/returns/{ret.rma}/payment", request, **auth), 402)
    assert asked["type"].endswith("payment-action-required")
    assert asked["action_url"] == approval["approve_url"]
    assert api.client.post(asked["action_url"]).status_code == 200  # approved at PayPal
    response = api.post(f"/returns/{ret.rma}/payment", request, **auth)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["difference_to_pay"]["amount"] == "0.00"
    assert [(p["method"], p["status"]) for p in body["payments"]] == [("paypal", "Authorized")]
    assert Event.objects.filter(type="ReturnDifferencePaid").count() == 1


def test_three_d_secure_passed_at_action_url_then_the_same_request_pays(api, customer):
    order = shipped(customer.pk, customer.email)
    ret = dearer_exchange(order)
    auth = bearer(token_for(customer))
    request = {"method": "card", "token": card_token(api, "4000 0027 6000 3184")}

    asked = assert_problem(api.post(f"/returns/{ret.rma}/payment", request, **auth), 402)
    assert api.client.post(asked["action_url"]).status_code == 200  # the 3-D Secure challenge
    response = api.post(f"/returns/{ret.rma}/payment", request, **auth)

    assert response.status_code == 200, response.content
    assert [(p["method"], p["status"]) for p in response.json()["payments"]] == [
        ("card", "Authorized")]
