"""Lookups by number and email, registration, coupon entry and password-reset mail are limited
per client address (mercato.core.throttle): over the limit the API answers 429 problem+json with
Retry-After and the storefront a page in words; the request over the limit changes nothing."""

from types import SimpleNamespace

import pytest
from django.core import mail
from django.test import Client

from mercato.core import throttle
from mercato.core.models import Event
from mercato.customers.models import User
from mercato.returns.models import ReturnRequest
from tests.factories import UserFactory
from tests.orders.builders import make_quote, place
from tests.security.conftest import LIMIT

TOO_MANY = "https://mercato.dev/problems/too-many-requests"
WORDS = "Too many tries. Please wait 15 minutes and try again."
GUEST = {"number": "MRC-999999", "email": "guest@example.com"}
RETURN = {"rma": "RMA-MRC-999999-1", "email": "guest@example.com"}
API_LOOKUPS = {
    "/orders/lookup": GUEST,
    "/returns/lookup": RETURN,
    "/returns/lookup/instructions": RETURN,
    "/returns/lookup/payment": {**RETURN, "method": "card", "token": "tok"},
    "/returns/guest": {"order_number": "MRC-999999", "email": "guest@example.com", "lines": [
        {"order_line_id": "q3N8xP0aLw2vT6yR", "quantity": 1, "reason": "faulty",
         "resolution": "refund"}]},
}


@pytest.fixture(autouse=True)
def at_the_start_of_a_window(monkeypatch):
    """A clock at a window's first second, so the wait is the whole window: 15 minutes."""
    monkeypatch.setattr(throttle, "time", SimpleNamespace(time=lambda: 900.0 * 2_000_000))


def post_api(client: Client, path: str, body: dict, **extra):
    return client.post(f"/api/v1{path}", body, content_type="application/json", **extra)


def registration(number: int) -> dict:
    return {"email": f"new{number}@example.com", "password": "cobol-compiler-1959",
            "first_name": "Grace", "last_name": "Hopper"}


def state() -> dict:
    return {"users": User.objects.count(), "returns": ReturnRequest.objects.count(),
            "events": Event.objects.count(), "mails": len(mail.outbox)}


def assert_too_many(response) -> None:
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "900"
    body = response.json()
    assert body["type"] == TOO_MANY and body["status"] == 429 and body["retry_after"] == 900
    assert body["detail"] == WORDS


@pytest.mark.django_db
@pytest.mark.parametrize("path", API_LOOKUPS)
def test_api_lookups_over_the_limit_are_refused_and_change_nothing(path):
    client = Client()
    under = [post_api(client, path, API_LOOKUPS[path]).status_code for _ in range(LIMIT)]
    before = state()

    response = post_api(client, path, API_LOOKUPS[path])

    assert 429 not in under
    assert_too_many(response)
    assert state() == before


@pytest.mark.django_db
def test_every_guest_lookup_counts_against_one_limit():
    client = Client()
    post_api(client, "/orders/lookup", GUEST)
    post_api(client, "/returns/lookup", RETURN)

    assert_too_many(post_api(client, "/returns/lookup/instructions", RETURN))


@pytest.mark.django_db
def test_a_lookup_under_the_limit_finds_the_order():
    order = place(make_quote(), email="guest@example.com")
    client = Client()
    post_api(client, "/orders/lookup", GUEST)

    response = post_api(client, "/orders/lookup", {"number": order.number,
                                                   "email": "guest@example.com"})

    assert response.status_code == 200 and response.json()["number"] == order.number


@pytest.mark.django_db
def test_another_client_address_has_its_own_count():
    for _ in range(LIMIT + 1):
        post_api(Client(REMOTE_ADDR="203.0.113.9"), "/orders/lookup", GUEST)

    assert post_api(Client(REMOTE_ADDR="198.51.100.7"), "/orders/lookup", GUEST).status_code \
        == 404


@pytest.mark.django_db
def test_a_forwarded_for_header_from_an_untrusted_peer_is_ignored():
    for number in range(LIMIT):
        post_api(Client(), "/orders/lookup", GUEST, HTTP_X_FORWARDED_FOR=f"10.0.0.{number}")

    assert_too_many(post_api(Client(), "/orders/lookup", GUEST,
                             HTTP_X_FORWARDED_FOR="10.0.0.99"))


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(settings):
    settings.MERCATO_TRUSTED_PROXIES = ["127.0.0.1", "10.1.0.0/16"]
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    for _ in range(LIMIT + 1):
        post_api(proxy, "/orders/lookup", GUEST, HTTP_X_FORWARDED_FOR="203.0.113.9, 10.1.2.3")

    other = post_api(proxy, "/orders/lookup", GUEST, HTTP_X_FORWARDED_FOR="198.51.100.7")
    spoofed = post_api(proxy, "/orders/lookup", GUEST,
                       HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9, 10.1.2.3")

    assert other.status_code == 404
    assert_too_many(spoofed)  # a client's own X-Forwarded-For entries do not hide it


@pytest.mark.django_db
def test_api_registration_over_the_limit_opens_no_account():
    client = Client()
    for number in range(LIMIT):
        response = post_api(client, "/auth/register", registration(number))
        assert response.status_code == 201
    before = state()

    response = post_api(client, "/auth/register", registration(9))

    assert_too_many(response)
    assert state() == before


@pytest.mark.django_db
def test_api_coupon_entry_over_the_limit_is_refused():
    client = Client()
    under = [post_api(client, "/cart/coupons", {"code": "GUESS"}).status_code
             for _ in range(LIMIT)]

    assert 429 not in under
    assert_too_many(post_api(client, "/cart/coupons", {"code": "GUESS"}))


# --- storefront --------------------------------------------------------------------------------

def assert_too_many_page(response) -> None:
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert WORDS in response.content.decode()


STOREFRONT_FORMS = {
    "/orders/lookup/": GUEST,
    "/orders/lookup/return/": GUEST,
    "/cart/coupon/": {"code": "GUESS"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("path", STOREFRONT_FORMS)
def test_storefront_forms_over_the_limit_show_a_page_in_words(path):
    client = Client()
    under = [client.post(path, STOREFRONT_FORMS[path]).status_code for _ in range(LIMIT)]
    before = state()

    response = client.post(path, STOREFRONT_FORMS[path])

    assert 429 not in under
    assert_too_many_page(response)
    assert state() == before


@pytest.mark.django_db
def test_showing_the_lookup_form_is_not_counted():
    client = Client()
    for _ in range(LIMIT + 3):
        assert client.get("/orders/lookup/").status_code == 200

    assert client.post("/orders/lookup/", GUEST).status_code == 200


@pytest.mark.django_db
def test_storefront_registration_over_the_limit_opens_no_account():
    for number in range(LIMIT):
        response = Client().post("/account/register/", registration(number))
        assert response.status_code == 302
    before = state()

    response = Client().post("/account/register/", registration(9))

    assert_too_many_page(response)
    assert state() == before


@pytest.mark.django_db
def test_password_reset_mail_over_the_limit_is_not_sent():
    UserFactory(email="ada@example.com")
    client = Client()
    for _ in range(LIMIT):
        assert client.post("/account/password-reset/",
                           {"email": "ada@example.com"}).status_code == 302
    assert len(mail.outbox) == LIMIT

    response = client.post("/account/password-reset/", {"email": "ada@example.com"})

    assert_too_many_page(response)
    assert len(mail.outbox) == LIMIT


@pytest.mark.django_db
def test_abuse_limits_off_counts_nothing(settings):
    settings.MERCATO_ABUSE_LIMITS = False
    client = Client()
    answers = {post_api(client, "/orders/lookup", GUEST).status_code for _ in range(LIMIT + 5)}

    assert answers == {404}
