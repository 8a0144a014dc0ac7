"""Repeated wrong passwords lock the account and the client address on every login path
(django-axes): then even the right password is refused with 429 and Retry-After, until the
cool-off passes or staff delete the attempts in the back office."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from mercato.customers.models import ApiToken
from tests.factories import UserFactory
from tests.security.conftest import LOGIN_FAILURE_LIMIT

PASSWORD = "correct-horse-battery"  # the one UserFactory sets
WRONG = "wrong-password"
EMAIL = "ada@example.com"
COOL_OFF = "900"  # seconds: 15 minutes


def api_login(client: Client, password: str, email: str = EMAIL, **extra):
    return client.post("/api/v1/auth/login", {"email": email, "password": password},
                       content_type="application/json", **extra)


def api_token(client: Client, password: str, email: str = EMAIL, **extra):
    return client.post("/api/v1/auth/tokens", {"email": email, "password": password},
                       content_type="application/json", **extra)


def shop_login(client: Client, password: str, email: str = EMAIL, **extra):
    return client.post("/account/login/", {"email": email, "password": password}, **extra)


def admin_login(client: Client, password: str, email: str = EMAIL, **extra):
    # The admin form names the field `username`: axes must count it as the same account.
    return client.post("/admin/login/", {"username": email, "password": password,
                                         "next": "/admin/"}, **extra)


LOGINS = {"api session": api_login, "api token": api_token, "storefront": shop_login,
          "admin": admin_login}
SUCCESS = {"api session": 200, "api token": 201, "storefront": 302, "admin": 302}


@pytest.fixture
def ada(db):
    return UserFactory(email=EMAIL, is_staff=True, is_superuser=True)


def assert_locked_out(path: str, response) -> None:
    assert response.status_code == 429
    assert response["Retry-After"] == COOL_OFF
    if path.startswith("api"):
        assert response["Content-Type"] == "application/problem+json"
        body = response.json()
        assert body["type"] == "https://mercato.dev/problems/too-many-requests"
        assert body["status"] == 429 and body["retry_after"] == 900
        assert "Please wait 15 minutes" in body["detail"]
    else:
        page = response.content.decode()
        assert "Too many failed logins" in page
        assert "Too many tries. Please wait 15 minutes and try again." in page


@pytest.mark.django_db
@pytest.mark.parametrize("path", LOGINS)
def test_fifty_wrong_passwords_then_the_right_one_is_refused(path, ada):
    log_in = LOGINS[path]
    client = Client()
    answers = [log_in(client, WRONG).status_code for _ in range(50)]

    response = log_in(client, PASSWORD)

    # Locked at the third failure; every later attempt, the right password too, is refused.
    assert SUCCESS[path] not in answers
    assert answers[LOGIN_FAILURE_LIMIT - 1:] == [429] * (50 - LOGIN_FAILURE_LIMIT + 1)
    assert_locked_out(path, response)
    assert "_auth_user_id" not in client.session
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("path", LOGINS)
def test_the_right_password_under_the_limit_logs_in_and_resets_the_count(path, ada):
    log_in = LOGINS[path]
    client = Client()
    for _ in range(2):
        assert log_in(client, WRONG).status_code != 429

    assert log_in(client, PASSWORD).status_code == SUCCESS[path]
    assert not AccessAttempt.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("path", LOGINS)
def test_logging_in_to_another_account_does_not_forget_the_failures_on_the_first(path, ada):
    """Guess under the limit on a victim, log in to one's own account from the same address,
    and the guesses still count."""
    log_in = LOGINS[path]
    UserFactory(email="mallory@example.com", is_staff=True)
    client = Client()
    for _ in range(LOGIN_FAILURE_LIMIT - 1):
        assert log_in(client, WRONG).status_code != 429

    assert log_in(client, PASSWORD, email="mallory@example.com").status_code == SUCCESS[path]
    assert_locked_out(path, log_in(Client(), WRONG))  # from anywhere: the account is locked
    assert AccessAttempt.objects.filter(username=EMAIL).exists()


@pytest.mark.django_db
def test_failures_on_one_path_count_on_the_others(ada):
    client = Client()
    api_login(client, WRONG)
    shop_login(client, WRONG)
    admin_login(client, WRONG)

    assert_locked_out("api token", api_token(client, PASSWORD))


@pytest.mark.django_db
def test_an_account_is_locked_whatever_address_the_attempts_come_from(ada):
    for number in range(3):
        api_login(Client(REMOTE_ADDR=f"203.0.113.{number}"), WRONG)

    response = api_login(Client(REMOTE_ADDR="198.51.100.7"), PASSWORD)

    assert_locked_out("api session", response)


@pytest.mark.django_db
def test_an_address_trying_many_accounts_is_locked_for_every_account(ada):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for number in range(3):
        api_login(attacker, WRONG, email=f"someone{number}@example.com")

    assert_locked_out("api session", api_login(attacker, PASSWORD))
    assert api_login(Client(REMOTE_ADDR="198.51.100.7"), PASSWORD).status_code == 200


@pytest.mark.django_db
def test_staff_unlock_a_locked_account_in_the_back_office(ada):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(5):
        shop_login(attacker, WRONG)
    assert shop_login(Client(REMOTE_ADDR="198.51.100.7"), PASSWORD).status_code == 429
    staff = Client(REMOTE_ADDR="192.0.2.1")
    staff.force_login(UserFactory(email="boss@example.com", is_staff=True, is_superuser=True))

    listing = staff.get(f"/admin/axes/accessattempt/?q={EMAIL}")
    index = staff.get("/admin/").content.decode()
    # One row per address the account was tried from: staff select them all and delete them.
    attempts = AccessAttempt.objects.filter(username=EMAIL).values_list("pk", flat=True)
    unlocked = staff.post("/admin/axes/accessattempt/", {
        "action": "delete_selected", "_selected_action": list(attempts), "post": "yes"})

    assert listing.status_code == 200 and EMAIL in listing.content.decode()
    assert "/admin/axes/accessattempt/" in index
    assert unlocked.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert shop_login(Client(REMOTE_ADDR="198.51.100.7"), PASSWORD).status_code == 302


@pytest.mark.django_db
def test_abuse_limits_off_lets_every_attempt_through(settings, ada):
    settings.MERCATO_ABUSE_LIMITS = False
    settings.AXES_ENABLED = False
    client = Client()
    for _ in range(10):
        assert api_login(client, WRONG).status_code == 401

    assert api_login(client, PASSWORD).status_code == 200


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_forwarded_client_is_locked_out(settings, ada):
    settings.MERCATO_TRUSTED_PROXIES = ["10.0.0.1"]
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    for number in range(3):
        api_login(proxy, WRONG, email=f"someone{number}@example.com",
                  HTTP_X_FORWARDED_FOR="203.0.113.9")

    locked = api_login(proxy, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9")
    garbage = api_login(proxy, PASSWORD, HTTP_X_FORWARDED_FOR="not-an-address")

    assert_locked_out("api session", locked)
    assert garbage.status_code == 200  # counted as the proxy's own address, never a 500
