import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_suite_runs_on_the_database_it_was_asked_for() -> None:
    """`make test-postgres` sets EXPECT_DATABASE_VENDOR, so a misread DATABASE_URL
    cannot make the PostgreSQL run quietly fall back to SQLite."""
    expected = os.environ.get("EXPECT_DATABASE_VENDOR", "sqlite")
    assert connection.vendor == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM principles_principle")
        assert cursor.fetchone()[0] == 48
