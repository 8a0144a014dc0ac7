import pytest

from mercato.customers.errors import InvalidAddress
from mercato.customers.rules import token_digest, validate_address

BERLIN = {
    "first_name": "Ada", "last_name": "Lovelace", "street_address_1": "Unter den Linden 1",
    "city": "Berlin", "postal_code": "10117", "country": "DE",
}


def errors_of(data: dict) -> dict[str, list[str]]:
    with pytest.raises(InvalidAddress) as caught:
        validate_address(data)
    return caught.value.errors


def test_valid_german_address_is_normalised():
    address = validate_address({**BERLIN, "country": "de", "city": " berlin "})
    assert address["city"] == "BERLIN"
    assert address["country"] == "DE"
    assert address["postal_code"] == "10117"
    assert address["street_address_2"] == ""


def test_only_address_fields_are_returned():
    address = validate_address({**BERLIN, "is_default_shipping": True, "extra": "x"})
    assert set(address) == {
        "first_name", "last_name", "company_name", "street_address_1", "street_address_2",
        "city", "city_area", "postal_code", "country", "country_area", "phone",
    }


def test_german_postal_code_must_have_five_digits():
    assert errors_of({**BERLIN, "postal_code": "ABC"}) == {
        "postal_code": ["Enter a valid postal code for Germany."],
    }


def test_missing_fields_are_each_reported_as_required():
    errors = errors_of({"country": "DE"})
    for field in ("first_name", "last_name", "street_address_1", "city", "postal_code"):
        assert errors[field] == ["This field is required."]


def test_us_address_needs_a_state():
    address = {**BERLIN, "city": "Mountain View", "postal_code": "94043", "country": "US"}
    assert errors_of(address) == {"country_area": ["This field is required."]}


def test_us_state_is_normalised_to_its_code_and_zip_checked():
    address = {**BERLIN, "city": "Mountain View", "postal_code": "94043", "country": "US",
               "country_area": "california"}
    assert validate_address(address)["country_area"] == "CA"
    assert errors_of({**address, "postal_code": "9404"}) == {
        "postal_code": ["Enter a valid ZIP code for United States of America."],
    }


def test_gb_postcode_format_is_checked():
    london = {**BERLIN, "city": "London", "country": "GB", "postal_code": "sw1a 2aa"}
    assert validate_address(london)["postal_code"] == "SW1A 2AA"
    assert errors_of({**london, "postal_code": "12345"}) == {
        "postal_code": ["Enter a valid postal code for United Kingdom."],
    }


def test_unknown_country_is_rejected():
    assert errors_of({**BERLIN, "country": "XX"}) == {
        "country": ["Select a valid country (ISO 3166-1 alpha-2 code such as DE)."],
    }


def test_national_phone_number_is_stored_in_e164_for_the_address_country():
    assert validate_address({**BERLIN, "phone": "030 1234567"})["phone"] == "+49301234567"
    london = {**BERLIN, "city": "London", "country": "GB", "postal_code": "SW1A 2AA"}
    assert validate_address({**london, "phone": "020 7946 0018"})["phone"] == "+442079460018"


def test_international_phone_number_from_another_country_is_kept():
    assert validate_address({**BERLIN, "phone": "+1 650-253-0000"})["phone"] == "+16502530000"


@pytest.mark.parametrize("phone", ["12", "not a phone", "+49 1"])
def test_invalid_phone_number_is_rejected_with_an_example(phone):
    [message] = errors_of({**BERLIN, "phone": phone})["phone"]
    assert message.startswith("Enter a valid phone number for Germany, e.g. +49")


def test_token_digest_is_sha256_hex():
    assert token_digest("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
