"""The published snapshot for ad-hoc SQL: storage old clients can read, `make sql`, the SQLAlchemy URL."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import duckdb
import pytest

from orchestration.layout import REPO_ROOT
from orchestration.publish import STORAGE_VERSION
from orchestration.serving.sqlalchemy_url import duckdb_sqlalchemy_url
from tests.serving.conftest import open_snapshot

# The oldest DuckDB release the README promises; tested with a real client of that version.
OLDEST_CLIENT = "1.0.0"

READ_EVERY_MART = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
marts = [r[0] for r in con.execute(
    "select table_name from information_schema.tables where table_schema = 'marts' order by 1").fetchall()]
out = {"version": duckdb.__version__, "rows": {}, "sums": {}}
for t in marts:
    out["rows"][t] = con.execute(f'select count(*) from marts."{t}"').fetchone()[0]
    con.execute(f'select * from marts."{t}"').fetchall()  # every value decodes, not just the counts
out["sums"]["trade_flows"] = con.execute("select sum(value_usd) from marts.trade_flows").fetchone()[0]
out["sums"]["import_dependency"] = con.execute(
    "select sum(china_share), sum(hhi) from marts.import_dependency").fetchone()
out["manifest"] = dict(con.execute("select table_name, row_count from publish.table_rows").fetchall())
out["groups"] = con.execute("select country_groups from marts.dim_country where iso3 = 'DEU'").fetchone()[0]
print(json.dumps(out))
"""


def _manifest(con) -> dict[str, int]:
    return dict(con.execute("select table_name, row_count from publish.table_rows").fetchall())


def test_snapshot_is_written_in_the_pinned_storage_version(built_warehouse):
    with duckdb.connect() as con:
        con.execute(f"attach '{built_warehouse.published_path}' as snap (read_only)")
        tags = con.execute("select tags from duckdb_databases() where database_name = 'snap'").fetchone()[0]
        assert tags["storage_version"].startswith(STORAGE_VERSION)
        # index constraints are what DuckDB 1.0 cannot deserialize: the snapshot carries none
        assert con.execute(
            "select count(*) from duckdb_constraints() where database_name = 'snap' "
            "and constraint_type in ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')"
        ).fetchone() == (0,)
    with open_snapshot(built_warehouse.published_path) as con:
        marts = {
            r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()
        }
        assert set(_manifest(con)) == marts
        assert {"trade_flows", "import_dependency", "dim_country", "dim_product"} <= marts


def test_the_oldest_supported_duckdb_client_reads_every_mart(built_warehouse):
    python = subprocess.run(
        ["bash", str(REPO_ROOT / "scripts" / "duckdb_client.sh"), OLDEST_CLIENT],
        capture_output=True, text=True, check=True, timeout=300,
    ).stdout.strip()  # fmt: skip
    done = subprocess.run(
        [python, "-c", READ_EVERY_MART, str(built_warehouse.published_path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    old = json.loads(done.stdout)
    assert old["version"] == OLDEST_CLIENT
    with open_snapshot(built_warehouse.published_path) as con:
        assert old["rows"] == _manifest(con) == old["manifest"]
        assert old["sums"]["trade_flows"] == pytest.approx(
            con.execute("select sum(value_usd) from marts.trade_flows").fetchone()[0], rel=1e-12
        )
        expected = con.execute("select sum(china_share), sum(hhi) from marts.import_dependency").fetchone()
        assert old["sums"]["import_dependency"] == pytest.approx(list(expected), rel=1e-12)
        assert (
            old["groups"]
            == con.execute("select country_groups from marts.dim_country where iso3 = 'DEU'").fetchone()[0]
        )
        assert "EU27" in old["groups"]


def _sql_prompt(built_warehouse, stdin: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "WAREHOUSE_DIR": str(built_warehouse.warehouse_dir)}
    return subprocess.run(
        [sys.executable, "-m", "orchestration.sql_prompt"], input=stdin, capture_output=True, text=True,
        env=env, cwd=REPO_ROOT, timeout=60,
    )  # fmt: skip


def test_make_sql_opens_the_snapshot_read_only(built_warehouse):
    with open_snapshot(built_warehouse.published_path) as con:
        expected = con.execute("select count(*) from marts.trade_flows").fetchone()[0]
    done = _sql_prompt(built_warehouse, ".mode csv\nselect count(*) as n from marts.trade_flows;\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["n", str(expected)]

    refused = _sql_prompt(built_warehouse, "create table marts.scratch (a int);\n")
    assert "read-only" in refused.stderr
    with open_snapshot(built_warehouse.published_path) as con:
        assert con.execute("select count(*) from duckdb_tables() where table_name = 'scratch'").fetchone() == (0,)


SQLALCHEMY_CLIENT = """
import json, sys
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError
engine = create_engine(sys.argv[1])
out = {"tables": sorted(inspect(engine).get_table_names(schema="marts")), "rows": {}}
with engine.connect() as conn:
    for table in out["tables"]:
        out["rows"][table] = conn.execute(text(f'select count(*) from marts."{table}"')).scalar()
    out["top"] = list(conn.execute(
        text("select top_supplier_iso3, china_share from marts.import_dependency where importer_iso3 = :i "
             "and hs_code = :h and source = 'comtrade' and year = 2023"),
        {"i": "USA", "h": "280530"},
    ).one())
    try:
        conn.execute(text("create table marts.scratch (a int)"))
        out["write"] = "accepted"
    except SQLAlchemyError as error:
        out["write"] = str(error)
engine.dispose()
print(json.dumps(out))
"""


def test_sqlalchemy_url_opens_the_snapshot_through_duckdb_engine(built_warehouse):
    # In its own process, as a BI tool would: DuckDB refuses a second in-process connection to one file
    # with different settings (duckdb-engine adds its own), and tests/exposure holds one open.
    url = duckdb_sqlalchemy_url(built_warehouse.published_path)
    assert url.startswith("duckdb:///") and url.endswith("?access_mode=read_only")
    done = subprocess.run([sys.executable, "-c", SQLALCHEMY_CLIENT, url], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout)
    with open_snapshot(built_warehouse.published_path) as con:
        manifest = _manifest(con)
        top = con.execute(
            "select top_supplier_iso3, china_share from marts.import_dependency "
            "where importer_iso3 = 'USA' and hs_code = '280530' and source = 'comtrade' and year = 2023"
        ).fetchone()
    # what a BI tool does first: list the tables, then query them
    assert got["tables"] == sorted(manifest)
    assert got["rows"] == manifest
    assert tuple(got["top"]) == top
    assert "read-only" in got["write"]
