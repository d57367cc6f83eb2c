"""Every DuckDB connection the pipeline opens: bounded memory and a spill directory, said once.

DuckDB's default memory limit is 80% of the machine, and a process that loads a 10M-row year next to
Dagster and GX would take most of it. Every connection (the working database, the snapshot, the
in-memory ones that copy or export) gets `memory_limit` and spills to `<warehouse dir>/.spill`
beyond it. dbt's connection gets the same two values as `config_options` in profiles.yml (applied
once at connect: DuckDB refuses to set the spill directory again once it has been used, which is
what dbt-duckdb's per-cursor `settings` would do).

Settings: WAREHOUSE_MEMORY_LIMIT (default 1GB per connection: every model and test downstream of a
10M-row BACI year builds within it, spilling, and dbt's process then peaked at 1.7 GB resident
against 3.5 GB at 3GB; README "Benchmark") and WAREHOUSE_THREADS (default: all cores). One process
opening one file twice must use one configuration: this module is the only place in the pipeline
that opens files, so it always does (a file a caller opened otherwise is joined, see `connect`).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from orchestration.lake_locks import attach_lock
from orchestration.layout import Layout
from orchestration.settings import Settings, get_settings

LAKE_ALIAS = "lake"
LAKE_EXTENSIONS = ("ducklake", "postgres", "httpfs")


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


class LakeUnavailable(RuntimeError):
    """The DuckLake's catalog (PostgreSQL) or its object store cannot be reached: which one, and how."""


def load_lake_extensions(con: duckdb.DuckDBPyConnection) -> None:
    """LOAD ducklake, postgres, httpfs; installed first from their PyPI wheels (`duckdb-extension-*`)
    when DuckDB has not got them yet: there is no download from extensions.duckdb.org here."""
    for name in LAKE_EXTENSIONS:
        try:
            con.execute(f"load {name}")
        except duckdb.Error:
            from duckdb_extensions import import_extension

            import_extension(name)
            con.execute(f"load {name}")


def s3_secret_sql() -> str:
    """The object store's credentials (DUCKLAKE_S3_*), as a DuckDB secret: `bash scripts/lake.sh env`."""
    settings = {
        "key_id": os.environ.get("DUCKLAKE_S3_KEY_ID", ""),
        "secret": os.environ.get("DUCKLAKE_S3_SECRET", ""),
        "endpoint": os.environ.get("DUCKLAKE_S3_ENDPOINT", ""),
        "region": os.environ.get("DUCKLAKE_S3_REGION", "us-east-1"),
    }
    options = ", ".join(f"{k} '{v}'" for k, v in settings.items() if v)
    ssl = os.environ.get("DUCKLAKE_S3_USE_SSL", "false").lower() in ("1", "true", "yes")
    return f"create or replace secret chipchain_s3 (type s3, {options}, url_style 'path', use_ssl {str(ssl).lower()})"


def attach_lake(
    con: duckdb.DuckDBPyConnection,
    layout: Layout,
    *,
    alias: str = LAKE_ALIAS,
    snapshot_version: int | None = None,
    read_only: bool = False,
) -> None:
    """Attach the layout's DuckLake as `alias` (at a snapshot, for readers of a published build)."""
    if not (layout.lake_catalog and layout.lake_data_path):
        raise LakeUnavailable(
            "WAREHOUSE_TARGET=ducklake needs DUCKLAKE_CATALOG (PostgreSQL libpq string) and DUCKLAKE_DATA_PATH "
            "(s3://bucket/prefix/): `make lake` starts the services and writes them"
        )
    load_lake_extensions(con)
    con.execute(s3_secret_sql())
    options = [f"data_path '{layout.lake_data_path}'", f"metadata_schema '{layout.lake_metadata_schema}'"]
    if snapshot_version is not None:
        options.append(f"snapshot_version {int(snapshot_version)}")
    if read_only:
        options.append("read_only")
    import psycopg  # the attach lock's connection to the same catalog

    try:
        if read_only:
            con.execute(f"attach '{layout.lake_attach}' as {alias} ({', '.join(options)})")
        else:
            with attach_lock(layout):  # a writer's first attach creates the catalog: one at a time
                con.execute(f"attach '{layout.lake_attach}' as {alias} ({', '.join(options)})")
    except (duckdb.Error, psycopg.Error) as exc:
        raise LakeUnavailable(
            f"DuckLake catalog (PostgreSQL, DUCKLAKE_CATALOG={layout.lake_catalog!r}) cannot be attached: {exc}"
        ) from exc
    try:
        # one listing of the data path: a store that is down is named now, not mid-load
        con.execute(f"select count(*) from glob('{layout.lake_data_path}*')").fetchone()
    except duckdb.Error as exc:
        con.execute(f"detach {alias}")
        endpoint = os.environ.get("DUCKLAKE_S3_ENDPOINT", "")
        raise LakeUnavailable(
            f"DuckLake object store (DUCKLAKE_DATA_PATH={layout.lake_data_path!r}, DUCKLAKE_S3_ENDPOINT="
            f"{endpoint!r}) cannot be listed: {exc}"
        ) from exc


def connect_warehouse(settings: Settings | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """The working warehouse of the layout's target: the embedded file, or the DuckLake attached to an
    in-memory DuckDB (as `lake`, the default catalog of the connection) with the same memory limit and
    spill directory."""
    settings = settings or get_settings()
    layout = settings.layout
    if not layout.on_lake:
        return connect(layout.working_db, read_only=read_only, settings=settings)
    con = connect(":memory:", settings=settings)
    attach_lake(con, layout, read_only=read_only)
    con.execute(f"use {LAKE_ALIAS}")
    return con


def is_lake(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the connection's default catalog is a DuckLake (no PRIMARY KEY/UNIQUE there, no CHECKPOINT)."""
    row = con.execute("select type from duckdb_databases() where database_name = current_database()").fetchone()
    return bool(row) and row[0] == "ducklake"
