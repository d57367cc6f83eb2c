"""Locks that several writers of one DuckLake take in its PostgreSQL catalog.

DuckLake settles most concurrent commits itself: two transactions that append to the same table are
retried against each other's snapshot, and only real conflicts fail (a delete from the same data file,
two creates of one name). Three things it cannot settle, because under snapshot isolation neither
writer sees the other's uncommitted work:

- the first attach of a new lake: each writer creates the catalog's metadata schema, and the second
  fails on PostgreSQL's unique name;
- `create ... if not exists` of the same table by two writers: the second commit conflicts;
- two writers loading the same file: both see no promoted load, both insert, and the file's rows
  would be there twice.

So each of these runs under a PostgreSQL advisory lock of the catalog database: session-level, held
only around the attach, the DDL, or one file's load transaction (re-checked under the lock), and
released by PostgreSQL itself when a writer dies (kill -9 included). Writers of different files of
one table still run at once. On the embedded target there is one writer and no lock.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

import duckdb

from orchestration.layout import Layout


def lock_key(metadata_schema: str, *parts: str) -> int:
    """A signed 64-bit advisory-lock key for one lake (its metadata schema) and these names: a digest of
    a few names once per file or DDL, never per row."""
    text = "\x1f".join((metadata_schema, *parts))
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True)


@contextmanager
def _advisory_lock(catalog: str, key: int) -> Iterator[None]:
    import psycopg

    with psycopg.connect(catalog, autocommit=True) as pg:
        pg.execute("select pg_advisory_lock(%s)", [key])
        try:
            yield
        finally:
            pg.execute("select pg_advisory_unlock(%s)", [key])


def attach_lock(layout: Layout) -> AbstractContextManager[None]:
    """Around the attach of the layout's lake: the first one creates its catalog."""
    return _advisory_lock(layout.lake_catalog, lock_key(layout.lake_metadata_schema, "attach"))


@contextmanager
def lake_lock(con: duckdb.DuckDBPyConnection, *parts: str) -> Iterator[None]:
    """Hold the lock named by `parts` on the lake that is `con`'s default catalog; a no-op on the
    embedded file (one writer)."""
    row = con.execute(
        "select path, options from duckdb_databases() where database_name = current_database() and type = 'ducklake'"
    ).fetchone()
    if row is None:
        yield
        return
    path, options = row
    with _advisory_lock(path.removeprefix("postgres:"), lock_key(options.get("metadata_schema", "public"), *parts)):
        yield
