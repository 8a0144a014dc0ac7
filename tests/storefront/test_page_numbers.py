"""A page number past any page (or past what a database OFFSET holds) is a 404 or a dropped
filter on the shop's pages, never a server error."""

import pytest

pytestmark = pytest.mark.django_db

HUGE = "4611686018427387904"


def test_my_orders_page_past_the_bound_is_not_found(customer_client):
    assert customer_client.get("/account/orders/", {"page": HUGE}).status_code == 404


def test_my_orders_page_that_is_no_number_is_the_first(customer_client):
    assert customer_client.get("/account/orders/", {"page": "x"}).status_code == 200


@pytest.mark.parametrize("page", [HUGE, "-1", "1e9", "99999999999999999999999"])
def test_a_listing_page_out_of_bounds_answers_without_a_server_error(client, shop_catalog, page):
    assert client.get("/search/", {"q": "", "page": page}).status_code == 200
