"""Landing real files: provenance, idempotent reloads, replacements kept as history, unreadable files."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest import landing
from orchestration.ingest.ingest import ingest_table
from orchestration.ingest.registry import SAMPLE_TABLES, raw_table
from tests.conftest import load_references

CODES = "census/CensusCountryMapping_FRBAtl_short.csv"


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    yield connection
    connection.close()


@pytest.fixture
def data_copy(tmp_path, sample_data_dir) -> Path:
    """A writable copy of just the Census country map, at its usual relative path."""
    root = tmp_path / "data"
    (root / "census").mkdir(parents=True)
    shutil.copy(sample_data_dir / CODES, root / CODES)
    return root


def test_every_raw_table_has_files_in_the_sample(sample_data_dir):
    for table in SAMPLE_TABLES:
        if getattr(table, "required", True):
            assert landing.discover_files(table, sample_data_dir), table.name


def test_land_keeps_rows_as_written_with_provenance(con, sample_data_dir):
    table = raw_table("census__country_codes")
    path = sample_data_dir / CODES
    report = ingest_table(con, table, sample_data_dir, [path])
    assert [f.status for f in report.files] == ["promoted"]
    rows = con.execute(
        'select "CTY_CODE", "ISO3", _source, _file_path, _file_sha256, _row_number, _load_id, _loaded_at '
        "from raw.census__country_codes order by _row_number"
    ).fetchall()
    with path.open(encoding="utf-8-sig") as handle:
        assert len(rows) == sum(1 for _ in handle) - 1
    assert rows[0][:2] == ("4271", "AND")  # as written, leading digits and all, text
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert {(r[2], r[3], r[4]) for r in rows} == {("census", CODES, sha)}
    assert [r[5] for r in rows] == list(range(1, len(rows) + 1))
    assert all(r[6] == report.files[0].load_id and r[7] is not None for r in rows)


def test_same_bytes_again_is_a_no_op(con, sample_data_dir):
    table = raw_table("census__country_codes")
    ingest_table(con, table, sample_data_dir, [sample_data_dir / CODES])
    again = ingest_table(con, table, sample_data_dir, [sample_data_dir / CODES])
    assert [f.status for f in again.files] == ["unchanged"]
    assert con.execute("select count(*) from raw.census__country_codes").fetchone()[0] == 225
    assert con.execute("select count(*) from audit.loads").fetchone()[0] == 1


def test_changed_file_replaces_and_keeps_the_superseded_rows(con, data_copy):
    table = raw_table("census__country_codes")
    first = ingest_table(con, table, data_copy).files[0]
    path = data_copy / CODES
    path.write_text(path.read_text().replace("5700,CHN,China", "5700,CHN,China (revised)"))
    second = ingest_table(con, table, data_copy).files[0]
    assert second.status == "promoted"
    assert con.execute("select count(*) from raw.census__country_codes").fetchone()[0] == 225
    assert con.execute("select country from raw.census__country_codes where \"CTY_CODE\" = '5700'").fetchone() == (
        "China (revised)",
    )
    history = con.execute(
        "select country, _load_id from raw_history.census__country_codes where \"CTY_CODE\" = '5700'"
    ).fetchall()
    assert history == [("China", first.load_id)]
    statuses = dict(con.execute("select load_id, status from audit.loads").fetchall())
    assert statuses == {first.load_id: "superseded", second.load_id: "promoted"}


def test_unreadable_file_is_refused_with_its_name(con, data_copy):
    table = raw_table("census__country_codes")
    path = data_copy / CODES
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(10, "9999,XXX,Nowhere,an extra field,and another\n")  # 5 fields under a 3-column header
    path.write_text("".join(lines))
    report = ingest_table(con, table, data_copy)
    assert report.files[0].status == "unreadable"
    assert CODES in report.error_message and "cannot be read" in report.error_message
    assert con.execute("select count(*) from raw.census__country_codes").fetchone()[0] == 0


def test_latin1_export_lands_with_its_accents(con, sample_data_dir):
    table = raw_table("comtrade__ui_exports")
    path = sample_data_dir / "comtrade/ui_exports/ic_exports_world_HS8542_raw.csv"
    load_references(con, table, sample_data_dir)
    assert ingest_table(con, table, sample_data_dir, [path]).ok
    names = {r[0] for r in con.execute('select distinct "reporterDesc" from raw.comtrade__ui_exports').fetchall()}
    assert {"Türkiye", "Curaçao", "Côte d'Ivoire"} <= names
    assert con.execute("select count(*) from raw.comtrade__ui_exports").fetchone()[0] == 1686


def test_usgs_cells_keep_every_value_and_header(con, sample_data_dir):
    table = raw_table("usgs__mcs_world_cells")
    path = sample_data_dir / "usgs_mcs/2024/world/mcs2024-galli_world.csv"
    ingest_table(con, table, sample_data_dir, [path])
    cells = con.execute(
        "select row_number, column_name, value from raw.usgs__mcs_world_cells "
        "where column_name in ('Country', 'Prod_kg_est_2023') order by _row_number"
    ).fetchall()
    assert ("3", "Country", "Japane") in cells  # footnote 'e' glued on, kept as published
    assert ("1", "Country", "United\xa0States") in cells  # NBSP kept in raw
    assert ("2", "Prod_kg_est_2023", "600000") in cells


KILLED_MID_LOAD = """
import os, signal, sys
from pathlib import Path
import duckdb
from orchestration.ingest import landing
from orchestration.ingest.registry import raw_table
con = duckdb.connect(sys.argv[1])
table = raw_table("census__country_codes")
landing.ensure_meta(con)
landing.ensure_raw_table(con, table)
path = Path(sys.argv[2])
columns = landing.file_columns(con, table, path, sys.argv[3])
con.execute("begin transaction")
landing.write_load(con, table, path, sys.argv[3], "0" * 64, columns)  # rows written, not committed
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_process_killed_mid_load_leaves_raw_as_it_was(tmp_path, sample_data_dir):
    import subprocess
    import sys

    db = tmp_path / "warehouse.duckdb"
    done = subprocess.run([sys.executable, "-c", KILLED_MID_LOAD, str(db), str(sample_data_dir / CODES), CODES])
    assert done.returncode == -9
    con = duckdb.connect(str(db))
    try:
        assert con.execute("select count(*) from raw.census__country_codes").fetchone()[0] == 0
        assert con.execute("select count(*) from audit.loads").fetchone()[0] == 0
        report = ingest_table(con, raw_table("census__country_codes"), sample_data_dir, [sample_data_dir / CODES])
        assert [f.status for f in report.files] == ["promoted"]
        assert con.execute("select count(*) from raw.census__country_codes").fetchone()[0] == 225
        assert con.execute("select count(*) from raw_history.census__country_codes").fetchone()[0] == 0
    finally:
        con.close()
