"""Fixtures for the serving paths: the PostgreSQL server and Chromium the repo's scripts start/install.

On CI (CI=true) a missing service is a failure, not a skip: `.ci/run` starts PostgreSQL and installs
Chromium before `make test`, so their absence there means the set-up broke.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import duckdb
import pytest

from orchestration.serving.postgres import PostgresTarget


def open_snapshot(path) -> duckdb.DuckDBPyConnection:
    """The file as it is on disk now. `duckdb.connect(path)` would hand back the instance another
    fixture may hold open in this process (tests/exposure keeps one), i.e. the snapshot as it was."""
    con = duckdb.connect()
    con.execute(f"attach '{path}' as snapshot (read_only)")
    con.execute("use snapshot")
    return con


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason} (CI must provide it: see .ci/run)")
    pytest.skip(reason)


@dataclass(frozen=True)
class Postgres:
    url: str
    reader_url: str
    reader_role: str

    def target(self, schema: str) -> PostgresTarget:
        return PostgresTarget(url=self.url, schema=schema, reader_role=self.reader_role)


@pytest.fixture(scope="session")
def postgres() -> Postgres:
    url, reader_url = os.environ.get("CHIPCHAIN_PG_URL"), os.environ.get("CHIPCHAIN_PG_READER_URL")
    if not (url and reader_url):
        _unavailable("PostgreSQL is not configured: run `make postgres` (scripts/postgres.sh start)")
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.OperationalError as error:
        _unavailable(f"PostgreSQL at CHIPCHAIN_PG_URL does not answer: {error}")
    return Postgres(url, reader_url, os.environ.get("CHIPCHAIN_PG_READER_ROLE", "chipchain_reader"))


@pytest.fixture
def pg_schema(postgres) -> Iterator[str]:
    """A schema name of this test's own; dropped (with whatever a failed publish left) afterwards."""
    import psycopg
    from psycopg import sql

    name = f"marts_test_{uuid.uuid4().hex[:10]}"
    yield name
    with psycopg.connect(postgres.url, autocommit=True) as pg:
        rows = pg.execute("select nspname from pg_namespace where starts_with(nspname, %s)", [name]).fetchall()
        for (schema,) in rows:
            pg.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(schema)))


@pytest.fixture(scope="session")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        _unavailable("chromium is not installed: run scripts/chromium.sh")
    return path
