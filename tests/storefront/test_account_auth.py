"""Account pages: register, log in and out, the cart brought along at login, password reset."""

import re

import pytest
from django.conf import settings
from django.core import mail

from mercato.cart.models import Cart
from mercato.core.models import Event
from mercato.customers.models import User
from tests.factories import UserFactory, make_sellable_variant

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"  # the one UserFactory sets


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def customer() -> User:
    return UserFactory(email="ada@example.com")


def logged_in_user(client) -> User | None:
    user = client.get("/account/").wsgi_request.user
    return user if user.is_authenticated else None


def field_errors(response) -> list[str]:
    return re.findall(r'class="field-error"[^>]*>([^<]*)<', response.content.decode())


# --- register ------------------------------------------------------------------------------------

def test_registering_opens_the_account_and_logs_in(client):
    response = client.post("/account/register/", {
        "email": "Grace@Example.com", "first_name": "Grace", "last_name": "Hopper",
        "password": "a-long-unusual-passphrase", "marketing_consent": "on"})

    assert response.status_code == 302 and response["Location"] == "/account/"
    user = User.objects.get(email="grace@example.com")
    assert user.marketing_consent is True
    assert logged_in_user(client) == user
    assert Event.objects.filter(type="CustomerRegistered").count() == 1


def test_register_page_has_labelled_fields_and_csrf(client):
    page = client.get("/account/register/").content.decode()

    for name in ("email", "first_name", "last_name", "password"):
        assert f'<label for="id_{name}">' in page
    assert "csrfmiddlewaretoken" in page
    assert ">Create account</button>" in page


def test_a_weak_password_is_shown_next_to_the_field_and_nothing_is_created(client):
    response = client.post("/account/register/", {
        "email": "grace@example.com", "first_name": "Grace", "last_name": "Hopper",
        "password": "password"})

    assert response.status_code == 200
    assert "This password is too common." in field_errors(response)
    assert "Choose a stronger password." in response.content.decode()
    assert not User.objects.exists()
    assert not Event.objects.exists()


def test_registering_a_taken_email_says_so_next_to_the_email(client, customer):
    response = client.post("/account/register/", {
        "email": "ada@example.com", "first_name": "Ada", "last_name": "Byron",
        "password": "a-long-unusual-passphrase"})

    assert field_errors(response) == [
        "An account with this email address already exists: log in instead."]
    assert User.objects.count() == 1


def test_register_form_shape_errors_are_per_field(client):
    response = client.post("/account/register/", {"email": "not-an-email", "password": "x"})

    errors = field_errors(response)
    assert "Enter a valid email address." in errors
    assert errors.count("This field is required.") == 2  # first and last name
    assert not User.objects.exists()


# --- log in, log out -----------------------------------------------------------------------------

def test_logging_in_goes_to_the_account(client, customer):
    response = client.post("/account/login/", {"email": "ADA@example.com",
                                               "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/account/"
    assert logged_in_user(client) == customer


def test_a_wrong_password_shows_one_message_and_does_not_log_in(client, customer):
    wrong_password = client.post("/account/login/", {"email": "ada@example.com",
                                                     "password": "nope"})
    unknown_email = client.post("/account/login/", {"email": "bob@example.com",
                                                    "password": PASSWORD})

    message = "The email address or password is incorrect."
    for response in (wrong_password, unknown_email):
        assert response.status_code == 200
        assert message in response.content.decode()
        assert 'class="messages form-errors"' in response.content.decode()
    assert logged_in_user(client) is None


def test_a_page_that_needs_login_sends_there_and_back(client, customer):
    response = client.get("/account/orders/")

    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=/account/orders/"
    login_page = client.get(response["Location"]).content.decode()
    assert 'name="next" value="/account/orders/"' in login_page

    back = client.post("/account/login/", {"email": "ada@example.com", "password": PASSWORD,
                                           "next": "/account/orders/"})
    assert back["Location"] == "/account/orders/"


def test_login_never_redirects_to_another_site(client, customer):
    response = client.post("/account/login/", {"email": "ada@example.com", "password": PASSWORD,
                                               "next": "https://evil.example.com/"})

    assert response["Location"] == "/account/"


def test_logging_out_takes_a_post_and_ends_the_session(client, customer):
    client.force_login(customer)

    assert client.get("/account/logout/").status_code == 405
    response = client.post("/account/logout/", follow=True)

    assert response.redirect_chain[0] == ("/", 302)
    assert logged_in_user(client) is None


def test_account_forms_need_the_csrf_token(customer):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/account/login/", {"email": "ada@example.com",
                                                "password": PASSWORD})

    assert response.status_code == 403


def test_logging_in_brings_the_anonymous_cart_along_and_clears_its_cookie(client, customer):
    variant = make_sellable_variant(price="20.00", on_hand=5)
    added = client.post("/api/v1/cart/lines", {"sku": variant.sku, "quantity": 2},
                        content_type="application/json")
    token = added.json()["token"]
    assert client.cookies[settings.MERCATO_CART_COOKIE].value == token

    response = client.post("/account/login/", {"email": "ada@example.com",
                                               "password": PASSWORD})

    cart = Cart.objects.get(customer=customer)
    assert {line.variant.sku: line.quantity for line in cart.lines.all()} == {variant.sku: 2}
    assert response.cookies[settings.MERCATO_CART_COOKIE].value == ""
    assert Event.objects.filter(type="CartMerged").count() == 1


def test_registering_brings_the_anonymous_cart_along(client):
    variant = make_sellable_variant(price="20.00", on_hand=5)
    client.post("/api/v1/cart/lines", {"sku": variant.sku, "quantity": 1},
                content_type="application/json")

    client.post("/account/register/", {
        "email": "grace@example.com", "first_name": "Grace", "last_name": "Hopper",
        "password": "a-long-unusual-passphrase", "next": "/cart/"})

    cart = Cart.objects.get(customer__email="grace@example.com")
    assert cart.lines.count() == 1


# --- password reset ------------------------------------------------------------------------------

def test_password_reset_by_email_end_to_end(client, customer):
    response = client.post("/account/password-reset/", {"email": "ada@example.com"})
    assert response["Location"] == "/account/password-reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.com"]
    assert settings.MERCATO_SHOP_NAME in message.subject
    link = re.search(r"https?://testserver(/account/password-reset/\S+/)", message.body).group(1)
    assert message.alternatives and link in message.alternatives[0][0]

    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    assert '<label for="id_new_password1">' in form_page.content.decode()
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(set_password_url, {"new_password1": "a-brand-new-passphrase",
                                          "new_password2": "a-brand-new-passphrase"})
    assert done["Location"] == "/account/password-reset/complete/"
    assert "Your password is changed" in client.get(done["Location"]).content.decode()

    old = client.post("/account/login/", {"email": "ada@example.com", "password": PASSWORD})
    assert old.status_code == 200
    new = client.post("/account/login/", {"email": "ada@example.com",
                                           "password": "a-brand-new-passphrase"})
    assert new.status_code == 302
    assert logged_in_user(client) == customer
    assert "invalid" in client.get(link, follow=True).content.decode()  # used once only


def test_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(client):
    response = client.post("/account/password-reset/", {"email": "nobody@example.com"},
                           follow=True)

    assert mail.outbox == []
    assert "If an account exists" in response.content.decode()
