"""A NUL character anywhere, or a body over the upload limit, is refused before any view runs:
problem+json for the API, the shop's error page for pages, and nothing changes."""

import json

import pytest
from django.apps import apps
from django.test import override_settings

NUL = "\x00"

# (method, path, query, JSON body, the field the problem names) for the endpoints acceptance
# testing saw fail with 500 on PostgreSQL.
NUL_REQUESTS = [
    ("post", "/orders/lookup", None, {"number": "MRC-1" + NUL, "email": "a@example.com"},
     "number"),
    ("post", "/returns/lookup", None, {"rma": "R-1", "email": "a" + NUL + "@example.com"},
     "email"),
    ("post", "/returns/guest", None,
     {"order_number": "MRC-1", "email": "a@example.com",
      "lines": [{"order_line_id": "L1", "quantity": 1, "reason": "other", "resolution": "exchange",
                 "exchange_sku": "SKU" + NUL}]}, "lines.0.exchange_sku"),
    ("post", "/cart/coupons", None, {"code": "SAVE" + NUL}, "code"),
    ("delete", "/cart/coupons/SAVE%00", None, None, "path"),
    ("get", "/products", {"q": "shirt" + NUL}, None, "q"),
    ("get", "/products", {"brand": ["acme", "x" + NUL]}, None, "brand"),
    ("get", "/products/shirt%00", None, None, "path"),
    ("post", "/auth/register", None,
     {"email": "new" + NUL + "@example.com", "password": "a-long-passphrase",
      "first_name": "Ada", "last_name": "Lovelace"}, "email"),
    ("post", "/auth/login", None, {"email": "a@example.com", "password": "pw" + NUL}, "password"),
    ("post", "/cart/lines", None, {"sku": "SKU" + NUL, "quantity": 1}, "sku"),
    ("patch", "/cart/lines/SKU%00", None, {"quantity": 2}, "path"),
    ("post", "/warehouse/returns/R-1/receive", None,
     {"warehouse": "MAIN", "lines": [{"return_line_id": "R1", "quantity": 1,
                                      "condition": "resellable", NUL: "x"}]},
     "lines.0.\\u0000"),
]


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count()
            for model in apps.get_models() if model.__module__.startswith("mercato.")}


def call(client, method, path, query=None, body=None, **headers):
    url = f"/api/v1{path}"
    if body is None:
        return getattr(client, method)(url, data=query, headers=headers)
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json",
                                   headers=headers)


def assert_refused_nul(response, field):
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "https://mercato.dev/problems/invalid-input"
    assert "NUL character" in problem["detail"]
    assert list(problem["errors"]) == [field]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "query", "body", "field"), NUL_REQUESTS,
                         ids=[f"{r[0]} {r[1]} {r[4]}" for r in NUL_REQUESTS])
def test_a_nul_character_is_refused_naming_the_field_and_changes_nothing(
        client, method, path, query, body, field):
    before = row_counts()
    response = call(client, method, path, query, body)
    assert_refused_nul(response, field)
    assert row_counts() == before


@pytest.mark.django_db
def test_a_nul_in_a_query_parameter_name_is_refused(client):
    response = client.get("/api/v1/products", {"q" + NUL: "shirt"})
    assert_refused_nul(response, "q\\u0000")


@pytest.mark.django_db
def test_a_nul_in_a_header_is_refused(client):
    response = call(client, "post", "/cart/lines", body={"sku": "A", "quantity": 1},
                    **{"X-Cart-Token": "abc" + NUL})
    assert_refused_nul(response, "X-Cart-Token")


@pytest.mark.django_db
def test_a_nul_in_a_json_body_sent_without_a_json_content_type_is_refused(client):
    response = client.post("/api/v1/auth/login", data='{"email": "a\\u0000", "password": "x"}',
                           content_type="text/plain")
    assert_refused_nul(response, "email")


@pytest.mark.django_db
def test_an_escaped_backslash_before_u0000_is_not_a_nul(client):
    response = call(client, "post", "/auth/login",
                    body={"email": "a@example.com", "password": "a\\u0000x"})
    assert response.status_code == 401


@pytest.mark.django_db
def test_a_nul_in_a_shop_search_shows_the_400_page(client):
    response = client.get("/search/", {"q": "shirt" + NUL})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<h1>Could not read your request</h1>" in page
    assert "NUL character" in page


@pytest.mark.django_db
def test_a_nul_in_a_shop_form_shows_the_400_page_and_logs_nobody_in(client):
    before = row_counts()
    form = {"email": "a" + NUL + "@example.com", "password": "x"}
    response = client.post("/account/login/", form)
    assert response.status_code == 400
    assert "Could not read your request" in response.content.decode()
    assert row_counts() == before


@pytest.mark.django_db
def test_a_nul_in_a_back_office_path_shows_the_400_page(admin_client):
    response = admin_client.get("/admin/orders/order/MRC%00/change/")
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_cart_cookie_with_a_nul_is_ignored(client):
    cookie = 'mercato_cart="abc\\000def"'  # a quoted cookie's octal escape decodes to NUL
    assert client.get("/api/v1/cart", HTTP_COOKIE=cookie).status_code == 404
    assert client.get("/cart/", HTTP_COOKIE=cookie).status_code == 200


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_an_api_body_over_the_upload_limit_is_413_and_changes_nothing(client):
    before = row_counts()
    body = {"email": "big@example.com", "password": "a-long-passphrase", "first_name": "A" * 2000,
            "last_name": "B"}
    response = call(client, "post", "/auth/register", body=body)
    assert response.status_code == 413, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "https://mercato.dev/problems/payload-too-large"
    assert row_counts() == before


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_shop_form_over_the_upload_limit_shows_the_413_page(client):
    response = client.post("/account/login/", {"email": "a@example.com", "password": "x" * 2000})
    assert response.status_code == 413
    assert "Too much data" in response.content.decode()


@pytest.mark.django_db
def test_a_multipart_body_without_a_boundary_is_a_400_problem(client):
    response = client.post("/api/v1/auth/login", data=b"x",
                           content_type="multipart/form-data")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Cannot parse request body"
