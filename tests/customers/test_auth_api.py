from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from mercato.core.models import Event
from mercato.customers.models import ApiToken, User
from mercato.customers.rules import token_digest
from tests.customers.conftest import CSRF_SECRET, PASSWORD, bearer_for, database_state
from tests.factories import UserFactory

REGISTRATION = {
    "email": "Grace.Hopper@Example.COM", "password": "cobol-compiler-1959",
    "first_name": "Grace", "last_name": "Hopper",
}


@pytest.mark.django_db
def test_register_creates_a_customer_with_a_lower_case_email(api, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        response = api.post("/auth/register", {**REGISTRATION, "marketing_consent": True})

    assert response.status_code == 201
    body = response.json()
    user = User.objects.get()
    assert body == {
        "public_id": user.public_id, "email": "grace.hopper@example.com",
        "first_name": "Grace", "last_name": "Hopper", "marketing_consent": True,
    }
    assert user.check_password("cobol-compiler-1959")
    event = Event.objects.get(type="CustomerRegistered")
    assert event.aggregate_id == user.public_id
    assert event.payload["marketing_consent"] is True


@pytest.mark.django_db
def test_register_does_not_log_in(api):
    api.post("/auth/register", REGISTRATION)
    assert api.get("/me").status_code == 401


@pytest.mark.django_db
def test_register_with_a_taken_email_in_any_case_is_a_conflict(api):
    UserFactory(email="grace.hopper@example.com")
    before = database_state()

    response = api.post("/auth/register", REGISTRATION)

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/email-taken")
    assert database_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["short", "password123", "12345678901",
                                      "grace.hopper@example.com"])
def test_register_with_a_weak_password_says_why(api, password):
    response = api.post("/auth/register", {**REGISTRATION, "password": password})

    assert response.status_code == 422
    body = response.json()
    assert body["type"].endswith("/weak-password")
    assert body["errors"]["password"]
    assert database_state() == {"users": [], "addresses": [], "tokens": [], "events": 0}


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value"), [
    ("email", "not-an-email"), ("email", "a@b"), ("first_name", "  "), ("last_name", ""),
])
def test_register_with_invalid_fields_names_them(api, field, value):
    response = api.post("/auth/register", {**REGISTRATION, field: value})

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert database_state() == {"users": [], "addresses": [], "tokens": [], "events": 0}


@pytest.mark.django_db
def test_register_without_a_password_is_invalid_input(api):
    body = {key: value for key, value in REGISTRATION.items() if key != "password"}
    response = api.post("/auth/register", body)
    assert response.status_code == 422
    assert "password" in response.json()["errors"]
    assert not User.objects.exists()


@pytest.mark.django_db
def test_login_starts_a_session_for_the_customer(api, customer, django_assert_max_num_queries):
    # +5 for django-axes: is the account or the address locked (2), then on success drop
    # expired and this login's failed attempts (3).
    with django_assert_max_num_queries(14):
        response = api.post("/auth/login", {"email": "ADA@example.com ", "password": PASSWORD})

    assert response.status_code == 200
    assert response.json()["public_id"] == customer.public_id
    assert settings.SESSION_COOKIE_NAME in response.cookies
    assert api.get("/me").json()["email"] == "ada@example.com"


@pytest.mark.django_db
@pytest.mark.parametrize(("email", "password"), [
    ("ada@example.com", "wrong-password"), ("nobody@example.com", PASSWORD),
])
def test_login_with_wrong_credentials_gives_the_same_401(api, customer, email, password):
    before = database_state()

    response = api.post("/auth/login", {"email": email, "password": password})

    assert response.status_code == 401
    assert response.json()["type"].endswith("/invalid-credentials")
    assert response.json()["detail"] == "The email address or password is incorrect."
    assert api.get("/me").status_code == 401
    assert database_state() == before


@pytest.mark.django_db
def test_login_of_an_inactive_customer_is_refused(api):
    UserFactory(email="gone@example.com", is_active=False)
    response = api.post("/auth/login", {"email": "gone@example.com", "password": PASSWORD})
    assert response.status_code == 401


@pytest.mark.django_db
def test_logout_ends_the_session(api, customer, django_assert_max_num_queries):
    api.client.force_login(customer)

    with django_assert_max_num_queries(5):  # +1: django-axes drops expired attempts
        assert api.post("/auth/logout").status_code == 204
    assert api.get("/me").status_code == 401


@pytest.mark.django_db
def test_logout_when_anonymous_is_a_no_op(api):
    assert api.post("/auth/logout").status_code == 204


@pytest.mark.django_db
def test_logout_by_session_without_csrf_token_is_refused(csrf_client):
    response = csrf_client.post("/api/v1/auth/logout")

    assert response.status_code == 403
    assert csrf_client.get("/api/v1/me").status_code == 200


@pytest.mark.django_db
def test_logout_by_session_with_csrf_token_works(csrf_client):
    response = csrf_client.post("/api/v1/auth/logout", headers={"X-CSRFToken": CSRF_SECRET})

    assert response.status_code == 204
    assert csrf_client.get("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_login_is_csrf_exempt(customer):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/auth/login", {"email": customer.email, "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 200


@pytest.mark.django_db
def test_create_token_returns_it_once_and_stores_only_its_digest(
        api, customer, django_assert_max_num_queries):
    # +6: django-axes as for a session login (5), and last_login noted (a token is a login).
    with django_assert_max_num_queries(11):
        response = api.post("/auth/tokens", {"email": customer.email, "password": PASSWORD,
                                             "name": "my script"})

    assert response.status_code == 201
    body = response.json()
    stored = ApiToken.objects.get()
    assert stored.digest == token_digest(body["token"])
    assert body["token"] not in {stored.digest, stored.name}
    assert stored.name == "my script"
    expected_expiry = timezone.now() + settings.MERCATO_API_TOKEN_TTL
    assert abs(stored.expires_at - expected_expiry) < timedelta(minutes=1)
    assert Event.objects.filter(type="ApiTokenIssued", aggregate_id=customer.public_id).exists()
    me = api.get("/me", Authorization=f"Bearer {body['token']}")
    assert me.json()["public_id"] == customer.public_id


@pytest.mark.django_db
def test_create_token_with_wrong_password_is_401_and_creates_nothing(api, customer):
    before = database_state()
    response = api.post("/auth/tokens", {"email": customer.email, "password": "nope"})
    assert response.status_code == 401
    assert database_state() == before


@pytest.mark.django_db
def test_revoke_current_token_deletes_it(api, customer, django_assert_max_num_queries):
    headers = bearer_for(customer)
    other = bearer_for(customer, token="test-token-other-abcdefghijklmnop")

    with django_assert_max_num_queries(7):
        response = api.delete("/auth/tokens/current", **headers)

    assert response.status_code == 204
    assert api.get("/me", **headers).status_code == 401
    assert api.get("/me", **other).status_code == 200
    assert Event.objects.filter(type="ApiTokenRevoked").count() == 1


@pytest.mark.django_db
def test_revoke_current_token_needs_a_bearer_token(api, customer):
    bearer_for(customer)
    api.client.force_login(customer)
    before = database_state()

    assert api.delete("/auth/tokens/current").status_code == 401
    assert api.delete("/auth/tokens/current", Authorization="Bearer unknown").status_code == 401
    assert database_state() == before


@pytest.mark.django_db
def test_weak_password_errors_are_django_validator_messages(api):
    response = api.post("/auth/register", {**REGISTRATION, "password": "short"})
    assert response.json()["errors"]["password"] == [
        "This password is too short. It must contain at least 8 characters.",
    ]
