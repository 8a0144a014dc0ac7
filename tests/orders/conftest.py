import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _postgres_only(request):
    """Tests marked `postgres` need its row locks and concurrent connections (SQLite
    serialises writers, so there is nothing to race)."""
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
