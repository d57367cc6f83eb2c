"""Copy the marts of the published DuckDB snapshot into PostgreSQL for BI tools, swapped in atomically.

Why psycopg COPY rather than DuckDB's postgres extension: the extension must match the DuckDB build
exactly and cannot be downloaded at run time here, while psycopg is an ordinary pinned wheel; and the
publisher needs exact control of the PostgreSQL side anyway (types, comments, grants, the swap).
DuckDB writes each mart to CSV in one statement and psycopg streams the file into `COPY ... FROM
STDIN` in blocks, so no row passes through Python.

A republish loads into a fresh schema, then renames the old schema away and the new one into place in
one transaction. A reader's statement sees the old marts or the new ones, never a mix or a half-loaded
table; the old schema is dropped afterwards (waiting for statements still reading it).
"""

from __future__ import annotations

import os
import re
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.duckdb_connection import connect
from orchestration.publish import MANIFEST_SCHEMA

MANIFEST_TABLE = "_published_tables"
COPY_BLOCK_BYTES = 1 << 20
LOCK_PATIENCE_SECONDS = 120.0
LOCK_WAIT = "200ms"  # below PostgreSQL's default deadlock_timeout of 1 s

_SCALAR_TYPES = {
    "VARCHAR": "text",
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP_MS": "timestamp",
    "TIMESTAMP_S": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "INTERVAL": "interval",
    "UUID": "uuid",
    "JSON": "jsonb",
}
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


@dataclass(frozen=True)
class PostgresTarget:
    url: str
    schema: str = "marts"
    reader_role: str = "chipchain_reader"


@dataclass(frozen=True)
class PostgresPublishResult:
    schema: str
    publish_id: str
    tables: dict[str, int]


def postgres_target_from_env() -> PostgresTarget | None:
    """The configured server, or None when CHIPCHAIN_PG_URL is unset (serving to PostgreSQL is then skipped)."""
    url = os.environ.get("CHIPCHAIN_PG_URL", "").strip()
    if not url:
        return None
    return PostgresTarget(
        url=url,
        schema=os.environ.get("CHIPCHAIN_PG_SCHEMA", "marts").strip() or "marts",
        reader_role=os.environ.get("CHIPCHAIN_PG_READER_ROLE", "chipchain_reader").strip() or "chipchain_reader",
    )


def redact(url: str) -> str:
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class _Column:
    name: str
    duckdb_type: str
    comment: str | None

    @property
    def pg_type(self) -> str:
        base = self.duckdb_type
        if base.endswith("[]") and base[:-2] in _SCALAR_TYPES:
            return _SCALAR_TYPES[base[:-2]] + "[]"
        if base in _SCALAR_TYPES:
            return _SCALAR_TYPES[base]
        if match := _DECIMAL.fullmatch(base):
            return f"numeric({match[1]},{match[2]})"
        if base == "BLOB":
            return "bytea"
        return "jsonb"  # structs, maps, nested lists: JSON keeps them queryable

    def select_expr(self) -> str:
        """The column as PostgreSQL's CSV input reads it."""
        col = _ident(self.name)
        base = self.duckdb_type
        if base.endswith("[]") and base[:-2] in _SCALAR_TYPES:
            element = (
                "case when e is null then 'NULL' else "
                "'\"' || replace(replace(e::varchar, '\\', '\\\\'), '\"', '\\\"') || '\"' end"
            )
            literal = f"'{{' || array_to_string(list_transform({col}, e -> {element}), ',') || '}}'"
            return f"case when {col} is null then null else {literal} end"
        if base in _SCALAR_TYPES or _DECIMAL.fullmatch(base):
            return col
        if base == "BLOB":
            return f"'\\x' || hex({col})"
        return f"to_json({col})::varchar"


def _mart_columns(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str | None, list[_Column]]]:
    tables = con.execute(
        "select table_name, comment from duckdb_tables() where schema_name = 'marts' order by table_name"
    ).fetchall()
    out: dict[str, tuple[str | None, list[_Column]]] = {}
    for table, comment in tables:
        cols = con.execute(
            "select column_name, data_type, comment from duckdb_columns() "
            "where schema_name = 'marts' and table_name = ? order by column_index",
            [table],
        ).fetchall()
        out[table] = (comment, [_Column(*c) for c in cols])
    return out


def publish_to_postgres(snapshot_path: Path, target: PostgresTarget) -> PostgresPublishResult:
    import psycopg
    from psycopg import sql

    publish_id = uuid.uuid4().hex
    loading = f"{target.schema}__load_{publish_id[:12]}"
    retired = f"{target.schema}__old_{publish_id[:12]}"
    source = connect(snapshot_path, read_only=True)
    try:
        marts = _mart_columns(source)
        snapshot_id = source.execute(f"select publish_id from {MANIFEST_SCHEMA}.snapshot").fetchone()[0]
        with tempfile.TemporaryDirectory(prefix="pg-publish-") as scratch, psycopg.connect(target.url) as pg:
            _check_reader_role(pg, target.reader_role)
            _drop_leftovers(pg, target.schema)
            counts: dict[str, int] = {}
            try:
                with pg.transaction():
                    pg.execute(sql.SQL("create schema {}").format(sql.Identifier(loading)))
                    for table, (comment, columns) in marts.items():
                        counts[table] = _load_table(source, pg, loading, table, comment, columns, Path(scratch))
                    _write_manifest(pg, loading, counts, publish_id, snapshot_id)
                    pg.execute(sql.SQL("grant usage on schema {} to {}").format(
                        sql.Identifier(loading), sql.Identifier(target.reader_role)))  # fmt: skip
                    pg.execute(sql.SQL("grant select on all tables in schema {} to {}").format(
                        sql.Identifier(loading), sql.Identifier(target.reader_role)))  # fmt: skip

                def swap() -> None:
                    if pg.execute("select 1 from pg_namespace where nspname = %s", [target.schema]).fetchone():
                        pg.execute(sql.SQL("alter schema {} rename to {}").format(
                            sql.Identifier(target.schema), sql.Identifier(retired)))  # fmt: skip
                    pg.execute(sql.SQL("alter schema {} rename to {}").format(
                        sql.Identifier(loading), sql.Identifier(target.schema)))  # fmt: skip

                _with_every_table_locked(pg, target.schema, swap)
            except BaseException:
                pg.rollback()
                with pg.transaction():
                    pg.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(loading)))
                raise
            drop = sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(retired))
            _with_every_table_locked(pg, retired, lambda: pg.execute(drop))
    finally:
        source.close()
    return PostgresPublishResult(target.schema, publish_id, counts)


def _with_every_table_locked(pg, schema: str, action, patience_seconds: float = LOCK_PATIENCE_SECONDS) -> None:
    """Run `action()` in a transaction that first holds ACCESS EXCLUSIVE on every table of `schema`.

    Why: renaming a schema takes no lock on its tables, so a reader statement that had resolved one
    table of the old schema could resolve the next one in the new schema. With every old table locked,
    no reader is inside the old schema, and readers that arrive wait, then resolve every name anew after
    the commit. The publisher queues for the locks (so a stream of readers cannot starve it) but gives up
    after LOCK_WAIT, shorter than PostgreSQL's deadlock_timeout (1 s): when a reader that holds one table
    waits for another the publisher holds, the publisher backs off and retries before the deadlock
    detector could pick the reader as its victim.
    """
    import psycopg

    deadline = time.monotonic() + patience_seconds
    pause = 0.01
    while True:
        try:
            with pg.transaction():
                pg.execute(f"set local lock_timeout = '{LOCK_WAIT}'")
                tables = pg.execute(
                    "select c.oid::regclass::text from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                    "where n.nspname = %s and c.relkind in ('r', 'p', 'v', 'm') order by 1",
                    [schema],
                ).fetchall()
                if tables:
                    pg.execute(f"lock table {', '.join(t for (t,) in tables)} in access exclusive mode")
                pg.execute("set local lock_timeout = 0")
                action()
            return
        except (psycopg.errors.LockNotAvailable, psycopg.errors.DeadlockDetected):
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"readers kept {schema} busy for {patience_seconds:.0f} s; the publish was not swapped in"
                ) from None
            time.sleep(pause)
            pause = min(pause * 2, 0.2)


def _check_reader_role(pg, role: str) -> None:
    if pg.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone() is None:
        raise RuntimeError(
            f"PostgreSQL role {role!r} does not exist: create it (scripts/postgres.sh start does) "
            "or set CHIPCHAIN_PG_READER_ROLE"
        )


def _drop_leftovers(pg, schema: str) -> None:
    """Schemas a crashed publish left behind: a load that never swapped, an old copy never dropped."""
    from psycopg import sql

    with pg.transaction():
        rows = pg.execute(
            "select nspname from pg_namespace where starts_with(nspname, %s) or starts_with(nspname, %s)",
            [f"{schema}__load_", f"{schema}__old_"],
        ).fetchall()
        for (name,) in rows:
            pg.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(name)))


def _load_table(source, pg, schema: str, table: str, comment, columns: list[_Column], scratch: Path) -> int:
    from psycopg import sql

    qualified = sql.Identifier(schema, table)
    column_defs = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(c.pg_type)) for c in columns
    )
    pg.execute(sql.SQL("create table {} ({})").format(qualified, column_defs))
    csv_path = scratch / f"{table}.csv"
    select = ", ".join(f"{c.select_expr()} as {_ident(c.name)}" for c in columns)
    source.execute(f"copy (select {select} from marts.{_ident(table)}) to '{csv_path}' (format csv, header false)")
    column_list = sql.SQL(", ").join(sql.Identifier(c.name) for c in columns)
    with (
        pg.cursor() as cursor,
        cursor.copy(sql.SQL("copy {} ({}) from stdin (format csv)").format(qualified, column_list)) as copy,
        csv_path.open("rb") as handle,
    ):
        while block := handle.read(COPY_BLOCK_BYTES):
            copy.write(block)
    csv_path.unlink()
    if comment:
        pg.execute(sql.SQL("comment on table {} is {}").format(qualified, sql.Literal(comment)))
    for c in columns:
        if c.comment:
            pg.execute(
                sql.SQL("comment on column {}.{} is {}").format(
                    qualified, sql.Identifier(c.name), sql.Literal(c.comment)
                )
            )
    pg.execute(sql.SQL("analyze {}").format(qualified))
    return pg.execute(sql.SQL("select count(*) from {}").format(qualified)).fetchone()[0]


def _write_manifest(pg, schema: str, counts: dict[str, int], publish_id: str, snapshot_id: str) -> None:
    from psycopg import sql

    qualified = sql.Identifier(schema, MANIFEST_TABLE)
    pg.execute(
        sql.SQL(
            "create table {} (table_name text primary key, row_count bigint not null, publish_id text not null, "
            "published_at timestamp not null, duckdb_snapshot_id text not null)"
        ).format(qualified)
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    with pg.cursor() as cursor:
        cursor.executemany(
            sql.SQL("insert into {} values (%s, %s, %s, %s, %s)").format(qualified),
            [(t, n, publish_id, now, snapshot_id) for t, n in counts.items()],
        )
    pg.execute(
        sql.SQL("comment on table {} is {}").format(
            qualified,
            sql.Literal(
                "One row per mart of this publish: its row count, the publish id and the DuckDB snapshot it "
                "came from. Every table of the schema belongs to the same publish."
            ),
        )
    )
