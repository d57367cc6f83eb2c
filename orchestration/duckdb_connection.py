"""Every DuckDB connection the pipeline opens: bounded memory and a spill directory, said once.

DuckDB's default memory limit is 80% of the machine, and a process that loads a 10M-row year next to
Dagster and GX would take most of it. Every connection (the working database, the snapshot, the
in-memory ones that copy or export) gets `memory_limit` and spills to `<warehouse dir>/.spill`
beyond it. dbt's connection gets the same two values as `config_options` in profiles.yml (applied
once at connect: DuckDB refuses to set the spill directory again once it has been used, which is
what dbt-duckdb's per-cursor `settings` would do).

Settings: WAREHOUSE_MEMORY_LIMIT (default 3GB per connection: at 1GB three marts run out of memory
on a 10M-row BACI year, README "Benchmark") and WAREHOUSE_THREADS (default: all cores). One process
opening one file twice must use one configuration: this module is the only place in the pipeline
that opens files, so it always does (a file a caller opened otherwise is joined, see `connect`).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.settings import Settings, get_settings


def connection_config(settings: Settings | None = None) -> dict[str, str]:
    settings = settings or get_settings()
    spill_dir = settings.layout.spill_dir
    spill_dir.mkdir(parents=True, exist_ok=True)
    config = {"memory_limit": settings.memory_limit, "temp_directory": str(spill_dir)}
    if settings.threads:
        config["threads"] = str(settings.threads)
    return config


def connect(
    path: Path | str = ":memory:", *, read_only: bool = False, settings: Settings | None = None
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the warehouse's memory limit and spill directory."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    config = connection_config(settings)
    try:
        return duckdb.connect(str(path), read_only=read_only, config=config)
    except duckdb.ConnectionException as exc:
        if "different configuration" not in str(exc):
            raise
    # The file is already open in this process by a connection made without this module (a test, an
    # embedding notebook): DuckDB admits one configuration per open file, so join that instance and
    # give it our memory limit (its spill directory cannot change once set).
    con = duckdb.connect(str(path), read_only=read_only)
    con.execute(f"set memory_limit = '{config['memory_limit']}'")
    return con
