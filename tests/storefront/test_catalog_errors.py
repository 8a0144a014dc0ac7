"""The 500 page: in the shop's layout, rendered without the database (which may be what
failed)."""

from django.conf import settings
from django.test import RequestFactory

from mercato.storefront.views.errors import server_error


def test_server_error_page_needs_no_database():
    # No django_db mark: touching the database here would fail the test.
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert settings.MERCATO_SHOP_NAME in page
    assert 'href="/"' in page
