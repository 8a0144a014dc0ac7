import pytest
from django.urls import reverse

from mercato.customers.models import User
from tests.admin.helpers import count_queries, form_data
from tests.factories import AddressFactory, ApiTokenFactory, UserFactory

USERS = reverse("admin:customers_user_changelist")


def listed(staff_client, **params: str) -> set[str]:
    response = staff_client.get(USERS, params)
    assert response.status_code == 200
    return {user.email for user in response.context["cl"].result_list}


@pytest.mark.django_db
def test_staff_adds_a_user_by_email_without_username(staff_client):
    response = staff_client.post(reverse("admin:customers_user_add"), {
        "email": "New.Person@Example.com", "first_name": "New", "last_name": "Person",
        "usable_password": "true", "password1": "a-long-passphrase-42",
        "password2": "a-long-passphrase-42",
    })

    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.com")
    assert user.check_password("a-long-passphrase-42")
    assert not user.is_staff


@pytest.mark.django_db
def test_adding_a_user_with_a_taken_email_in_another_case_is_refused(staff_client):
    UserFactory(email="taken@example.com")

    response = staff_client.post(reverse("admin:customers_user_add"), {
        "email": "TAKEN@example.com", "usable_password": "false",
    })

    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1


@pytest.mark.django_db
def test_user_change_page_edits_the_user_and_keeps_addresses(staff_client):
    customer = UserFactory(email="ada@example.com")
    address = AddressFactory(customer=customer)
    url = reverse("admin:customers_user_change", args=[customer.pk])
    data = form_data(staff_client.get(url))
    data["first_name"] = "Augusta"
    data["addresses-0-city"] = "LONDON"

    response = staff_client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    customer.refresh_from_db()
    address.refresh_from_db()
    assert (customer.first_name, address.city) == ("Augusta", "LONDON")


@pytest.mark.django_db
def test_user_list_separates_staff_from_customers(staff_client, superuser):
    UserFactory(email="shopper@example.com")
    UserFactory(email="clerk@example.com", is_staff=True)

    assert listed(staff_client, account="customers") == {"shopper@example.com"}
    assert listed(staff_client, account="staff") == {"clerk@example.com", superuser.email}


@pytest.mark.django_db
def test_user_search_by_email_and_name(staff_client):
    UserFactory(email="grace@example.com", first_name="Grace", last_name="Hopper")
    UserFactory(email="alan@example.com", first_name="Alan", last_name="Turing")

    assert listed(staff_client, q="hopper") == {"grace@example.com"}
    assert listed(staff_client, q="alan@") == {"alan@example.com"}


@pytest.mark.django_db
def test_user_list_query_count_does_not_grow_with_users(staff_client):
    UserFactory.create_batch(3)
    with_three = count_queries(staff_client, USERS)
    UserFactory.create_batch(27)

    assert count_queries(staff_client, USERS) == with_three


@pytest.mark.django_db
def test_api_token_pages_never_show_the_digest(staff_client):
    token = ApiTokenFactory(token="secret-token-value-0001-abcdefghij")

    pages = [
        reverse("admin:customers_apitoken_changelist"),
        reverse("admin:customers_apitoken_change", args=[token.pk]),
        reverse("admin:customers_user_change", args=[token.user_id]),
    ]

    for url in pages:
        content = staff_client.get(url).content.decode()
        assert "secret-t…" in content
        assert token.digest not in content
        assert "secret-token-value" not in content


@pytest.mark.django_db
def test_api_tokens_are_read_only(staff_client):
    token = ApiTokenFactory(name="CI")
    change = reverse("admin:customers_apitoken_change", args=[token.pk])

    assert staff_client.get(reverse("admin:customers_apitoken_add")).status_code == 403
    assert staff_client.post(change, {"name": "renamed"}).status_code == 403
    delete = reverse("admin:customers_apitoken_delete", args=[token.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    token.refresh_from_db()
    assert token.name == "CI"


@pytest.mark.django_db
def test_an_address_with_a_bad_postal_code_is_refused_in_the_back_office(staff_client):
    customer = UserFactory(email="ada@example.com")
    address = AddressFactory(customer=customer, postal_code="10117")
    url = reverse("admin:customers_user_change", args=[customer.pk])
    data = form_data(staff_client.get(url))
    data["addresses-0-postal_code"] = "ABC"

    response = staff_client.post(url, data)

    assert response.status_code == 200
    assert "Enter a valid postal code for Germany." in response.content.decode()
    address.refresh_from_db()
    assert address.postal_code == "10117"


@pytest.mark.django_db
def test_the_back_office_stores_addresses_normalised_for_their_country(staff_client):
    customer = UserFactory(email="ada@example.com")
    url = reverse("admin:customers_address_add")
    response = staff_client.post(url, {
        "customer": customer.pk, "first_name": "Ada", "last_name": "Lovelace",
        "street_address_1": "Unter den Linden 1", "city": "berlin", "postal_code": "10117",
        "country": "DE", "phone": "030 1234567",
    })

    assert response.status_code == 302, response.context["errors"]
    address = customer.addresses.get()
    assert (address.city, address.phone) == ("BERLIN", "+49301234567")


@pytest.mark.django_db
def test_only_a_superuser_can_grant_staff_access_or_permissions(client):
    from django.contrib.auth.models import Permission

    editor = UserFactory(email="editor@example.com", is_staff=True)
    editor.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_user", "change_user"]))
    client.force_login(editor)
    url = reverse("admin:customers_user_change", args=[editor.pk])
    data = form_data(client.get(url))
    data["is_superuser"] = "on"
    data["first_name"] = "Eve"

    response = client.post(url, data)

    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.first_name == "Eve"
    assert not editor.is_superuser
    assert editor.user_permissions.count() == 2
