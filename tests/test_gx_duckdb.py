"""The GX internals `data_quality/gx_duckdb.py` relies on: fails the day a GX upgrade breaks one."""

from __future__ import annotations

import duckdb
import pytest

from data_quality.gx_duckdb import gx_context
from data_quality.runner import validate_relation
from orchestration.ingest.registry import RAW_TABLES
from orchestration.ingest.suites import build_suite

SUITE = {
    "name": "probe",
    "expectations": [
        {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "code", "regex": "^[0-9]{2}$"}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "value"}},
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "flow", "value_set": ["M", "X"]}},
        {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["code", "flow"]}},
        {"type": "expect_column_to_exist", "kwargs": {"column": "flow"}},
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
    ],
}


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "probe.duckdb"))
    connection.execute(
        "create table t as select lpad((i % 100)::varchar, 2, '0') as code, "
        "case when i < 100 then 'M' else 'X' end as flow, i::varchar as value from range(200) r(i)"
    )
    yield connection
    connection.close()


def test_duckdb_keeps_one_persisted_connection():
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine_module

    gx_context()
    assert "duckdb" in engine_module._PERSISTED_CONNECTION_DIALECTS
    assert engine_module._dialect_requires_persisted_connection(connection_string="duckdb:///:memory:")


def test_every_expectation_is_computed_in_duckdb(con):
    outcome = validate_relation(con, "t", SUITE)
    assert outcome.success, [o.describe() for o in outcome.failures]
    assert outcome.row_count == 200
    assert all(o.element_count == 200 for o in outcome.outcomes if o.expectation_type.startswith("expect_column_val"))


def test_failures_are_counted_with_their_values(con):
    con.execute("insert into t values ('7', 'M', null), ('01', 'Z', '1'), ('01', 'M', '2')")
    outcome = validate_relation(con, "t", SUITE)
    failed = {o.expectation_type: o for o in outcome.failures}
    assert failed["expect_column_values_to_match_regex"].partial_unexpected == ["7"]
    assert failed["expect_column_values_to_not_be_null"].unexpected_count == 1
    assert failed["expect_column_values_to_be_in_set"].partial_unexpected == ["Z"]
    assert failed["expect_compound_columns_to_be_unique"].unexpected_count == 2  # ('01', 'M') twice
    assert set(failed) == {
        "expect_column_values_to_match_regex",
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_in_set",
        "expect_compound_columns_to_be_unique",
    }


def test_a_domain_rule_names_lines_and_a_broken_rule_says_why(con):
    """A rule's failing rows carry their place (meta.position); a rule GX cannot compute fails with
    GX's own reason (here a regex quantifier GX reads as a placeholder), never as 'observed 0'."""
    rules = {
        "name": "rules",
        "expectations": [
            {
                "type": "unexpected_rows_expectation",
                "kwargs": {
                    "unexpected_rows_query": "select 1 + i as row, flow as value from {batch} where code = '07'"
                },
                "meta": {"rule": "probe:seven", "column": "code", "position": "line"},
            },
            {
                "type": "unexpected_rows_expectation",
                "kwargs": {
                    "unexpected_rows_query": "select 1 as row, code as value from {batch} where code ~ '[0-9]{2}'"
                },
                "meta": {"rule": "probe:broken", "column": "code"},
            },
        ],
    }
    con.execute("alter table t add column i integer default 0")
    con.execute("update t set i = rowid + 1")
    failed = {o.rule: o for o in validate_relation(con, "t", rules).failures}
    assert (
        failed["probe:seven"].describe()
        == "probe:seven failed on column 'code': 2 rows, e.g. line 9: 'M', line 109: 'X'"
    )
    assert "placeholder" in failed["probe:broken"].describe()


def test_validation_runs_inside_the_callers_open_transaction(con):
    con.execute("begin transaction")
    con.execute("insert into t values ('xx', 'M', '1')")  # not committed: only this connection sees it
    outcome = validate_relation(con, "select * from t", SUITE)
    assert not outcome.success and outcome.row_count == 201
    con.execute("rollback")  # still the caller's transaction: GX neither committed nor ended it
    assert con.execute("select count(*) from t where code = 'xx'").fetchone()[0] == 0


def test_every_suite_regex_is_anchored():
    # DuckDB's `~` matches the whole string, PostgreSQL's searches: the same only for anchored patterns.
    for table in RAW_TABLES:
        for expectation in build_suite(table)["expectations"]:
            regex = expectation["kwargs"].get("regex")
            if regex is not None:
                assert regex.startswith("^") and regex.endswith("$"), (table.name, regex)


def test_configurations_are_memoised_only_while_a_batch_is_validated(con):
    import great_expectations as gx
    from great_expectations.expectations.expectation import Expectation

    from data_quality import gx_duckdb

    gx_context()
    assert getattr(Expectation.configuration.fget, "memoised", False), "GX renamed Expectation.configuration"
    expectation = gx.expectations.ExpectColumnValuesToNotBeNull(column="value")
    # outside a validation every read builds afresh, and sees a change
    assert expectation.configuration is not expectation.configuration
    expectation.column = "code"
    assert expectation.configuration.kwargs["column"] == "code"
    with gx_duckdb.batch_for_query(con, "select * from t") as batch:
        assert expectation.configuration is expectation.configuration
        # GX changes no expectation while it validates: the results match each one's own configuration
        result = batch.validate(gx_duckdb.expectation_suite(SUITE), result_format="SUMMARY")
    assert {r.expectation_config.type for r in result.results} == {e["type"] for e in SUITE["expectations"]}
    assert all(r.success for r in result.results)
    assert gx_duckdb._CONFIGURATIONS is None
