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


def test_home_page_links_to_the_api_docs_and_back_office(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b'href="/api/docs"' in response.content
    assert b'href="/admin/"' in response.content
