import pytest

from mercato.core.models import Event
from mercato.customers.models import Address
from tests.customers.conftest import CSRF_SECRET, bearer_for, database_state
from tests.factories import AddressFactory, UserFactory

BERLIN = {
    "first_name": "Ada", "last_name": "Lovelace", "street_address_1": "Unter den Linden 1",
    "city": "Berlin", "postal_code": "10117", "country": "de", "phone": "030 1234567",
}


@pytest.mark.django_db
def test_add_address_stores_normalised_values(api, customer, bearer,
                                              django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = api.post("/me/addresses", {**BERLIN, "is_default_shipping": True}, **bearer)

    assert response.status_code == 201
    address = Address.objects.get()
    assert address.customer == customer
    assert response.json() == {
        "public_id": address.public_id, "first_name": "Ada", "last_name": "Lovelace",
        "company_name": "", "street_address_1": "Unter den Linden 1", "street_address_2": "",
        "city": "BERLIN", "city_area": "", "postal_code": "10117", "country": "DE",
        "country_area": "", "phone": "+49301234567", "is_default_shipping": True,
        "is_default_billing": False,
    }
    event = Event.objects.get(type="AddressAdded")
    assert (event.aggregate_id, event.payload["address_id"]) == (
        customer.public_id, address.public_id)


@pytest.mark.django_db
def test_add_us_address_normalises_state_and_phone(api, bearer):
    body = {**BERLIN, "street_address_1": "1600 Amphitheatre Pkwy", "city": "Mountain View",
            "postal_code": "94043", "country": "US", "country_area": "California",
            "phone": "(650) 253-0000"}
    response = api.post("/me/addresses", body, **bearer)
    assert response.status_code == 201
    assert response.json()["country_area"] == "CA"
    assert response.json()["phone"] == "+16502530000"


@pytest.mark.django_db
def test_add_address_by_session(api, customer):
    api.client.force_login(customer)
    assert api.post("/me/addresses", BERLIN).status_code == 201
    assert Address.objects.filter(customer=customer).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "errors"), [
    ({"postal_code": "ABC"}, {"postal_code": ["Enter a valid postal code for Germany."]}),
    ({"city": ""}, {"city": ["This field is required."]}),
    ({"phone": "12"}, {"phone": ["Enter a valid phone number for Germany, e.g. +49 30 123456."]}),
    ({"country": "US", "postal_code": "94043", "phone": ""},
     {"country_area": ["This field is required."]}),
    ({"country": "GB", "postal_code": "1234", "phone": "+44 20 7946 0018"},
     {"postal_code": ["Enter a valid postal code for United Kingdom."]}),
    ({"country": "XX"},
     {"country": ["Select a valid country (ISO 3166-1 alpha-2 code such as DE)."]}),
])
def test_add_invalid_address_is_a_422_per_field_and_adds_nothing(api, bearer, changes, errors):
    before = database_state()

    response = api.post("/me/addresses", {**BERLIN, **changes}, **bearer)

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/invalid-address")
    assert body["errors"] == errors
    assert database_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("body", [
    {key: value for key, value in BERLIN.items() if key != "street_address_1"},
    {**BERLIN, "postal_code": "1" * 21},
    {**BERLIN, "country": "DEU"},
    {**BERLIN, "is_default_billing": "sometimes"},
])
def test_add_address_with_malformed_body_is_a_422(api, bearer, body):
    before = database_state()
    assert api.post("/me/addresses", body, **bearer).status_code == 422
    assert database_state() == before


@pytest.mark.django_db
def test_address_book_needs_a_logged_in_customer(api):
    address = AddressFactory()
    before = database_state()
    assert api.get("/me/addresses").status_code == 401
    assert api.post("/me/addresses", BERLIN).status_code == 401
    assert api.get(f"/me/addresses/{address.public_id}").status_code == 401
    assert api.patch(f"/me/addresses/{address.public_id}", {"city": "Bonn"}).status_code == 401
    assert api.delete(f"/me/addresses/{address.public_id}").status_code == 401
    assert database_state() == before


@pytest.mark.django_db
def test_list_addresses_shows_only_mine_in_order(api, customer, bearer):
    first = AddressFactory(customer=customer)
    second = AddressFactory(customer=customer, city="HAMBURG", postal_code="20095")
    AddressFactory()

    response = api.get("/me/addresses", **bearer)

    assert [item["public_id"] for item in response.json()] == [first.public_id,
                                                               second.public_id]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 25])
def test_list_addresses_query_count_is_bounded(api, customer, count,
                                               django_assert_max_num_queries):
    AddressFactory.create_batch(count, customer=customer)
    api.client.force_login(customer)
    with django_assert_max_num_queries(3):
        response = api.get("/me/addresses")
    assert len(response.json()) == count


@pytest.mark.django_db
def test_show_address(api, customer, bearer, django_assert_max_num_queries):
    address = AddressFactory(customer=customer)
    with django_assert_max_num_queries(3):
        response = api.get(f"/me/addresses/{address.public_id}", **bearer)
    assert response.status_code == 200
    assert response.json()["city"] == "BERLIN"


@pytest.mark.django_db
def test_another_customers_address_is_not_found_for_every_method(api, bearer):
    theirs = AddressFactory(customer=UserFactory())
    before = database_state()
    path = f"/me/addresses/{theirs.public_id}"

    for response in (api.get(path, **bearer), api.patch(path, {"city": "Bonn"}, **bearer),
                     api.delete(path, **bearer), api.get("/me/addresses/unknown", **bearer)):
        assert response.status_code == 404
        assert response.json()["type"].endswith("/address-not-found")
    assert database_state() == before


@pytest.mark.django_db
def test_patch_address_validates_the_merged_address(api, customer, bearer,
                                                    django_assert_max_num_queries):
    address = AddressFactory(customer=customer)

    with django_assert_max_num_queries(8):
        response = api.patch(f"/me/addresses/{address.public_id}",
                             {"city": "hamburg", "postal_code": "20095", "phone": "040 1234567"},
                             **bearer)

    assert response.status_code == 200
    address.refresh_from_db()
    assert (address.city, address.postal_code, address.phone) == ("HAMBURG", "20095",
                                                                  "+49401234567")
    assert address.street_address_1 == "Unter den Linden 1"
    assert Event.objects.filter(type="AddressChanged").count() == 1


@pytest.mark.django_db
def test_patch_address_to_another_country_checks_its_rules(api, customer, bearer):
    address = AddressFactory(customer=customer)
    before = database_state()

    response = api.patch(f"/me/addresses/{address.public_id}",
                         {"country": "US", "postal_code": "1234"}, **bearer)

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "country_area": ["This field is required."],
        "postal_code": ["Enter a valid ZIP code for United States of America."],
    }
    assert database_state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("body", [
    {"postal_code": "ABC"}, {"first_name": ""}, {"street_address_1": "  "}, {"city": None},
    {"phone": "0"},
])
def test_patch_address_with_invalid_values_changes_nothing(api, customer, bearer, body):
    address = AddressFactory(customer=customer)
    before = database_state()
    response = api.patch(f"/me/addresses/{address.public_id}", body, **bearer)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == list(body)
    assert database_state() == before


@pytest.mark.django_db
def test_patch_address_with_nothing_new_records_nothing(api, customer, bearer):
    address = AddressFactory(customer=customer)
    before = database_state()
    response = api.patch(f"/me/addresses/{address.public_id}", {"city": "berlin"}, **bearer)
    assert response.status_code == 200
    assert database_state() == before


@pytest.mark.django_db
def test_delete_address(api, customer, bearer, django_assert_max_num_queries):
    address = AddressFactory(customer=customer)
    kept = AddressFactory(customer=customer)

    with django_assert_max_num_queries(7):
        response = api.delete(f"/me/addresses/{address.public_id}", **bearer)

    assert response.status_code == 204

    assert list(Address.objects.all()) == [kept]
    event = Event.objects.get(type="AddressRemoved")
    assert event.payload["address_id"] == address.public_id


@pytest.mark.django_db
def test_new_default_address_clears_the_previous_default(api, customer, bearer):
    old = AddressFactory(customer=customer, is_default_shipping=True, is_default_billing=True)
    someone_elses = AddressFactory(is_default_shipping=True)

    response = api.post("/me/addresses", {**BERLIN, "is_default_shipping": True}, **bearer)

    new = Address.objects.get(public_id=response.json()["public_id"])
    old.refresh_from_db()
    someone_elses.refresh_from_db()
    assert new.is_default_shipping and not old.is_default_shipping
    assert old.is_default_billing and not new.is_default_billing
    assert someone_elses.is_default_shipping


@pytest.mark.django_db
def test_patching_default_flags_keeps_one_default_of_each_kind(api, customer, bearer):
    first = AddressFactory(customer=customer, is_default_shipping=True)
    second = AddressFactory(customer=customer, is_default_billing=True)

    api.patch(f"/me/addresses/{first.public_id}", {"is_default_billing": True}, **bearer)
    api.patch(f"/me/addresses/{second.public_id}", {"is_default_shipping": True}, **bearer)

    flags = dict(Address.objects.values_list("public_id", "is_default_shipping"))
    assert flags == {first.public_id: False, second.public_id: True}
    billing = dict(Address.objects.values_list("public_id", "is_default_billing"))
    assert billing == {first.public_id: True, second.public_id: False}


@pytest.mark.django_db
def test_unsetting_a_default_flag(api, customer, bearer):
    address = AddressFactory(customer=customer, is_default_shipping=True)
    api.patch(f"/me/addresses/{address.public_id}", {"is_default_shipping": False}, **bearer)
    address.refresh_from_db()
    assert not address.is_default_shipping


@pytest.mark.django_db
def test_address_write_by_session_without_csrf_token_is_refused(csrf_client, customer):
    address = AddressFactory(customer=customer)
    before = database_state()
    path = f"/api/v1/me/addresses/{address.public_id}"

    responses = [
        csrf_client.post("/api/v1/me/addresses", BERLIN, content_type="application/json"),
        csrf_client.patch(path, {"city": "Bonn"}, content_type="application/json"),
        csrf_client.delete(path),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403]
    assert database_state() == before
    assert csrf_client.get("/api/v1/me/addresses").status_code == 200


@pytest.mark.django_db
def test_address_write_by_session_with_csrf_token_works(csrf_client, customer):
    response = csrf_client.post("/api/v1/me/addresses", BERLIN, content_type="application/json",
                                headers={"X-CSRFToken": CSRF_SECRET})
    assert response.status_code == 201


@pytest.mark.django_db
def test_token_and_session_see_the_same_address_book(api, customer):
    AddressFactory(customer=customer)
    by_token = api.get("/me/addresses", **bearer_for(customer)).json()
    api.client.force_login(customer)
    assert api.get("/me/addresses").json() == by_token
