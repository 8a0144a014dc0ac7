"""The e2e infrastructure works: the real server answers and Chromium renders its home page."""

from tests.e2e.conftest import SCREENSHOTS


def test_home_page_renders(page, server):
    response = page.goto("/")
    assert response is not None and response.status == 200, server.log_tail()
    assert page.title()
    assert page.locator("body").inner_text().strip()


def test_static_files_are_served_by_whitenoise(page, server):
    response = page.request.get(f"{server.url}/static/storefront/site.css")
    assert response.status == 200, server.log_tail()
    assert SCREENSHOTS.name == "screenshots"
