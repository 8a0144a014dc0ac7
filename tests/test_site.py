import pytest

"""Errors anywhere under /api/ are RFC 9457 problem details."""


def test_unknown_api_path_is_a_problem_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404
    assert body["title"] == "Not found"
    assert "/api/v1/no-such-thing" in body["detail"]


def test_openapi_document_and_docs_are_served(client):
    document = client.get("/api/openapi.json")
    assert document.status_code == 200
    assert document.json()["info"]["title"] == "Mercato API"
    assert client.get("/api/docs").status_code == 200


@pytest.mark.django_db
def test_home_page_links_to_the_api_docs_and_back_office(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b'href="/api/docs"' in response.content
    assert b'href="/admin/"' in response.content


def test_the_api_documents_every_endpoint_of_the_shop(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    documented = {(path, method.upper()) for path, operations in paths.items()
                  for method in operations}
    expected = {
        ("/api/v1/products", "GET"), ("/api/v1/products/{slug}", "GET"),
        ("/api/v1/categories", "GET"),
        ("/api/v1/auth/register", "POST"), ("/api/v1/auth/login", "POST"),
        ("/api/v1/auth/logout", "POST"), ("/api/v1/auth/tokens", "POST"),
        ("/api/v1/auth/tokens/current", "DELETE"),
        ("/api/v1/me", "GET"), ("/api/v1/me", "PATCH"),
        ("/api/v1/me/addresses", "GET"), ("/api/v1/me/addresses", "POST"),
        ("/api/v1/me/addresses/{public_id}", "GET"), ("/api/v1/me/addresses/{public_id}", "PATCH"),
        ("/api/v1/me/addresses/{public_id}", "DELETE"),
        ("/api/v1/carts", "POST"), ("/api/v1/cart", "GET"), ("/api/v1/cart/lines", "POST"),
        ("/api/v1/cart/lines/{sku}", "PATCH"), ("/api/v1/cart/lines/{sku}", "DELETE"),
        ("/api/v1/cart/coupons", "POST"), ("/api/v1/cart/coupons/{code}", "DELETE"),
        ("/api/v1/cart/delivery", "PUT"), ("/api/v1/cart/delivery-methods", "GET"),
        ("/api/v1/orders", "GET"), ("/api/v1/orders/{number}", "GET"),
        ("/api/v1/orders/lookup", "POST"),
        ("/api/v1/checkout/quote", "POST"), ("/api/v1/checkout/complete", "POST"),
        ("/api/v1/test-gateway/tokens", "POST"), ("/api/v1/test-gateway/approvals", "POST"),
        ("/api/v1/test-gateway/approvals/{token}/approve", "POST"),
        ("/api/v1/test-gateway/3ds/{reference}/complete", "POST"),
        ("/api/v1/warehouse/warehouses/{code}/released-shipments", "GET"),
        ("/api/v1/warehouse/warehouses/{code}/picklists", "POST"),
        ("/api/v1/warehouse/picklists/{number}", "GET"),
        ("/api/v1/warehouse/picklists/{number}/pdf", "GET"),
        ("/api/v1/warehouse/shipments/{public_id}/packing-slip", "GET"),
        ("/api/v1/warehouse/shipments/{public_id}/ship", "POST"),
        ("/api/v1/returns", "GET"), ("/api/v1/returns", "POST"),
        ("/api/v1/returns/{rma}", "GET"), ("/api/v1/returns/{rma}/instructions", "GET"),
        ("/api/v1/warehouse/returns/{rma}", "GET"),
        ("/api/v1/warehouse/returns/{rma}/receive", "POST"),
        ("/api/v1/warehouse/receipts/{number}/pdf", "GET"),
    }
    assert expected <= documented
