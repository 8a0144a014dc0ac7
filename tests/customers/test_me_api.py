from datetime import timedelta

import pytest
from django.utils import timezone

from mercato.core.models import Event
from mercato.customers.auth import user_for_token
from mercato.customers.models import ApiToken
from tests.customers.conftest import CSRF_SECRET, database_state
from tests.factories import ApiTokenFactory, UserFactory


@pytest.mark.django_db
def test_me_with_a_bearer_token(api, customer, bearer, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = api.get("/me", **bearer)

    assert response.status_code == 200
    assert response.json() == {
        "public_id": customer.public_id, "email": "ada@example.com", "first_name": "Ada",
        "last_name": "Lovelace", "marketing_consent": False,
    }


@pytest.mark.django_db
def test_me_with_a_session(api, customer, django_assert_max_num_queries):
    api.client.force_login(customer)
    with django_assert_max_num_queries(2):
        response = api.get("/me")
    assert response.json()["public_id"] == customer.public_id


@pytest.mark.django_db
def test_me_when_anonymous_is_a_401_problem(api):
    response = api.get("/me")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
def test_expired_token_is_a_401(api, customer):
    ApiTokenFactory(user=customer, token="expired-token-abcdefghijklmnopqrst",
                    expires_at=timezone.now() - timedelta(seconds=1))
    response = api.get("/me", Authorization="Bearer expired-token-abcdefghijklmnopqrst")
    assert response.status_code == 401
    assert response.json()["detail"] == "The API token is unknown or has expired."


@pytest.mark.django_db
def test_unknown_token_is_a_401_even_with_a_session(api, customer):
    api.client.force_login(customer)
    assert api.get("/me", Authorization="Bearer no-such-token").status_code == 401


@pytest.mark.django_db
def test_token_of_an_inactive_user_is_a_401(api):
    user = UserFactory(is_active=False)
    ApiTokenFactory(user=user, token="inactive-token-abcdefghijklmnopqrst")
    assert api.get("/me", Authorization="Bearer inactive-token-abcdefghijklmnopqrst"
                   ).status_code == 401


@pytest.mark.django_db
def test_token_use_is_noted_at_most_once_a_minute(customer, django_assert_num_queries):
    token = ApiTokenFactory(user=customer, token="touch-token-abcdefghijklmnopqrstu")
    with django_assert_num_queries(2):
        user_for_token("touch-token-abcdefghijklmnopqrstu")
    first_use = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first_use is not None

    with django_assert_num_queries(1):
        user_for_token("touch-token-abcdefghijklmnopqrstu")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first_use

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - timedelta(minutes=2))
    user_for_token("touch-token-abcdefghijklmnopqrstu")
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first_use - timedelta(minutes=1)


@pytest.mark.django_db
def test_patch_me_changes_only_the_fields_sent(api, customer, bearer,
                                              django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = api.patch("/me", {"first_name": " Augusta ", "marketing_consent": True},
                             **bearer)

    assert response.status_code == 200
    assert response.json()["first_name"] == "Augusta"
    customer.refresh_from_db()
    assert (customer.first_name, customer.last_name) == ("Augusta", "Lovelace")
    assert customer.marketing_consent is True
    changed = Event.objects.get(type="CustomerProfileChanged")
    assert changed.payload["changed_fields"] == "first_name,marketing_consent"
    consent = Event.objects.get(type="MarketingConsentChanged")
    assert consent.payload["marketing_consent"] is True


@pytest.mark.django_db
def test_patch_me_with_nothing_new_records_nothing(api, customer, bearer):
    before = database_state()
    response = api.patch("/me", {"first_name": "Ada"}, **bearer)
    assert response.status_code == 200
    assert database_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("body", [
    {"first_name": ""}, {"last_name": "   "}, {"first_name": None},
    {"marketing_consent": "maybe"}, {"first_name": "x" * 151},
])
def test_patch_me_with_invalid_values_changes_nothing(api, customer, bearer, body):
    before = database_state()
    response = api.patch("/me", body, **bearer)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == list(body)
    assert database_state() == before


@pytest.mark.django_db
def test_patch_me_when_anonymous_is_401(api):
    assert api.patch("/me", {"first_name": "X"}).status_code == 401


@pytest.mark.django_db
def test_patch_me_by_session_without_csrf_token_is_refused(csrf_client, customer):
    before = database_state()
    response = csrf_client.patch("/api/v1/me", {"first_name": "Eve"},
                                 content_type="application/json")
    assert response.status_code == 403
    assert response.json()["type"].endswith("/permission-denied")
    assert database_state() == before


@pytest.mark.django_db
def test_patch_me_by_session_with_csrf_token_works(csrf_client, customer):
    response = csrf_client.patch("/api/v1/me", {"first_name": "Eve"},
                                 content_type="application/json",
                                 headers={"X-CSRFToken": CSRF_SECRET})
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.first_name == "Eve"


@pytest.mark.django_db
def test_bearer_write_needs_no_csrf_token(customer, bearer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.patch("/api/v1/me", {"first_name": "Eve"},
                            content_type="application/json", headers=bearer)
    assert response.status_code == 200
