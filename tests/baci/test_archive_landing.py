"""BACI bulk archives land member by member: streamed, validated, promoted, reloaded without duplicates."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import duckdb
import pytest

from orchestration.ingest import archives
from orchestration.ingest.ingest import ingest_table
from orchestration.ingest.readers import read_sql
from orchestration.ingest.registry import raw_table

from .conftest import FLOWS_2021, FLOWS_2021_V2023, FLOWS_2022, release_2023, release_2024, write_archive

TRADE, COUNTRIES, PRODUCTS = (raw_table(n) for n in ("baci__trade_flows", "baci__country_codes", "baci__product_codes"))
ARCHIVE_2024 = "baci/archives/HS17_V202401/BACI_HS17_V202401.zip"
ARCHIVE_2023 = "baci/archives/HS17_V202301/BACI_HS17_V202301.zip"


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield connection
    connection.close()


def test_both_releases_land_member_by_member(tmp_path, con, baci_reference):
    data = tmp_path / "data"
    write_archive(data / ARCHIVE_2024, release_2024(baci_reference))
    write_archive(data / ARCHIVE_2023, release_2023(baci_reference))

    reports = {t.name: ingest_table(con, t, data) for t in (COUNTRIES, PRODUCTS, TRADE)}
    assert all(r.ok for r in reports.values()), {n: r.error_message for n, r in reports.items()}
    assert [(f.file_path, f.status, f.rows) for f in reports["baci__trade_flows"].files] == [
        (f"{ARCHIVE_2023}/BACI_HS17_Y2021_V202301.csv", "promoted", len(FLOWS_2021_V2023)),
        (f"{ARCHIVE_2024}/BACI_HS17_Y2021_V202401.csv", "promoted", len(FLOWS_2021)),
        (f"{ARCHIVE_2024}/BACI_HS17_Y2022_V202401.csv", "promoted", len(FLOWS_2022)),
    ]
    # year, codes and value parsed as the file was read; k and q stay text as written: k without its
    # leading zero, q as NA, blank or space-padded NA
    rows = con.execute(
        "select t, i, j, k, v, q, _row_number from raw.baci__trade_flows "
        "where _file_path like '%Y2022_V202401.csv' order by _row_number"
    ).fetchall()
    assert [r[:6] for r in rows] == [
        (t, i, j, str(k), Decimal(v), q if q != "" else None) for t, i, j, k, v, q in FLOWS_2022
    ]
    assert rows[4][3] == "10121" and rows[4][5] is None and rows[5][5] == "         NA"
    types = dict(con.execute("select column_name, column_type from (describe raw.baci__trade_flows)").fetchall())
    assert [types[c] for c in "tijkvq"] == ["INTEGER", "INTEGER", "INTEGER", "VARCHAR", "DECIMAL(18,3)", "VARCHAR"]

    # the V2024 country file lands under the raw table's columns; V2023 keeps its full names
    layouts = con.execute(
        "select _file_path, count(*), count(country_name_full), count(iso_3digit_alpha), "
        "max(iso_3digit_alpha) filter (where country_code = '490') "
        "from raw.baci__country_codes group by all order by 1"
    ).fetchall()
    n = len(baci_reference.country_rows)
    assert layouts == [
        (f"{ARCHIVE_2023}/country_codes_V202301.csv", n, n, n, "TWN"),
        (f"{ARCHIVE_2024}/country_codes_V202401.csv", n, 0, n, "TWN"),
    ]
    products = con.execute("select count(distinct _file_path), count(*) from raw.baci__product_codes").fetchone()
    assert products == (2, 2 * (baci_reference.product_file.count(b"\n") - 1))


def test_member_is_streamed_in_blocks_and_read_under_the_raw_names(tmp_path, monkeypatch, baci_reference):
    member = baci_reference.country_file_v2024()
    archive = write_archive(tmp_path / "BACI_HS17_V202401.zip", {"country_codes_V202401.csv": member})
    monkeypatch.setattr(archives, "COPY_BLOCK_BYTES", 7)  # the member is copied in many small blocks
    with archives.extracted_member(archive, "country_codes_V202401.csv", "baci/x.zip") as extracted:
        assert extracted.path.read_bytes() == member  # as published
        assert extracted.rel_path == "baci/x.zip/country_codes_V202401.csv"
        assert extracted.sha256 == hashlib.sha256(member).hexdigest()
        assert extracted.uncompressed_bytes == len(member)
        # the V202401 header (country_name, country_iso2, country_iso3) lands in the raw columns
        read = duckdb.connect().execute(f"select * from ({read_sql(COUNTRIES, extracted.path)}) limit 0")
        assert [d[0] for d in read.description] == [
            "_row_number", "country_code", "country_name_abbreviation", "iso_2digit_alpha", "iso_3digit_alpha"
        ]  # fmt: skip
    assert not extracted.path.exists()
    # a BOM and quoted names are read as the names they are
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b'\xef\xbb\xbf"country_code","country_iso3"\r\n"156","CHN"\r\n')
    row = duckdb.connect().execute(f"select country_code, iso_3digit_alpha from ({read_sql(COUNTRIES, bom)})")
    assert row.fetchall() == [("156", "CHN")]


def test_corrupted_year_file_is_rejected_with_evidence(tmp_path, con, baci_reference):
    bad = [*FLOWS_2022[:3], (2022, 156, 842, "85423X", "12.0", "1"), (2022, 842, 392, 280530, "-3.5", "NA"),
           FLOWS_2022[0]]  # fmt: skip
    write_archive(tmp_path / "data" / ARCHIVE_2024, release_2024(baci_reference, flows_2022=bad))
    assert ingest_table(con, COUNTRIES, tmp_path / "data").ok  # the suite checks i and j against it
    report = ingest_table(con, TRADE, tmp_path / "data")

    statuses = {f.file_path.rsplit("/", 1)[1]: f.status for f in report.files}
    assert statuses == {"BACI_HS17_Y2021_V202401.csv": "promoted", "BACI_HS17_Y2022_V202401.csv": "rejected"}
    assert not report.ok
    message = report.error_message
    assert f"raw.baci__trade_flows <- {ARCHIVE_2024}/BACI_HS17_Y2022_V202401.csv" in message
    assert "expect_column_values_to_match_regex failed on column 'k': 1 of 6 rows" in message
    assert "'85423X'" in message
    assert "expect_column_values_to_be_between failed on column 'v'" in message and "-3.5" in message
    assert "expect_compound_columns_to_be_unique failed on column 't,i,j,k': 2 of 6 rows" in message
    assert "'854231'" in message  # the duplicated key is shown
    # nothing of the bad file reached raw; it waits in quarantine
    in_raw = con.execute("select count(*) from raw.baci__trade_flows where _file_path like '%Y2022%'").fetchone()
    assert in_raw == (0,)
    assert con.execute("select count(*) from quarantine.baci__trade_flows").fetchone() == (len(bad),)
    failed = con.execute(
        "select column_name, unexpected_count from audit.validation_results "
        "where not success and file_path like '%Y2022%' order by 1"
    ).fetchall()
    assert failed == [("k", 1), ("t,i,j,k", 2), ("v", 1)]


def test_a_value_that_does_not_parse_rejects_the_file_naming_its_lines(tmp_path, con, baci_reference):
    bad = [*FLOWS_2022[:2], (2022, 156, 842, 280530, "12.5 kUSD", "1"), (2022, "20x2", 842, 811292, "7.0", "NA")]
    write_archive(tmp_path / "data" / ARCHIVE_2024, release_2024(baci_reference, flows_2022=bad))
    assert ingest_table(con, COUNTRIES, tmp_path / "data").ok  # the suite checks i and j against it
    report = ingest_table(con, TRADE, tmp_path / "data")
    rejected = next(f for f in report.files if f.status == "rejected")
    assert rejected.file_path.endswith("BACI_HS17_Y2022_V202401.csv")
    message = report.error_message
    # DuckDB's store_rejects kept each unparsable line: file, column, rule, line number and raw text
    assert "typed_read_rejects failed on column 'i': 1 of 4 rows" in message
    assert "line 5: 2022,20x2,842,811292,7.0,NA" in message
    assert (
        "typed_read_rejects failed on column 'v': 1 of" in message
        and "line 4: 2022,156,842,280530,12.5 kUSD,1" in message
    )
    assert con.execute("select count(*) from raw.baci__trade_flows where _file_path like '%Y2022%'").fetchone() == (0,)
    assert con.execute("select count(*) from quarantine.baci__trade_flows").fetchone() == (len(bad),)
    recorded = con.execute(
        "select column_name, unexpected_count from audit.validation_results "
        "where expectation_type = 'typed_read_rejects' order by 1"
    ).fetchall()
    assert recorded == [("i", 1), ("v", 1)]


def test_reloading_an_archive_replaces_and_never_duplicates(tmp_path, con, baci_reference):
    data = tmp_path / "data"
    path = write_archive(data / ARCHIVE_2024, release_2024(baci_reference))
    assert ingest_table(con, COUNTRIES, data).ok
    first = ingest_table(con, TRADE, data)
    assert first.count("promoted") == 2

    again = ingest_table(con, TRADE, data)  # same bytes: nothing to do
    assert [f.status for f in again.files] == ["unchanged", "unchanged"]

    revised = [(*FLOWS_2022[0][:4], "1300.000", "13"), *FLOWS_2022[1:]]  # CEPII revises a value
    path.unlink()
    write_archive(path, release_2024(baci_reference, flows_2022=revised))
    third = ingest_table(con, TRADE, data)
    assert {f.file_path.rsplit("/", 1)[1]: f.status for f in third.files} == {
        "BACI_HS17_Y2021_V202401.csv": "unchanged",
        "BACI_HS17_Y2022_V202401.csv": "promoted",
    }
    counts = con.execute(
        "select count(*), count(*) filter (where _file_path like '%Y2022%'), "
        "max(v) filter (where i = 156 and j = 842 and t = 2022) from raw.baci__trade_flows"
    ).fetchone()
    assert counts == (len(FLOWS_2021) + len(FLOWS_2022), len(FLOWS_2022), Decimal("1300.000"))
    history = con.execute(
        "select count(*), max(v) filter (where i = 156 and j = 842) from raw_history.baci__trade_flows"
    ).fetchone()
    assert history == (len(FLOWS_2022), Decimal("1234.567"))  # the superseded figures stay queryable
    statuses = con.execute(
        "select status, count(*) from audit.loads where raw_table = 'baci__trade_flows' group by 1 order by 1"
    ).fetchall()
    assert statuses == [("promoted", 2), ("superseded", 1)]


def test_no_archive_is_no_failure_for_baci_flows_only(tmp_path, con):
    (tmp_path / "data" / "baci").mkdir(parents=True)
    assert ingest_table(con, TRADE, tmp_path / "data").ok  # live-only table, nothing downloaded yet
    assert not ingest_table(con, PRODUCTS, tmp_path / "data").ok  # required tables still fail
    assert con.execute("select count(*) from raw.baci__trade_flows").fetchone() == (0,)


def test_each_table_takes_only_its_members(tmp_path, baci_reference):
    archive = write_archive(tmp_path / "a.zip", release_2024(baci_reference))
    assert archives.member_names(TRADE, archive) == ["BACI_HS17_Y2021_V202401.csv", "BACI_HS17_Y2022_V202401.csv"]
    assert archives.member_names(COUNTRIES, archive) == ["country_codes_V202401.csv"]
    assert archives.member_names(PRODUCTS, archive) == ["product_codes_HS17_V202401.csv"]
