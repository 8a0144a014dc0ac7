"""Settings come from the environment; production mode refuses the development secret."""

import os
import subprocess
import sys

import pytest


def load_settings(**env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    environment.update(env, DJANGO_SETTINGS_MODULE="mercato.settings")
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DEBUG, settings.MERCATO_CART_TTL.total_seconds(), "
        "','.join(settings.ALLOWED_HOSTS), settings.DATABASES['default']['NAME'])"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=60
    )


def test_debug_off_with_the_development_secret_refuses_to_start():
    result = load_settings(DEBUG="0")
    assert result.returncode != 0
    assert "Refusing to start with DEBUG off and the development SECRET_KEY" in result.stderr


@pytest.mark.parametrize("secret", ["", "   "])
def test_debug_off_with_an_empty_secret_refuses_to_start(secret):
    result = load_settings(DEBUG="0", SECRET_KEY=secret)
    assert result.returncode != 0
    assert "Refusing to start with DEBUG off and an empty SECRET_KEY" in result.stderr


def test_debug_off_with_a_real_secret_starts():
    result = load_settings(DEBUG="0", SECRET_KEY="s3cr3t-" * 8, ALLOWED_HOSTS="shop.example")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "False"
    assert "shop.example" in result.stdout


@pytest.mark.parametrize(("value", "seconds"), [("30d", 2592000.0), ("12h", 43200.0), ("90", 90.0)])
def test_cart_ttl_reads_durations(value, seconds):
    result = load_settings(MERCATO_CART_TTL=value)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == str(seconds)


def test_a_malformed_cart_ttl_is_a_clear_error():
    result = load_settings(MERCATO_CART_TTL="soon")
    assert result.returncode != 0
    assert "MERCATO_CART_TTL='soon' is not a duration" in result.stderr


def test_default_database_is_sqlite_under_var():
    result = load_settings(DATABASE_URL="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[3].endswith("var/mercato.sqlite3")


def test_database_url_selects_postgresql():
    result = load_settings(DATABASE_URL="postgres://shop@db.example:5432/shop")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[3] == "shop"
