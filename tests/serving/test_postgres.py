"""The PostgreSQL copy for BI tools, through a real client library (psycopg) against the server the
repo's scripts start: the marts arrive intact, the reader role cannot write, a republish is atomic."""

from __future__ import annotations

import shutil
import threading
import time

import duckdb
import psycopg
import pytest
from psycopg import errors, sql

from orchestration.serving.postgres import MANIFEST_TABLE, publish_to_postgres
from tests.conftest import TEST_PG_SCHEMA
from tests.serving.conftest import open_snapshot


def _marts(con) -> dict[str, int]:
    return dict(con.execute("select table_name, row_count from publish.table_rows").fetchall())


def test_the_pipeline_served_every_mart_to_postgres(built_warehouse, postgres):
    metadata = {
        str(m.asset_key.to_user_string()): m.metadata
        for m in built_warehouse.result.get_asset_materialization_events()
        for m in [m.event_specific_data.materialization]
    }
    assert metadata["serving/postgres"]["status"].value == "published"
    assert metadata["serving/postgres"]["schema"].value == TEST_PG_SCHEMA

    with open_snapshot(built_warehouse.published_path) as con:
        expected = _marts(con)
        trade_value = con.execute("select sum(value_usd) from marts.trade_flows").fetchone()[0]
        shares = con.execute(
            "select year, china_share, hhi from marts.import_dependency "
            "where importer_iso3 = 'USA' and hs_code = '280530' and source = 'comtrade' order by year"
        ).fetchall()
        groups = con.execute("select country_groups from marts.dim_country where iso3 = 'FRA'").fetchone()[0]
        described = con.execute(
            "select comment from duckdb_columns() where schema_name = 'marts' "
            "and table_name = 'import_dependency' and column_name = 'hhi'"
        ).fetchone()[0]

    with psycopg.connect(postgres.reader_url) as pg:
        schema = sql.Identifier(TEST_PG_SCHEMA)
        tables = {
            r[0]
            for r in pg.execute(
                "select table_name from information_schema.tables where table_schema = %s", [TEST_PG_SCHEMA]
            ).fetchall()
        }
        assert tables == set(expected) | {MANIFEST_TABLE}
        for table, rows in expected.items():
            count = pg.execute(sql.SQL("select count(*) from {}.{}").format(schema, sql.Identifier(table)))
            assert count.fetchone()[0] == rows, table
        manifest = dict(
            pg.execute(
                sql.SQL("select table_name, row_count from {}.{}").format(schema, sql.Identifier(MANIFEST_TABLE))
            )
        )
        assert manifest == expected
        got = pg.execute(sql.SQL("select sum(value_usd) from {}.trade_flows").format(schema)).fetchone()[0]
        assert got == pytest.approx(trade_value, rel=1e-12)
        got_shares = pg.execute(
            sql.SQL(
                "select year, china_share, hhi from {}.import_dependency where importer_iso3 = 'USA' "
                "and hs_code = '280530' and source = 'comtrade' order by year"
            ).format(schema)
        ).fetchall()
        assert got_shares == shares
        # a list column arrives as a PostgreSQL array, documentation as column comments
        assert pg.execute(
            sql.SQL("select country_groups from {}.dim_country where iso3 = 'FRA'").format(schema)
        ).fetchone()[0] == list(groups)
        comment = pg.execute(
            "select col_description(c.oid, a.attnum) from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "join pg_attribute a on a.attrelid = c.oid where n.nspname = %s and c.relname = 'import_dependency' "
            "and a.attname = 'hhi'",
            [TEST_PG_SCHEMA],
        ).fetchone()[0]
        assert comment == described and comment


@pytest.mark.parametrize(
    "statement, error",
    [
        ("insert into {s}.dim_country (iso3) values ('XXX')", errors.InsufficientPrivilege),
        ("update {s}.trade_flows set value_usd = 0", errors.InsufficientPrivilege),
        ("delete from {s}.dim_product", errors.InsufficientPrivilege),
        ("truncate {s}.import_dependency", errors.InsufficientPrivilege),
        ("drop table {s}.trade_flows", errors.InsufficientPrivilege),
        ("create table {s}.scratch (a int)", errors.InsufficientPrivilege),
        ("create table public.scratch (a int)", errors.InsufficientPrivilege),
        ("create schema scratch", errors.InsufficientPrivilege),
    ],
)
def test_the_reader_role_cannot_write(built_warehouse, postgres, statement, error):
    query = statement.format(s=f'"{TEST_PG_SCHEMA}"')
    with psycopg.connect(postgres.reader_url, autocommit=True) as pg:
        # first line of defence: the role's sessions are read-only
        with pytest.raises(errors.ReadOnlySqlTransaction):
            pg.execute(query)
        # and when a client switches that off, the privileges still refuse
        pg.execute("set session characteristics as transaction read write")
        with pytest.raises(error):
            pg.execute(query)


def _smaller_snapshot(source, target) -> dict[str, int]:
    """The same real snapshot without the years before 2020: a second, different publish to swap in."""
    shutil.copyfile(source, target)
    target.chmod(0o644)
    with duckdb.connect(str(target)) as con:
        con.execute("delete from marts.trade_flows where year < 2020")
        con.execute("delete from marts.import_dependency where year < 2020")
        return _marts(con) | {
            t: con.execute(f"select count(*) from marts.{t}").fetchone()[0]
            for t in ("trade_flows", "import_dependency")
        }


CONSISTENT = """
select m.publish_id, bool_and(m.row_count = c.n), count(distinct m.publish_id), sum(c.n)
from {schema}.{manifest} m join (
    {counts}
) c using (table_name)
group by m.publish_id
"""
# The same check touching the tables in the opposite order: the publisher must not deadlock with it.
CONSISTENT_REVERSED = """
select m.publish_id, bool_and(m.row_count = c.n), count(distinct m.publish_id), sum(c.n)
from (
    {counts}
) c join {schema}.{manifest} m using (table_name)
group by m.publish_id
"""


def test_a_republish_is_atomic_for_readers(built_warehouse, postgres, pg_schema, tmp_path):
    full = built_warehouse.published_path
    small = tmp_path / "small.duckdb"
    small_rows = _smaller_snapshot(full, small)
    with open_snapshot(full) as con:
        full_rows = _marts(con)
    assert small_rows["trade_flows"] < full_rows["trade_flows"]
    target = postgres.target(pg_schema)
    first = publish_to_postgres(full, target)

    schema = sql.Identifier(pg_schema)

    def counts(tables):
        return sql.SQL(" union all ").join(
            sql.SQL("select {} as table_name, count(*) as n from {}.{}").format(
                sql.Literal(t), schema, sql.Identifier(t)
            )
            for t in tables
        )

    manifest = sql.Identifier(MANIFEST_TABLE)
    queries = [
        sql.SQL(CONSISTENT).format(schema=schema, manifest=manifest, counts=counts(sorted(full_rows))),
        sql.SQL(CONSISTENT_REVERSED).format(
            schema=schema, manifest=manifest, counts=counts(sorted(full_rows, reverse=True))
        ),
    ]
    stop = threading.Event()
    seen: list[tuple] = []
    failures: list[str] = []

    def read(query) -> None:
        with psycopg.connect(postgres.reader_url, autocommit=True) as pg:
            while not stop.is_set():
                try:
                    rows = pg.execute(query).fetchall()
                except psycopg.Error as error:  # any error is a failure: readers must never notice a publish
                    failures.append(f"{type(error).__name__}: {error}")
                    continue
                if len(rows) != 1 or not rows[0][1]:
                    failures.append(f"inconsistent snapshot seen: {rows}")
                seen.extend(rows)

    readers = [threading.Thread(target=read, args=(queries[i % 2],)) for i in range(3)]
    for thread in readers:
        thread.start()
    published = [first.publish_id]
    try:
        for snapshot in (small, full, small, full):
            time.sleep(0.2)
            published.append(publish_to_postgres(snapshot, target).publish_id)
        time.sleep(0.2)
    finally:
        stop.set()
        for thread in readers:
            thread.join(timeout=60)

    assert not failures, failures[:5]
    ids = {row[0] for row in seen}
    assert len(ids) >= 3, "the readers should have seen several publishes go by"
    assert ids <= set(published)
    totals = {row[3] for row in seen}
    assert totals <= {sum(full_rows.values()), sum(small_rows.values())}
    with psycopg.connect(postgres.url) as pg:
        leftovers = pg.execute(
            "select nspname from pg_namespace where starts_with(nspname, %s) and nspname <> %s",
            [pg_schema, pg_schema],
        ).fetchall()
    assert leftovers == [], "the load and retired schemas are dropped after each swap"
