"""Every integer the API takes is bounded by what the database holds and the domain allows: a
number past the bound is a 422 problem naming the field, never a database error (PostgreSQL
refuses a bigint past 2**63 - 1 with a 500 otherwise)."""

import pytest

from mercato.core.schema_types import MAX_PAGE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HUGE = 4611686018427387904  # 2**62: a bigint itself, but not as an OFFSET of page * size


def assert_refuses(response, field: str) -> None:
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in str(response.json()["errors"])


@pytest.mark.parametrize("page", [HUGE, MAX_PAGE + 1, 2**63, 0, -1])
def test_a_product_page_out_of_bounds_is_a_422_problem(api, page):
    assert_refuses(api.get("/products", {"page": page}), "page")


def test_the_last_allowed_product_page_is_an_empty_page(api):
    response = api.get("/products", {"page": MAX_PAGE})

    assert response.status_code == 200 and response.json()["items"] == []


def test_an_order_page_out_of_bounds_is_a_422_problem(api):
    api.client.force_login(UserFactory())
    assert_refuses(api.get("/orders", {"page": HUGE}), "page")


@pytest.mark.parametrize(("field", "value"), [("exp_month", 100), ("exp_month", -1),
                                              ("exp_year", HUGE), ("exp_year", 10_000)])
def test_a_card_expiry_out_of_bounds_is_a_422_problem(api, field, value):
    card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
    assert_refuses(api.post("/test-gateway/tokens", card | {field: value}), field)


def test_a_return_line_id_past_a_bigint_is_a_422_problem(api):
    api.client.force_login(UserFactory())
    line = {"order_line_id": 2**63, "quantity": 1, "reason": "faulty", "resolution": "refund"}

    response = api.post("/returns", {"order_number": "MRC-100001", "lines": [line]})

    assert_refuses(response, "order_line_id")
