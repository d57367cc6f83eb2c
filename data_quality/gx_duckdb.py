"""Great Expectations 1.x computing its expectations inside DuckDB, on the caller's own connection.

Everything here leans on GX internals (pinned in pyproject.toml; `tests/test_gx_duckdb.py` fails
the day an upgrade breaks one of them):

1. GX's SQL path over duckdb-engine fails every expectation (GX #10738, #11579): GX opens a
   connection per query and closes it before fetching rows. Dialects listed in
   `sqlalchemy_execution_engine._PERSISTED_CONNECTION_DIALECTS` get one persisted connection
   (and a StaticPool) instead; duckdb is added to that list.
2. The connection GX is given is the pipeline's own DuckDB connection, so GX reads the rows the
   load has written in its still open transaction: the load is validated before it commits, and a
   failed suite rolls it back. The wrapper makes GX's begin/commit/rollback/close no-ops: the
   transaction belongs to the loader, not to GX.
3. GX has no regex operator for DuckDB and leaves `dialect_module` unset. The engine is given the
   PostgreSQL dialect module, whose operator `~` DuckDB also has. DuckDB's `~` matches the whole
   string where PostgreSQL's searches: identical for the anchored patterns (`^...$`) the suites are
   required to use (`tests/test_gx_duckdb.py` checks every suite).
"""

from __future__ import annotations

import os
import types
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import duckdb


class _DialectName(str):
    """`duckdb` as GX compares dialect names: equal to the string, with the `.value` of its enum."""

    @property
    def value(self) -> str:
        return str(self)


@cache
def gx_context():
    """One ephemeral GX context per process, with DuckDB registered (importing GX costs seconds)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine_module

    if "duckdb" not in engine_module._PERSISTED_CONNECTION_DIALECTS:
        engine_module._PERSISTED_CONNECTION_DIALECTS = (
            *engine_module._PERSISTED_CONNECTION_DIALECTS,
            _DialectName("duckdb"),
        )
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _borrowed_connection(con: duckdb.DuckDBPyConnection):
    """duckdb-engine's DBAPI wrapper around `con`, with transaction control left to the caller."""
    from duckdb_engine import ConnectionWrapper

    class BorrowedConnection(ConnectionWrapper):
        def begin(self) -> None:
            pass

        def commit(self) -> None:
            pass

        def rollback(self) -> None:
            pass

        def close(self) -> None:
            pass

    return BorrowedConnection(con)


# The data source of the connection validated last: a loader validates many loads on one connection,
# and a GX data source costs ~50 ms to set up (324 USGS files: 16 s).
_SOURCE: dict[str, Any] = {}


def _source_for(con: duckdb.DuckDBPyConnection):
    import sqlalchemy as sa

    if _SOURCE.get("con") is con:
        return _SOURCE["source"]
    context = gx_context()
    if "name" in _SOURCE:
        context.data_sources.delete(_SOURCE["name"])
        _SOURCE.clear()
    name = f"duckdb_{uuid.uuid4().hex[:12]}"
    source = context.data_sources.add_sql(
        name, connection_string="duckdb:///:memory:", kwargs={"creator": lambda: _borrowed_connection(con)}
    )
    source.get_execution_engine().dialect_module = types.SimpleNamespace(dialect=sa.dialects.postgresql.dialect)
    _SOURCE.update(con=con, source=source, name=name)
    return source


@contextmanager
def batch_for_query(con: duckdb.DuckDBPyConnection, query: str) -> Iterator[Any]:
    """A GX batch of `query`'s rows, every metric computed by `con` (inside its open transaction)."""
    source = _source_for(con)
    asset = source.add_query_asset(f"load_{uuid.uuid4().hex[:12]}", query=query)
    try:
        yield asset.add_batch_definition_whole_table("whole_load").get_batch()
    finally:
        source.delete_asset(asset.name)


def expectation_suite(suite_dict: dict[str, Any]):
    import great_expectations as gx

    gx_context()
    return gx.ExpectationSuite(**suite_dict)
