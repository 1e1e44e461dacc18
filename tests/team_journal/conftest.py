"""One PostgreSQL server for the whole test session (starting one takes seconds); each test uses
its own database on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.team_journal.pg_server import PostgresServer, require_server_bin


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    server = PostgresServer(require_server_bin())
    try:
        yield server
    finally:
        server.destroy()


@pytest.fixture(autouse=True)
def no_idle_connections_left() -> Iterator[None]:
    """Each test's databases are its own: the process's pooled connections to them end with it."""
    yield
    from adobe_orders.journal.postgres_pool import close_idle_connections

    close_idle_connections()


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> str:
    """A journal URL for a database of its own, as its owner (the superuser)."""
    return pg_server.url(database=pg_server.fresh_database())
