"""Settings come from the environment; production mode refuses the development secret."""

import os
import subprocess
import sys
from pathlib import Path

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


def load_security_settings(**env: str) -> dict[str, str]:
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(repr((getattr(s, 'SECURE_PROXY_SSL_HEADER', None), s.SECURE_SSL_REDIRECT, "
            "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)))")
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("MERCATO_HSTS", "MERCATO_BEHIND", "MERCATO_SSL"))}
    environment.update(env, DJANGO_SETTINGS_MODULE="mercato.settings")
    result = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True,
                            text=True, timeout=60, check=True)
    return result.stdout.strip()


def test_tls_and_hsts_are_off_by_default_so_plain_http_development_works():
    assert load_security_settings() == "(None, False, 0, False, False)"


def test_behind_a_tls_proxy_the_forwarded_scheme_is_believed_and_http_redirects():
    assert load_security_settings(MERCATO_BEHIND_TLS_PROXY="on") == (
        "(('HTTP_X_FORWARDED_PROTO', 'https'), True, 0, False, False)")
    assert load_security_settings(MERCATO_BEHIND_TLS_PROXY="on", MERCATO_SSL_REDIRECT="off") \
        .startswith("(('HTTP_X_FORWARDED_PROTO', 'https'), False")


def test_hsts_is_set_by_env():
    assert load_security_settings(
        MERCATO_HSTS_SECONDS="31536000", MERCATO_HSTS_INCLUDE_SUBDOMAINS="on",
        MERCATO_HSTS_PRELOAD="on") == "(None, False, 31536000, True, True)"


# What README.md's "Production settings" section tells a deployment to set.
PRODUCTION_ENV = {
    "DEBUG": "off", "SECRET_KEY": "k7-Qz2vR9xT4mW8pL1nB6yH3cF5jD0sA-gE7uI2oP9wK4rT6yU1",
    "ALLOWED_HOSTS": "shop.example.com", "CSRF_TRUSTED_ORIGINS": "https://shop.example.com",
    "MERCATO_BEHIND_TLS_PROXY": "on", "MERCATO_HSTS_SECONDS": "31536000",
    "MERCATO_HSTS_INCLUDE_SUBDOMAINS": "on", "MERCATO_HSTS_PRELOAD": "on",
}


def check_deploy(**env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment, capture_output=True, text=True, timeout=120,
        cwd=Path(__file__).resolve().parents[1])


def test_check_deploy_is_clean_with_the_documented_production_settings():
    result = check_deploy(**PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_names_what_is_missing_without_them():
    result = check_deploy(DEBUG="off", SECRET_KEY=PRODUCTION_ENV["SECRET_KEY"])

    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


def test_the_readme_documents_those_production_settings():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Production settings", 1)[1].split("\n## ", 1)[0]

    assert all(f"{name}=" in section for name in PRODUCTION_ENV if name != "SECRET_KEY")
    assert "SECRET_KEY" in section and "check --deploy" in section


def test_a_broker_url_other_than_redis_or_amqp_is_a_clear_error():
    result = load_settings(CELERY_BROKER_URL="sqs://queue.example")
    assert result.returncode != 0
    assert "CELERY_BROKER_URL must be redis://... or amqp://..." in result.stderr
