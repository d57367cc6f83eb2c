"""Publish the working warehouse as a read-only snapshot, replaced atomically.

Readers (ad-hoc SQL, BI tools) open `published/warehouse.duckdb` read-only and never touch the
working database, so a run can write while they read. The new snapshot is written beside the old
one and renamed over it: a reader sees the old file or the new one, never a half-written one, and a
failed run never gets here, so the previous snapshot stays.

The snapshot is not a byte copy of the working file: it is rebuilt with `COPY FROM DATABASE` into a
file attached with an explicit storage version, so that the DuckDB clients BI tools bundle (1.0 and
later) can open it, whatever the pinned DuckDB writes by default. Tables with PRIMARY KEY / UNIQUE
constraints are copied without them: their index serialisation cannot be read by DuckDB 1.0, and a
read-only snapshot enforces nothing. A `publish` schema records what was published, so readers can
check that the marts they see belong to one snapshot.

On the DuckLake target the same file is written from the lake's snapshot at the end of the build
(`ATTACH ... (SNAPSHOT_VERSION n)`), and that snapshot id is recorded as published in the lake:
readers who attach the lake at it see exactly the marts of the file, whatever a later build writes.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.duckdb_connection import attach_lake, connect
from orchestration.layout import Layout

# Oldest DuckDB release whose clients must read the snapshot; see README "Serving".
STORAGE_VERSION = "v1.0.0"
MANIFEST_SCHEMA = "publish"


@dataclass(frozen=True)
class PublishResult:
    path: Path
    bytes: int
    mart_tables: dict[str, int]
    publish_id: str
    storage_version: str
    lake_snapshot: int | None = None  # the DuckLake snapshot published (DuckLake target only)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def publish_snapshot(
    working_path: Path,
    published_path: Path,
    storage_version: str = STORAGE_VERSION,
    *,
    layout: Layout | None = None,
) -> PublishResult:
    """Publish the working warehouse; on the DuckLake target (`layout.on_lake`), the lake's current
    snapshot: the file is written from that snapshot version, which is then recorded as published in
    the lake (audit.published_snapshots), so readers of the lake attach the same build."""
    lake_snapshot = None
    if layout is not None and layout.on_lake:
        lake_snapshot = current_lake_snapshot(layout)
    else:
        if not working_path.exists():
            raise FileNotFoundError(f"no working warehouse at {working_path}")
        con = connect(working_path)
        try:
            con.execute("checkpoint")  # fold the WAL into the file we are about to read
        finally:
            con.close()

    published_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = published_path.parent / f".{published_path.name}.{uuid.uuid4().hex}.tmp"
    publish_id = uuid.uuid4().hex
    try:
        _write_snapshot(working_path, tmp, storage_version, publish_id, layout=layout, lake_snapshot=lake_snapshot)
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        mart_tables = _verify(tmp, catalog=published_path.stem, storage_version=storage_version)
        tmp.chmod(0o444)
        os.replace(tmp, published_path)
        _fsync_dir(published_path.parent)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            if leftover.exists():
                leftover.unlink()
    if lake_snapshot is not None:
        record_published_snapshot(layout, lake_snapshot, publish_id)
    return PublishResult(
        published_path, published_path.stat().st_size, mart_tables, publish_id, storage_version, lake_snapshot
    )


def current_lake_snapshot(layout: Layout) -> int:
    """The lake's latest snapshot id: what a fully successful build left."""
    con = connect()
    try:
        attach_lake(con, layout, alias="src", read_only=True)
        return int(con.execute("select max(snapshot_id) from src.snapshots()").fetchone()[0])
    finally:
        con.close()


def record_published_snapshot(layout: Layout, snapshot_id: int, publish_id: str) -> None:
    """audit.published_snapshots in the lake: which snapshot readers attach (its latest row)."""
    con = connect()
    try:
        attach_lake(con, layout, alias="lake")
        con.execute(
            "create table if not exists lake.audit.published_snapshots "
            "(snapshot_id bigint, publish_id varchar, published_at timestamp)"
        )
        con.execute(
            "insert into lake.audit.published_snapshots values (?, ?, ?)",
            [snapshot_id, publish_id, datetime.now(UTC).replace(tzinfo=None)],
        )
    finally:
        con.close()


def published_lake_snapshot(layout: Layout) -> int | None:
    """The snapshot id readers of the lake attach (`SNAPSHOT_VERSION`), None before the first publish."""
    con = connect()
    try:
        attach_lake(con, layout, alias="lake", read_only=True)
        exists = con.execute(
            "select count(*) from duckdb_tables() where database_name = 'lake' and schema_name = 'audit' "
            "and table_name = 'published_snapshots'"
        ).fetchone()[0]
        if not exists:
            return None
        row = con.execute(
            "select snapshot_id from lake.audit.published_snapshots order by published_at desc limit 1"
        ).fetchone()
        return int(row[0]) if row else None
    finally:
        con.close()


def _write_snapshot(
    working_path: Path,
    target: Path,
    storage_version: str,
    publish_id: str,
    *,
    layout: Layout | None = None,
    lake_snapshot: int | None = None,
) -> None:
    con = connect()
    try:
        if lake_snapshot is not None:
            # every table as of the build's snapshot: a build in progress since then is not in it
            attach_lake(con, layout, alias="src", snapshot_version=lake_snapshot, read_only=True)
        else:
            con.execute(f"attach '{working_path}' as src (read_only)")
        con.execute(f"attach '{target}' as snap (storage_version '{storage_version}')")
        con.execute("copy from database src to snap")
        indexed = con.execute(
            """
            select distinct schema_name, table_name from duckdb_constraints()
            where database_name = 'src' and constraint_type in ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')
            """
        ).fetchall()
        for schema, table in indexed:
            name = f"{_quote(schema)}.{_quote(table)}"
            con.execute(f"create or replace table snap.{name} as from src.{name}")
        marts = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where database_name = 'snap' "
                "and schema_name = 'marts' order by 1"
            ).fetchall()
        ]
        if not marts:
            raise RuntimeError(f"{working_path}: no tables in schema marts; refusing to publish")
        con.execute(f"create schema snap.{MANIFEST_SCHEMA}")
        con.execute(
            f"""
            create table snap.{MANIFEST_SCHEMA}.snapshot as
            select ?::varchar as publish_id, ?::timestamp as published_at,
                   ?::varchar as written_by_duckdb, ?::varchar as storage_version,
                   ?::bigint as lake_snapshot_id
            """,
            [publish_id, datetime.now(UTC).replace(tzinfo=None), duckdb.__version__, storage_version, lake_snapshot],
        )
        counts = " union all ".join(
            f"select 'marts' as table_schema, '{t}' as table_name, count(*) as row_count from snap.marts.{_quote(t)}"
            for t in marts
        )
        con.execute(f"create table snap.{MANIFEST_SCHEMA}.table_rows as {counts}")
        con.execute(
            f"comment on table snap.{MANIFEST_SCHEMA}.snapshot is "
            "'One row: which publish this snapshot is, when and by which DuckDB it was written.'"
        )
        con.execute(
            f"comment on table snap.{MANIFEST_SCHEMA}.table_rows is "
            "'Row count of every mart at publish time: a reader compares these to what it sees.'"
        )
        con.execute("detach snap")
    finally:
        con.close()


def _verify(path: Path, catalog: str, storage_version: str) -> dict[str, int]:
    """Open the new file the way readers will: marts present, counts as recorded, readable by old clients."""
    con = connect()
    try:
        con.execute(f"attach '{path}' as {_quote(catalog)} (read_only)")
        tags = con.execute("select tags from duckdb_databases() where database_name = ?", [catalog]).fetchone()[0]
        if not str(tags.get("storage_version", "")).startswith(storage_version):
            raise RuntimeError(f"{path}: storage version {tags} is not {storage_version}; refusing to publish")
        blocking = con.execute(
            "select schema_name || '.' || table_name from duckdb_constraints() where database_name = ? "
            "and constraint_type in ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')",
            [catalog],
        ).fetchall()
        if blocking:
            raise RuntimeError(f"{path}: index constraints older clients cannot read: {blocking}")
        recorded = dict(
            con.execute(
                f"select table_name, row_count from {_quote(catalog)}.{MANIFEST_SCHEMA}.table_rows order by 1"
            ).fetchall()
        )
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = ? and table_schema = 'marts' and table_type = 'BASE TABLE' "
                "order by 1",
                [catalog],
            ).fetchall()
        ]
        if not tables:
            raise RuntimeError(f"{path}: no tables in schema marts; refusing to publish")
        counts = {
            t: con.execute(f"select count(*) from {_quote(catalog)}.marts.{_quote(t)}").fetchone()[0] for t in tables
        }
        if counts != recorded:
            raise RuntimeError(f"{path}: mart row counts {counts} differ from the manifest {recorded}")
        return counts
    finally:
        con.close()
