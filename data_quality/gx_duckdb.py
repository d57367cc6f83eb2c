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
4. GX's own Python, not DuckDB, was most of a small load's validation (0.12 s a USGS file, 347
   files in the sample). Two costs go: `Expectation.configuration`, a property that rebuilds the
   configuration through pydantic's `dict()` on every read (about 70 reads per expectation per
   call), is computed once per expectation while a batch is validated (`_memoised_configurations`);
   and the ephemeral context, which saves nothing, no longer serialises its whole config to YAML
   each time a query asset is added or deleted.
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
    # an ephemeral context keeps its config in memory: "saving" it only renders it as YAML
    context._save_project_config = lambda: None
    _memoise_configurations()
    return context


# id(expectation) -> (expectation, its configuration), while a batch is validated; None otherwise
_CONFIGURATIONS: dict[int, tuple[Any, Any]] | None = None


def _memoise_configurations() -> None:
    """`Expectation.configuration`, computed once per expectation while `_CONFIGURATIONS` is on."""
    from great_expectations.expectations.expectation import Expectation

    built = Expectation.configuration.fget
    if getattr(built, "memoised", False):
        return

    def configuration(self):
        if _CONFIGURATIONS is None:
            return built(self)
        # the expectation is held with its configuration: its id cannot be reused while memoised
        hit = _CONFIGURATIONS.get(id(self))
        if hit is None or hit[0] is not self:
            hit = _CONFIGURATIONS[id(self)] = (self, built(self))
        return hit[1]

    configuration.memoised = True
    Expectation.configuration = property(configuration, doc=Expectation.configuration.__doc__)


@contextmanager
def _memoised_configurations() -> Iterator[None]:
    # Expectations are not changed while a suite is validated (GX deep-copies the configuration where
    # it edits one): a configuration read twice is the same configuration.
    global _CONFIGURATIONS
    _CONFIGURATIONS = {}
    try:
        yield
    finally:
        _CONFIGURATIONS = None


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
        with _memoised_configurations():
            yield asset.add_batch_definition_whole_table("whole_load").get_batch()
    finally:
        source.delete_asset(asset.name)


def expectation_suite(suite_dict: dict[str, Any]):
    import great_expectations as gx

    gx_context()
    return gx.ExpectationSuite(**suite_dict)
