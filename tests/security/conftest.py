"""Low limits so that a test reaches them in a few requests."""

import pytest

LOGIN_FAILURE_LIMIT = 3
LIMIT = 2  # requests per window for every throttled scope in these tests


@pytest.fixture(autouse=True)
def low_limits(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
    settings.MERCATO_RATE_LIMITS = {scope: (LIMIT, 900) for scope in
                                    ("lookup", "register", "coupon", "password_reset")}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
