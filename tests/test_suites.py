"""Suites derived from the registry and the rules files: one per raw table, every expectation on a column
its table has and with its reason; the review command writes suites GX 1.x accepts."""

from __future__ import annotations

import json

import pytest

from orchestration.ingest import suites
from orchestration.ingest.registry import LIVE_TABLES, RAW_TABLES, SAMPLE_TABLES, raw_table
from orchestration.ingest.suites import LOADER_COLUMNS, SuiteError, build_suite, check_rules_dir, write_suites


def _columns(expectation: dict) -> list[str]:
    kwargs, meta = expectation["kwargs"], expectation.get("meta") or {}
    return [c for c in (kwargs.get("column"), *kwargs.get("column_list", []), meta.get("column")) if c]


def test_one_registry_for_sample_and_live_tables():
    assert len({t.name for t in RAW_TABLES}) == len(RAW_TABLES) == len(SAMPLE_TABLES) + len(LIVE_TABLES)
    assert {t.name for t in LIVE_TABLES} == {
        "comtrade__api_annual", "comtrade__api_monthly", "comtrade__bulk_annual",
        "census__api_annual", "census__api_monthly", "usgs__mcs_release_cells",
    }  # fmt: skip
    assert raw_table("comtrade__api_annual").live and not raw_table("comtrade__v1_records").live
    with pytest.raises(KeyError, match="unknown raw table 'nope'"):
        raw_table("nope")


def test_every_table_has_a_suite_on_its_own_columns_with_reasons():
    check_rules_dir()
    for table in RAW_TABLES:
        suite = build_suite(table)
        assert suite["name"] == table.suite_name and suite["expectations"], table.name
        known = set(table.all_columns) | set(LOADER_COLUMNS)
        for expectation in suite["expectations"]:
            assert set(_columns(expectation)) <= known, (table.name, expectation)
            assert expectation["meta"]["why"].strip(), (table.name, expectation)
        assert suites.rules_file(table).exists(), f"{table.name}: no rules file (its row-count bounds)"


def test_derived_from_the_definition():
    table = raw_table("census__api_annual")
    expectations = build_suite(table)["expectations"]
    by_type: dict[str, list] = {}
    for e in expectations:
        by_type.setdefault(e["type"], []).append(e)
    assert [e["kwargs"]["column"] for e in by_type["expect_column_to_exist"]] == list(table.columns)
    not_null = {e["kwargs"]["column"] for e in by_type["expect_column_values_to_not_be_null"]}
    assert not_null == {"CTY_CODE", "time", "CTY_NAME", "COMM_LVL"}  # the flow-specific codes may be null
    (unique,) = by_type["expect_compound_columns_to_be_unique"]
    assert unique["kwargs"]["column_list"] == list(table.grain) and "grain of raw." in unique["meta"]["why"]
    # the shared file's rules come with the table's own
    rules = {e["meta"]["rule"] for e in by_type["unexpected_rows_expectation"]}
    assert rules == {"reference:census_country_codes", "period:not_future"}


def test_the_comtrade_v1_family_shares_its_rules():
    family = ["comtrade__v1_records", "comtrade__ui_exports", "comtrade__api_annual", "comtrade__api_monthly"]
    family.append("comtrade__bulk_annual")
    flows = [e for name in family for e in build_suite(name)["expectations"] if e["kwargs"].get("column") == "flowCode"]
    assert {e["meta"]["origin"] for e in flows if e["type"] == "expect_column_values_to_be_in_set"} == {
        "data_quality/rules/_comtrade_v1.yaml"
    }


def test_written_suites_are_gx_suites(tmp_path):
    import great_expectations as gx

    paths = write_suites(tmp_path)
    assert sorted(p.name for p in paths) == sorted(f"{t.suite_name}.json" for t in RAW_TABLES)
    for path in paths:
        suite = gx.ExpectationSuite(**json.loads(path.read_text()))
        assert len(suite.expectations) == len(json.loads(path.read_text())["expectations"]), path.name


def test_suites_command_writes_them(tmp_path, capsys):
    suites.main(["write", str(tmp_path / "out")])
    assert len(list((tmp_path / "out").glob("raw__*.json"))) == len(RAW_TABLES)
    assert f"{len(RAW_TABLES)} suites" in capsys.readouterr().out


@pytest.fixture
def rules_dir(tmp_path, monkeypatch):
    """A copy of the rules folder the test may break; the built suites are forgotten before and after."""
    import shutil

    shutil.copytree(suites.RULES_DIR, tmp_path / "rules")
    monkeypatch.setattr(suites, "RULES_DIR", tmp_path / "rules")
    monkeypatch.setattr(suites, "REFERENCES_FILE", tmp_path / "rules" / "_references.yaml")
    suites._built.cache_clear()
    suites._references.cache_clear()
    yield tmp_path / "rules"
    suites._built.cache_clear()
    suites._references.cache_clear()


def test_a_rules_file_for_an_unknown_table_fails(rules_dir):
    (rules_dir / "comtrade__nope.yaml").write_text("row_count: {min: 1, max: 2, why: x}\n")
    with pytest.raises(SuiteError, match="comtrade__nope.yaml: no raw table 'comtrade__nope'"):
        check_rules_dir()


def test_a_rule_on_an_unknown_column_fails(rules_dir):
    path = rules_dir / "taiwan__country_names.yaml"
    path.write_text(path.read_text() + "values:\n  - {column: name_fr, set: [a], why: x}\n")
    with pytest.raises(SuiteError, match="names column 'name_fr', which raw.taiwan__country_names does not have"):
        build_suite("taiwan__country_names")


def test_an_entry_without_why_or_an_unknown_key_fails(rules_dir):
    path = rules_dir / "taiwan__country_names.yaml"
    original = path.read_text()
    path.write_text(original + "values:\n  - {column: name_en, set: [a]}\n")
    with pytest.raises(SuiteError, match="has no why"):
        build_suite("taiwan__country_names")
    suites._built.cache_clear()
    path.write_text(original + "value_sets: []\n")
    with pytest.raises(SuiteError, match="unknown key"):
        build_suite("taiwan__country_names")


def test_a_rule_reading_a_table_that_is_not_a_reference_fails(rules_dir):
    path = rules_dir / "taiwan__country_names.yaml"
    rule = "rules:\n  - {column: name_zh, reference: comtrade_hs_codes}\n"
    path.write_text(path.read_text() + rule)
    with pytest.raises(SuiteError, match="reads raw.comtrade__hs_codes, which is not among"):
        build_suite("taiwan__country_names")
