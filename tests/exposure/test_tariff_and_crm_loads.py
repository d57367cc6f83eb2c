"""The tariff and EU CRM raw tables refuse malformed files with a message naming file, column and
values; well-formed files are promoted. Runs on a temporary DuckDB, no pipeline."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.ingest import ingest_table
from orchestration.ingest.registry import raw_table


def _ingest(tmp_path: Path, table: str, rel_path: str, text: str, encoding: str = "utf-8"):
    target = tmp_path / "data" / rel_path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding=encoding)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        report = ingest_table(con, raw_table(table), tmp_path / "data")
        raw_rows = con.execute(f'select count(*) from raw."{table}"').fetchone()[0]
    finally:
        con.close()
    return report, raw_rows


def test_section_301_file_with_a_bad_rate_is_rejected(tmp_path, sample_data_dir):
    rel = "tariffs/us/section_301_rates_temporal.csv"
    lines = (sample_data_dir / rel).read_text().splitlines()
    lines[1] = lines[1].replace(",0.075,", ",7.5%,", 1)
    report, raw_rows = _ingest(tmp_path, "tariffs__section_301_rates", rel, "\n".join(lines) + "\n")
    assert not report.ok and raw_rows == 0
    message = report.error_message
    assert rel in message and "duty_rate" in message and "7.5%" in message


def test_section_232_list_parses_its_sections_and_refuses_a_broken_line(tmp_path, sample_data_dir):
    rel = "tariffs/us/section_232_hts_codes.csv"
    good = (sample_data_dir / rel).read_bytes().decode("utf-8")
    report, raw_rows = _ingest(tmp_path / "good", "tariffs__section_232_lines", rel, good)
    assert report.ok and raw_rows == len(good.split("\n"))
    broken = good.replace("8471.50.01,semiconductor,primary,", "8471.50.01;semiconductor;primary,", 1)
    report, raw_rows = _ingest(tmp_path / "bad", "tariffs__section_232_lines", rel, broken)
    assert not report.ok and raw_rows == 0
    assert "line" in report.error_message and "8471.50.01;semiconductor" in report.error_message


def test_eu_crm_share_that_is_not_a_share_is_rejected(tmp_path, sample_data_dir):
    rel = "eu_crm/fact_GlobalSupplyShares_and_t.csv"
    text = (sample_data_dir / rel).read_bytes().decode("latin-1")
    assert "Gallium,P,China,93.8%" in text
    report, raw_rows = _ingest(
        tmp_path,
        "eu_crm__global_supply_shares",
        rel,
        text.replace("Gallium,P,China,93.8%", "Gallium,P,China,n/a"),
        encoding="latin-1",
    )
    assert not report.ok and raw_rows == 0
    assert "Share" in report.error_message and "n/a" in report.error_message


@pytest.mark.parametrize(
    "table",
    ["tariffs__ieepa_rates", "tariffs__mfn_base_rates", "tariffs__annex_ii_exemptions", "eu_crm__eu_supply_shares"],
)
def test_sample_files_pass_their_suites(tmp_path, sample_data_dir, table):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        report = ingest_table(con, raw_table(table), sample_data_dir)
    finally:
        con.close()
    assert report.ok, report.error_message
    assert report.count("promoted") == 1
