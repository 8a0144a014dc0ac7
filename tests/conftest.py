import pytest
from django.core.cache import cache
from django.db import connection
from ninja.testing import TestClient  # noqa: F401 - re-exported for tests that want it


@pytest.fixture(autouse=True)
def fresh_abuse_limits():
    """Each test starts with no requests counted against the per-address limits (axes keeps its
    failed logins in the database, which each test rolls back)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _postgres_only(request):
    """Tests marked `postgres` need its row locks, concurrent connections or a database other
    processes can open (SQLite serialises writers, and the test database is in memory)."""
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def api(client):
    """Django's test client aimed at /api/v1, speaking JSON."""

    class Api:
        def __init__(self, client):
            self.client = client

        def _call(self, method, path, data=None, **headers):
            kwargs = {"content_type": "application/json"} if data is not None else {}
            return getattr(self.client, method)(f"/api/v1{path}", data=data, headers=headers,
                                                **kwargs)

        def get(self, path, params=None, **headers):
            return self.client.get(f"/api/v1{path}", data=params, headers=headers)

        def post(self, path, data=None, **headers):
            return self._call("post", path, data if data is not None else {}, **headers)

        def patch(self, path, data=None, **headers):
            return self._call("patch", path, data if data is not None else {}, **headers)

        def put(self, path, data=None, **headers):
            return self._call("put", path, data if data is not None else {}, **headers)

        def delete(self, path, **headers):
            return self.client.delete(f"/api/v1{path}", headers=headers)

    return Api(client)
