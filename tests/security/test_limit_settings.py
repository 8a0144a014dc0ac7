"""MERCATO_RATE_LIMITS overrides the defaults scope by scope; a typo is refused at start, as is
a malformed MERCATO_TRUSTED_PROXIES."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from mercato.settings import rate_limits


def test_the_defaults():
    assert rate_limits("") == {"lookup": (20, 900), "register": (10, 3600),
                               "coupon": (20, 900), "password_reset": (5, 3600)}


def test_an_override_changes_only_its_scope():
    limits = rate_limits("lookup=5/60, coupon=100/900")

    assert limits["lookup"] == (5, 60) and limits["coupon"] == (100, 900)
    assert limits["register"] == (10, 3600)


@pytest.mark.parametrize("raw", ["lokup=5/60", "lookup=5", "lookup=five/60", "lookup",
                                 "lookup=5/0"])
def test_a_malformed_override_is_refused(raw):
    with pytest.raises(ImproperlyConfigured, match="MERCATO_RATE_LIMITS"):
        rate_limits(raw)


def test_a_malformed_trusted_proxy_stops_start_up():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], capture_output=True, text=True,
        timeout=60, env={**os.environ, "DJANGO_SETTINGS_MODULE": "mercato.settings",
                         "MERCATO_TRUSTED_PROXIES": "10.0.0.0/8,proxy.internal"})

    assert result.returncode != 0
    assert "MERCATO_TRUSTED_PROXIES item 'proxy.internal'" in result.stderr
