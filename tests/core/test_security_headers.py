"""The Content-Security-Policy lets only the shop's own scripts run, and no template needs more:
no inline script, no inline event handler, nothing htmx would have to eval."""

import re
from pathlib import Path

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEMPLATES = sorted(Path(__file__).resolve().parents[2].glob("mercato/**/templates/**/*.html"))


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";"))}


def assert_own_scripts_only(response) -> None:
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]


def test_shop_pages_allow_only_the_shops_own_scripts(client):
    assert_own_scripts_only(client.get("/"))
    assert_own_scripts_only(client.get("/cart/"))


def test_account_and_back_office_pages_too(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    assert_own_scripts_only(client.get("/account/"))
    assert_own_scripts_only(client.get("/admin/"))


def test_the_api_documentation_works_under_the_policy(client):
    """Swagger UI is served from the shop's static files, its settings as a JSON data block."""
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert_own_scripts_only(response)
    assert "cdn" not in response.content.decode().lower()


def test_the_templates_were_found():
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_no_template_needs_inline_script_or_eval(template):
    source = template.read_text()
    scripts = re.findall(r"<script\b[^>]*>", source)
    assert all("src=" in tag or 'type="application/json"' in tag for tag in scripts), scripts
    assert not re.search(r"\son[a-z]+\s*=", source), "an inline event handler"
    assert "hx-on" not in source and "javascript:" not in source
    assert "js:" not in source, "hx-vals or hx-headers evaluated as JavaScript"
    triggers = re.findall(r'hx-trigger="([^"]*)"', source)
    assert not any("[" in trigger for trigger in triggers), "an hx-trigger filter is eval"


def test_htmx_is_told_not_to_eval(client):
    page = client.get("/").content.decode()

    assert '"allowEval": false' in page and '"allowScriptTags": false' in page
