"""Great Expectations suites: every raw table has one, chunked runs agree, failures name the evidence."""

from __future__ import annotations

import json

import duckdb
import pytest

from data_quality.runner import SUITES_DIR, load_suite_dict, validate_relation
from orchestration.ingest.ingest import ingest_table
from orchestration.ingest.registry import RAW_TABLES, raw_table


def test_every_raw_table_has_a_suite_that_gx_accepts():
    import great_expectations as gx

    for table in RAW_TABLES:
        suite = load_suite_dict(table.suite_name)
        assert gx.ExpectationSuite(**suite).expectations, table.name
        types = {e["type"] for e in suite["expectations"]}
        assert "expect_table_row_count_to_be_between" in types, table.name
        assert types & {"expect_compound_columns_to_be_unique", "expect_column_values_to_be_unique"}, table.name
        exists = {e["kwargs"]["column"] for e in suite["expectations"] if e["type"] == "expect_column_to_exist"}
        assert set(table.columns) <= exists, table.name
    assert len(list(SUITES_DIR.glob("*.json"))) >= len(RAW_TABLES)


@pytest.fixture
def comtrade(tmp_path, sample_data_dir):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    table = raw_table("comtrade__v1_records")
    files = sorted((sample_data_dir / "comtrade/rows_us_china").glob("*.csv"))
    assert ingest_table(con, table, sample_data_dir, files).ok
    yield con, table
    con.close()


def test_chunked_validation_agrees_with_one_chunk(comtrade):
    con, table = comtrade
    # every file but the light-REE one, which repeats the heavy-REE file's records
    con.execute(
        "create table distinct_records as select * from raw.comtrade__v1_records "
        "where _file_path not like '%light_ree%'"
    )
    suite = load_suite_dict(table.suite_name)
    whole = validate_relation(con, "distinct_records", suite, table.grain, chunk_rows=10_000_000)
    chunked = validate_relation(con, "distinct_records", suite, table.grain, chunk_rows=40)
    assert whole.chunks == 1 and chunked.chunks == 16  # 640 rows / 40
    assert whole.success and chunked.success
    for a, b in zip(whole.outcomes, chunked.outcomes, strict=True):
        assert (a.expectation_type, a.success, a.element_count, a.unexpected_count) == (
            b.expectation_type, b.success, b.element_count, b.unexpected_count,
        )  # fmt: skip
    row_counts = [o.observed_value for o in chunked.outcomes if o.expectation_type.startswith("expect_table_row")]
    assert row_counts == [640]  # summed over chunks, not per chunk


def test_a_duplicate_key_is_found_whichever_chunk_it_falls_in(comtrade):
    con, table = comtrade
    # the heavy and light REE files are near-copies: stacked, every key repeats across files
    con.execute("create table stacked as select * from raw.\"comtrade__v1_records\" where _file_path like '%ree%'")
    suite = load_suite_dict(table.suite_name)
    outcome = validate_relation(con, "stacked", suite, table.grain, chunk_rows=7)
    unique = next(o for o in outcome.outcomes if o.expectation_type == "expect_compound_columns_to_be_unique")
    assert not unique.success and unique.unexpected_count == 160 and outcome.chunks == 23


def test_rejected_load_names_file_column_rule_and_values(tmp_path, sample_data_dir):
    root = tmp_path / "data" / "comtrade" / "rows_us_china"
    root.mkdir(parents=True)
    source = sample_data_dir / "comtrade/rows_us_china/gallium_trade_data.csv"
    text = source.read_text().replace(",811292,", ",81129X,", 1).replace("12636598.0", "-12636598.0", 1)
    (root / "gallium_trade_data.csv").write_text(text)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
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
    assert json.loads(next(r[4] for r in results if r[1] == "cmdCode")) == ["81129X"]
    total = con.execute("select count(*) from audit.validation_results").fetchone()[0]
    assert total == len(load_suite_dict("raw__comtrade__v1_records")["expectations"])
    con.close()
