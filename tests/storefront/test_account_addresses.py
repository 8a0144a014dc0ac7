"""Account pages: the address book (list, add, edit, delete, defaults)."""

import re

import pytest

from mercato.core.models import Event
from mercato.customers.models import Address, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
BERLIN = {
    "first_name": "Ada", "last_name": "Lovelace", "street_address_1": "Unter den Linden 1",
    "city": "Berlin", "postal_code": "10117", "country": "DE", "phone": "030 1234567",
}


@pytest.fixture
def customer(client) -> User:
    customer = UserFactory(email="ada@example.com")
    client.force_login(customer)
    return customer


def field_errors(response) -> dict[str, str]:
    """{field id: its error} from the page."""
    return dict(re.findall(r'class="field-error" id="id_(\w+)_error">([^<]*)<',
                           response.content.decode()))


def test_adding_an_address_normalises_it_and_lists_it(client, customer):
    response = client.post("/account/addresses/add/", BERLIN | {"is_default_shipping": "on"})

    assert response.status_code == 302 and response["Location"] == "/account/addresses/"
    address = Address.objects.get(customer=customer)
    assert (address.city, address.phone, address.is_default_shipping) == (
        "BERLIN", "+49301234567", True)
    page = client.get("/account/addresses/").content.decode()
    assert "Unter den Linden 1" in page and "Default shipping address" in page
    assert "The address is saved." in page


def test_an_address_wrong_for_its_country_shows_the_error_next_to_the_field(client, customer):
    response = client.post("/account/addresses/add/", BERLIN | {"postal_code": "1234"})

    assert response.status_code == 200
    assert field_errors(response) == {"postal_code": "Enter a valid postal code for Germany."}
    assert "The address is incomplete or invalid." in response.content.decode()
    assert 'value="Unter den Linden 1"' in response.content.decode()  # what was typed stays
    assert not Address.objects.exists()
    assert not Event.objects.exists()


def test_us_addresses_need_a_state_and_a_zip_code(client, customer):
    response = client.post("/account/addresses/add/", BERLIN | {
        "country": "US", "city": "Mountain View", "postal_code": "", "phone": ""})

    errors = field_errors(response)
    assert errors["postal_code"] == "This field is required."
    assert errors["country_area"] == "This field is required."
    assert not Address.objects.exists()


def test_editing_an_address_shows_it_and_saves_the_change(client, customer):
    client.post("/account/addresses/add/", BERLIN)
    address = Address.objects.get()

    form = client.get(f"/account/addresses/{address.public_id}/").content.decode()
    assert 'value="Unter den Linden 1"' in form
    assert '<option value="DE" selected>' in form

    response = client.post(f"/account/addresses/{address.public_id}/",
                           BERLIN | {"street_address_1": "Friedrichstraße 50",
                                     "is_default_billing": "on"})

    assert response.status_code == 302
    address.refresh_from_db()
    assert (address.street_address_1, address.is_default_billing) == ("Friedrichstraße 50", True)


def test_an_edit_with_an_error_changes_nothing(client, customer):
    client.post("/account/addresses/add/", BERLIN)
    address = Address.objects.get()
    events = Event.objects.count()

    response = client.post(f"/account/addresses/{address.public_id}/",
                           BERLIN | {"postal_code": "ABC"})

    assert "postal_code" in field_errors(response)
    address.refresh_from_db()
    assert address.postal_code == "10117"
    assert Event.objects.count() == events


def test_deleting_an_address(client, customer):
    client.post("/account/addresses/add/", BERLIN)
    address = Address.objects.get()

    assert client.get(f"/account/addresses/{address.public_id}/delete/").status_code == 405
    response = client.post(f"/account/addresses/{address.public_id}/delete/")

    assert response.status_code == 302
    assert not Address.objects.exists()
    assert Event.objects.filter(type="AddressRemoved").count() == 1


def test_making_an_address_the_default_unsets_the_previous_one(client, customer):
    client.post("/account/addresses/add/", BERLIN | {"is_default_shipping": "on"})
    client.post("/account/addresses/add/", BERLIN | {"street_address_1": "Am Markt 2"})
    first, second = Address.objects.order_by("id")

    client.post(f"/account/addresses/{second.public_id}/default/shipping/")

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_default_shipping, second.is_default_shipping) == (False, True)
    assert client.post(f"/account/addresses/{second.public_id}/default/"
                       "elsewhere/").status_code == 404


def test_another_customers_address_is_not_found(client, customer):
    other = Address.objects.create(customer=UserFactory(), **BERLIN)

    assert client.get(f"/account/addresses/{other.public_id}/").status_code == 404
    assert client.post(f"/account/addresses/{other.public_id}/", BERLIN).status_code == 404
    assert client.post(f"/account/addresses/{other.public_id}/delete/").status_code == 404
    assert Address.objects.filter(pk=other.pk).exists()


def test_the_address_book_needs_login(client):
    response = client.get("/account/addresses/")

    assert response["Location"] == "/account/login/?next=/account/addresses/"


def test_the_address_book_reads_a_bounded_number_of_queries(client, customer,
                                                           django_assert_max_num_queries):
    for number in range(5):
        client.post("/account/addresses/add/", BERLIN | {"street_address_1": f"Am Markt {number}"})

    with django_assert_max_num_queries(4):  # session, user, addresses (+ messages)
        response = client.get("/account/addresses/")
    assert response.content.decode().count('class="address-card"') == 5
