"""EMAIL_URL: console by default, an SMTP server by URL (dj-email-url), bad schemes refused."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from mercato.settings import email_settings


def load_email_settings(**env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items()
                   if k not in {"EMAIL_URL", "MERCATO_FROM_EMAIL"}}
    environment.update(env, DJANGO_SETTINGS_MODULE="mercato.settings")
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER or '-', "
        "s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.EMAIL_TIMEOUT, sep='|'); print(s.DEFAULT_FROM_EMAIL)"
    )
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True,
                          text=True, timeout=60)


def test_without_email_url_mail_goes_to_the_console():
    result = load_email_settings()

    assert result.returncode == 0, result.stderr
    backend, *_ = result.stdout.splitlines()[0].split("|")
    assert backend == "django.core.mail.backends.console.EmailBackend"
    assert result.stdout.splitlines()[1] == "Mercato demo shop <shop@example.com>"


def test_an_smtp_url_sets_host_port_user_and_tls():
    result = load_email_settings(EMAIL_URL="submission://shop%40example.com:p%40ss@mail.example",
                                 MERCATO_FROM_EMAIL="Shop <orders@shop.example>")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "django.core.mail.backends.smtp.EmailBackend|mail.example|587|shop@example.com|True|"
        "False|10",
        "Shop <orders@shop.example>",
    ]


def test_an_unknown_scheme_refuses_to_start():
    result = load_email_settings(EMAIL_URL="smtp+tls://mail.example")

    assert result.returncode != 0
    assert "EMAIL_URL scheme 'smtp+tls' is not one of" in result.stderr


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://mail.example", {"EMAIL_HOST": "mail.example", "EMAIL_PORT": 25,
                             "EMAIL_USE_TLS": False, "EMAIL_USE_SSL": False}),
    ("smtp://u:p@mail.example:2525?tls=1", {"EMAIL_PORT": 2525, "EMAIL_HOST_USER": "u",
                                            "EMAIL_HOST_PASSWORD": "p", "EMAIL_USE_TLS": True}),
    ("smtp://mail.example:465?ssl=1&timeout=3", {"EMAIL_USE_SSL": True, "EMAIL_USE_TLS": False,
                                                 "EMAIL_TIMEOUT": 3}),
    ("submission://mail.example", {"EMAIL_PORT": 587, "EMAIL_USE_TLS": True}),
    ("console://", {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
                    "EMAIL_TIMEOUT": 10}),
])
def test_email_settings_reads_the_url(url, expected):
    parsed = email_settings(url)

    assert {name: parsed.get(name) for name in expected} == expected


@pytest.mark.parametrize("url", ["smtps://mail.example", "mailgun://key@example", "mail.example"])
def test_email_settings_refuses_schemes_it_does_not_know(url):
    with pytest.raises(ImproperlyConfigured, match="is not one of"):
        email_settings(url)
