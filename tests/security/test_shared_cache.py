"""With CACHE_URL at Redis, the limit holds across web processes: two separate cache
connections (as two processes have) count against one limit."""

import uuid

import pytest
import redis
from django.core.cache import caches
from django.test import RequestFactory

from mercato.core import throttle
from mercato.core.problems import TooManyRequests
from mercato.settings import cache_settings
from tests.security.conftest import LIMIT

REDIS_URL = "redis://127.0.0.1:6379/1"


def redis_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def redis_cache(settings):
    if not redis_reachable():
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    settings.CACHES = cache_settings(REDIS_URL)
    # A prefix of its own: parallel runs and other tests sharing the database never meet.
    settings.CACHES["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    yield
    caches["default"].clear()


def test_redis_limit_is_shared_by_two_processes(redis_cache, monkeypatch):
    request = RequestFactory().post("/orders/lookup/", REMOTE_ADDR="203.0.113.9")
    first_process, second_process = (caches.create_connection("default") for _ in range(2))
    assert "RedisCache" in type(first_process).__name__

    monkeypatch.setattr(throttle, "cache", first_process)
    for _ in range(LIMIT):
        throttle.check("lookup", request)
    monkeypatch.setattr(throttle, "cache", second_process)

    with pytest.raises(TooManyRequests) as refused:
        throttle.check("lookup", request)
    assert 0 < refused.value.retry_after <= 900


def test_cache_url_chooses_the_backend():
    assert cache_settings("")["default"]["BACKEND"].endswith("LocMemCache")
    redis_backend = cache_settings(REDIS_URL)["default"]
    assert redis_backend == {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                             "LOCATION": REDIS_URL}
