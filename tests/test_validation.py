"""Great Expectations suites: every raw table has one, computed in DuckDB, failures name the evidence."""

from __future__ import annotations

import json

import duckdb
import pytest

from data_quality.runner import validate_relation
from orchestration.ingest.ingest import ingest_table
from orchestration.ingest.registry import RAW_TABLES, raw_table
from orchestration.ingest.suites import suite_to_run
from tests.conftest import load_references


def test_every_raw_table_has_a_suite_that_gx_accepts():
    import great_expectations as gx

    for table in RAW_TABLES:  # sample and live
        suite = suite_to_run(table)
        assert gx.ExpectationSuite(**suite).expectations, table.name
        types = {e["type"] for e in suite["expectations"]}
        assert "expect_table_row_count_to_be_between" in types, table.name
        assert types & {"expect_compound_columns_to_be_unique", "expect_column_values_to_be_unique"}, table.name
        exists = {e["kwargs"]["column"] for e in suite["expectations"] if e["type"] == "expect_column_to_exist"}
        assert set(table.columns) <= exists, table.name


@pytest.fixture
def comtrade(tmp_path, sample_data_dir):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    table = raw_table("comtrade__v1_records")
    files = sorted((sample_data_dir / "comtrade/rows_us_china").glob("*.csv"))
    load_references(con, table, sample_data_dir)
    assert ingest_table(con, table, sample_data_dir, files).ok
    yield con, table
    con.close()


def test_suite_counts_every_row_of_the_relation(comtrade):
    con, table = comtrade
    # every file but the light-REE one, which repeats the heavy-REE file's records
    relation = "select * from raw.comtrade__v1_records where _file_path not like '%light_ree%'"
    outcome = validate_relation(con, relation, suite_to_run(table))
    assert outcome.success and outcome.row_count == 640
    row_counts = [o.observed_value for o in outcome.outcomes if o.expectation_type.startswith("expect_table_row")]
    assert row_counts == [640]
    not_null = [o for o in outcome.outcomes if o.expectation_type == "expect_column_values_to_not_be_null"]
    assert not_null and all(o.element_count == 640 for o in not_null)


def test_a_duplicate_key_across_files_is_found(comtrade):
    con, table = comtrade
    # the heavy and light REE files are near-copies: stacked, every key repeats across files
    relation = "select * from raw.comtrade__v1_records where _file_path like '%ree%'"
    outcome = validate_relation(con, relation, suite_to_run(table))
    unique = next(o for o in outcome.outcomes if o.expectation_type == "expect_compound_columns_to_be_unique")
    assert not unique.success and unique.unexpected_count == 160


def test_rejected_load_names_file_column_rule_and_values(tmp_path, sample_data_dir):
    root = tmp_path / "data" / "comtrade" / "rows_us_china"
    root.mkdir(parents=True)
    source = sample_data_dir / "comtrade/rows_us_china/gallium_trade_data.csv"
    text = source.read_text().replace(",811292,", ",81129X,", 1).replace("12636598.0", "-12636598.0", 1)
    (root / "gallium_trade_data.csv").write_text(text)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_references(con, raw_table("comtrade__v1_records"), sample_data_dir)
    report = ingest_table(con, raw_table("comtrade__v1_records"), tmp_path / "data")
    assert [f.status for f in report.files] == ["rejected"]
    message = report.error_message
    assert "comtrade/rows_us_china/gallium_trade_data.csv" in message
    assert "expect_column_values_to_match_regex failed on column 'cmdCode'" in message and "'81129X'" in message
    assert "column 'cifvalue'" in message and "'-12636598.0'" in message  # its first occurrence in the file
    assert con.execute("select count(*) from raw.comtrade__v1_records").fetchone()[0] == 0
    results = con.execute(
        "select expectation_type, column_name, success, unexpected_count, partial_unexpected_list "
        "from audit.validation_results where not success order by column_name"
    ).fetchall()
    assert {(r[1], r[3]) for r in results} >= {("cmdCode", 1), ("cifvalue", 1)}
    regex = next(r[4] for r in results if r[1] == "cmdCode" and r[0] == "expect_column_values_to_match_regex")
    assert json.loads(regex) == ["81129X"]
    # the domain rule names the file line (the header is line 1): 81129X is no code of Comtrade's HS reference either
    reference = next(r[4] for r in results if r[1] == "cmdCode" and r[0] == "unexpected_rows_expectation")
    assert json.loads(reference) == [[2, "81129X"]]
    assert ("unexpected_rows_expectation", "cmdCode", 1) in {(r[0], r[1], r[3]) for r in results}  # counted
    assert "reference:comtrade_hs_codes failed on column 'cmdCode': 1 rows, e.g. line 2: '81129X'" in message
    total = con.execute(
        "select count(*) from audit.validation_results where raw_table = 'comtrade__v1_records'"
    ).fetchone()[0]
    assert total == len(suite_to_run("comtrade__v1_records")["expectations"])
    con.close()
