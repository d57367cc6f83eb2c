"""Land source files in DuckDB: one read straight into raw, validated before it commits.

A file is read once, by DuckDB's own scanner, into `raw.<table>` inside one transaction that first
moves the rows it replaces (same file path) to `raw_history.<table>`. The blocking GX suite then runs
on the new rows, in that same transaction (`data_quality/gx_duckdb.py`): a load that passes commits;
one that fails is rolled back, so raw never held it, and the file is read a second time, only then,
into `quarantine.<table>` for inspection. A process killed mid-load leaves an open transaction that
DuckDB discards: raw keeps its last committed state. Reading the same bytes again is a no-op.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.ingest import corruption
from orchestration.ingest.readers import ident as _ident
from orchestration.ingest.readers import quote as _quote
from orchestration.ingest.readers import read_sql as _read_sql
from orchestration.ingest.registry import RawTable
from orchestration.lake_locks import lake_lock

PROVENANCE_COLUMNS = (
    ("_source", "VARCHAR"),
    ("_file_path", "VARCHAR"),
    ("_file_sha256", "VARCHAR"),
    ("_loaded_at", "TIMESTAMP"),
    ("_load_id", "VARCHAR"),
    ("_row_number", "BIGINT"),
)

META_DDL = """
create schema if not exists raw;
create schema if not exists raw_history;
create schema if not exists landing;
create schema if not exists quarantine;
create schema if not exists audit;
create table if not exists audit.loads (
    load_id varchar primary key,
    raw_table varchar not null,
    source varchar not null,
    file_path varchar not null,
    file_sha256 varchar not null,
    file_bytes bigint,
    row_count bigint,
    landed_at timestamp not null,
    status varchar not null,          -- landed | promoted | rejected | superseded | abandoned
    superseded_by varchar,
    message varchar
);
create table if not exists audit.validation_results (
    load_id varchar not null,
    raw_table varchar not null,
    file_path varchar not null,
    suite_name varchar not null,
    expectation_type varchar not null,
    column_name varchar,
    kwargs varchar,
    success boolean not null,
    observed_value varchar,
    element_count bigint,
    unexpected_count bigint,
    unexpected_percent double,
    partial_unexpected_list varchar,
    chunks integer,
    validated_at timestamp not null,
    gx_version varchar
);
-- The suite each validation ran (GX suite JSON as built from the registry and the rules files), once
-- per distinct suite; validation_results.suite_sha256 names it.
create table if not exists audit.suites (
    suite_sha256 varchar primary key,
    suite_name varchar not null,
    suite_json varchar not null,
    first_validated_at timestamp not null
);
alter table audit.validation_results add column if not exists suite_sha256 varchar;
"""


class LandingError(Exception):
    """A file could not be read as its source's format; names the file and the reason."""


@dataclass(frozen=True)
class Reject:
    """A line the typed read could not parse: kept out of raw, and it fails the load's check."""

    column: str | None
    line: int
    error_type: str
    csv_line: str
    message: str


@dataclass(frozen=True)
class Load:
    load_id: str
    table: RawTable
    file_path: str  # relative to the data directory: the identity a reload replaces
    sha256: str
    row_count: int | None  # None: refused before any row was read
    relation: str  # a SELECT of this load's rows in raw, as the suite sees them
    file_bytes: int
    landed_at: datetime
    rejects: tuple[Reject, ...] = ()
    # On DuckLake: the temp table holding the rows until they pass (raw gets them at promotion)
    staged: str | None = None

    @property
    def label(self) -> str:
        return f"{self.table.name} <- {self.file_path}"


def discover_files(table: RawTable, data_dir: Path) -> list[Path]:
    found: set[Path] = set()
    for pattern in table.patterns:
        found.update(p for p in data_dir.glob(pattern) if p.is_file())
    return sorted(found)


def ensure_meta(con: duckdb.DuckDBPyConnection) -> None:
    from orchestration.duckdb_connection import is_lake

    # DuckLake has no PRIMARY KEY: the loader makes load ids and suite digests unique itself
    with lake_lock(con, "ddl"):  # two writers creating one table would conflict at commit
        con.execute(META_DDL.replace(" primary key", "") if is_lake(con) else META_DDL)


def ensure_raw_table(con: duckdb.DuckDBPyConnection, table: RawTable) -> None:
    cols = [f'"{c}" {table.column_type(c)}' for c in table.all_columns] + [f"{n} {t}" for n, t in PROVENANCE_COLUMNS]
    body = ", ".join(cols)
    with lake_lock(con, "ddl"):
        for schema in ("raw", "raw_history"):
            con.execute(f'create table if not exists {schema}."{table.name}" ({body})')


def already_current(con: duckdb.DuckDBPyConnection, table: RawTable, rel_path: str, sha: str) -> bool:
    row = con.execute(
        "select count(*) from audit.loads where raw_table = ? and file_path = ? "
        "and file_sha256 = ? and status = 'promoted'",
        [table.name, rel_path, sha],
    ).fetchone()
    return bool(row and row[0])


def new_load_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def _provenance_sql(table: RawTable, rel_path: str, sha: str, load_id: str, now: datetime) -> str:
    # Literals, not bound parameters: as a prepared statement the insert runs at half the speed
    # (10M-row BACI year: 36 s with a parameter, 16 s with a literal).
    return (
        f"{_quote(table.source)} as _source, {_quote(rel_path)} as _file_path, "
        f"{_quote(sha)} as _file_sha256, timestamp {_quote(now.isoformat(sep=' '))} as _loaded_at, "
        f"{_quote(load_id)} as _load_id"
    )


def _landing_error(table: RawTable, rel_path: str, exc: duckdb.Error, path: Path | None = None) -> LandingError:
    text = str(exc).strip()
    first_line = text.splitlines()[0]
    if "Maximum line size" in text and path is not None:
        # DuckDB names the rule but not the place: find the line
        fault = corruption.long_line(path, table.max_line_bytes)
        if fault is not None:
            return LandingError(fault.describe(rel_path) + f" for raw.{table.name}")
    if "Invalid unicode" in text:
        where = re.search(r"CSV Error on Line: (\d+)", text)
        at = f" (line {where.group(1)})" if where else ""
        return LandingError(
            f"{rel_path}: rule encoding: bytes that are not valid {table.encoding}{at} for raw.{table.name}"
        )
    return LandingError(
        f"{rel_path}: cannot be read as {table.reader} ({table.encoding}) for raw.{table.name}: {first_line}"
    )


def file_columns(con: duckdb.DuckDBPyConnection, table: RawTable, path: Path, rel_path: str) -> list[str]:
    """The columns the table's reader yields for this file, bound without reading it through."""
    fault = corruption.text_fault(path, table.encoding)
    if fault is not None:
        raise LandingError(fault.describe(rel_path) + f" for raw.{table.name}")
    try:
        return [r[0] for r in con.execute(f"describe {_read_sql(table, path)}").fetchall()]
    except duckdb.Error as exc:
        raise _landing_error(table, rel_path, exc, path) from exc


def write_load(
    con: duckdb.DuckDBPyConnection,
    table: RawTable,
    path: Path,
    rel_path: str,
    sha: str,
    columns: list[str],
) -> Load:
    """Inside the caller's open transaction: move this file's current rows to history, read the file
    into raw. Returns the load, whose `relation` is its rows with the columns the file really has
    (a missing column stays missing for the suite, it is not silently null)."""
    load_id = new_load_id()
    now = datetime.now(UTC).replace(tzinfo=None)
    raw = f'raw."{table.name}"'
    present = [c for c in table.all_columns if c in set(columns)]
    move_to_history(con, table, rel_path)
    select_cols = ", ".join([_provenance_sql(table, rel_path, sha, load_id, now), "_row_number", *map(_ident, present)])
    rejects_table = f"rejects_{load_id.replace('-', '_')}"
    # On DuckLake the rows wait in a local temp table: validating them where they lie in raw would read
    # the table's object-store files for every expectation, and a rejected load would write files in
    # vain. Raw gets them in one write when they pass (`mark_promoted`), in the same transaction.
    from orchestration.duckdb_connection import is_lake

    stage_name = f'"stage_{load_id.replace("-", "_")}"'
    staged = f"temp.main.{stage_name}" if is_lake(con) else None
    read = f"select {select_cols} from ({_read_sql(table, path, rejects_table)})"
    try:
        if staged:
            con.execute(f"create temp table {stage_name} as {read}")
            row_count = con.execute(f"select count(*) from {staged}").fetchone()[0]
        else:
            row_count = con.execute(f"insert into {raw} by name {read}").fetchone()[0]
        rejects = _read_rejects(con, table, rejects_table)
    except duckdb.Error as exc:
        raise _landing_error(table, rel_path, exc, path) from exc
    keep = ", ".join([*map(_ident, present), *(n for n, _ in PROVENANCE_COLUMNS)])
    relation = f"select {keep} from {staged or raw} where _load_id = {_quote(load_id)}"
    return Load(load_id, table, rel_path, sha, row_count, relation, path.stat().st_size, now, rejects, staged)


def _read_rejects(con: duckdb.DuckDBPyConnection, table: RawTable, rejects_table: str) -> tuple[Reject, ...]:
    """The lines DuckDB's typed read set aside (store_rejects), then its temporary tables are dropped."""
    if not table.column_types:
        return ()
    rows = con.execute(
        f"select column_name, line, error_type, csv_line, error_message from {rejects_table} order by line"
    ).fetchall()
    con.execute(f"drop table if exists {rejects_table}")
    con.execute(f"drop table if exists {rejects_table}_scan")
    return tuple(Reject(*r) for r in rows)


def move_to_history(con: duckdb.DuckDBPyConnection, table: RawTable, rel_path: str) -> int:
    """Inside the caller's transaction: the file's current rows move to raw_history.<table>."""
    moved = con.execute(
        f'insert into raw_history."{table.name}" select * from raw."{table.name}" where _file_path = ?', [rel_path]
    ).fetchone()[0]
    con.execute(f'delete from raw."{table.name}" where _file_path = ?', [rel_path])
    return moved


def supersede(
    con: duckdb.DuckDBPyConnection, table: RawTable, rel_path: str, superseded_by: str, message: str | None = None
) -> None:
    """Inside the caller's transaction: the file's promoted load is superseded (by a new load, or retired)."""
    con.execute(
        "update audit.loads set status = 'superseded', superseded_by = ?, message = coalesce(?, message) "
        "where raw_table = ? and file_path = ? and status = 'promoted'",
        [superseded_by, message, table.name, rel_path],
    )


def mark_promoted(con: duckdb.DuckDBPyConnection, load: Load) -> None:
    """Inside the load's transaction: the file's previous load is superseded, this one promoted (a load
    staged on DuckLake reaches raw here)."""
    if load.staged:
        con.execute(f'insert into raw."{load.table.name}" by name select * from {load.staged}')
        con.execute(f"drop table {load.staged}")
    supersede(con, load.table, load.file_path, load.load_id)
    _record_load(con, load, "promoted", None)


def retire(con: duckdb.DuckDBPyConnection, table: RawTable, rel_path: str, reason: str) -> int:
    """A file that no longer exists (a payload gone from its partition): its rows move to raw_history and
    its load is superseded, in one transaction. Returns the rows moved."""
    con.execute("begin transaction")
    try:
        moved = move_to_history(con, table, rel_path)
        supersede(con, table, rel_path, f"retired:{reason}", reason)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return moved


def _record_load(con: duckdb.DuckDBPyConnection, load: Load, status: str, message: str | None) -> None:
    con.execute(
        "insert into audit.loads values (?, ?, ?, ?, ?, ?, ?, ?, ?, null, ?)",
        [load.load_id, load.table.name, load.table.source, load.file_path, load.sha256, load.file_bytes,
         load.row_count, load.landed_at, status, message],
    )  # fmt: skip


def abandon_unfinished(con: duckdb.DuckDBPyConnection, table: RawTable) -> int:
    """Drop landing tables left by an earlier version of the loader, which landed a file in a table of
    its own before promoting it (a load is one transaction now: a dead process leaves nothing).

    The current loader never leaves a load 'landed' (its load commits or rolls back, even when two
    writers of the lake share a table), so one still 'landed' belongs to an old process that died; its
    rows never reached raw and are simply discarded."""
    stale = con.execute(
        "select load_id from audit.loads where raw_table = ? and status = 'landed'", [table.name]
    ).fetchall()
    for (load_id,) in stale:
        con.execute(f'drop table if exists landing."{table.name}__{load_id}"')
        con.execute(
            "update audit.loads set status = 'abandoned', message = 'run stopped before validation ended' "
            "where load_id = ?",
            [load_id],
        )
    return len(stale)


def record_unreadable(
    con: duckdb.DuckDBPyConnection, table: RawTable, rel_path: str, sha: str, path: Path, message: str
) -> str:
    """A file refused before any row reached a table (unreadable, corrupt, no reference list): one
    rejected load in audit.loads with the reason, so the run summary and later runs see it."""
    size = path.stat().st_size if path.exists() else None
    load = Load(new_load_id(), table, rel_path, sha, None, "", size, datetime.now(UTC).replace(tzinfo=None))
    _record_load(con, load, "rejected", message[:4000])
    return load.load_id


def reject(con: duckdb.DuckDBPyConnection, load: Load, path: Path, message: str) -> str:
    """After the load's rollback: keep the rejected file's rows in quarantine, as read (one table per raw
    table: the latest rejection). The file is read a second time only here, on failure."""
    target = f'quarantine."{load.table.name}"'
    provenance = _provenance_sql(load.table, load.file_path, load.sha256, load.load_id, load.landed_at)
    con.execute(f"create or replace table {target} as select {provenance}, * from ({_read_sql(load.table, path)})")
    _record_load(con, load, "rejected", message[:4000])
    return target
