"""A dbt test that fails after the gate names the rows' source files and a few rows, on the check."""

from __future__ import annotations

import shutil

import duckdb

CHECK_MODEL = ["marts", "trade_flows"]
CHECK = "not_null_trade_flows_reporter_iso3"


def test_failed_dbt_test_names_source_files_and_rows(built_warehouse, tmp_path, monkeypatch):
    from dagster import AssetCheckKey, AssetKey, AssetSelection, DagsterInstance, Definitions, define_asset_job

    from orchestration.definitions import defs

    shutil.copy(built_warehouse.working_path, tmp_path / "warehouse.duckdb")
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path))
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        # what a reporter code without a country would do downstream of the gate
        file, year, hs = con.execute(
            "update marts.trade_flows set reporter_iso3 = null where rowid = "
            "(select min(rowid) from marts.trade_flows where source_file like 'comtrade/rows%') "
            "returning source_file, year, hs_code"
        ).fetchone()
    key = AssetCheckKey(AssetKey(CHECK_MODEL), CHECK)
    one_check = define_asset_job("one_dbt_test", selection=AssetSelection.checks(key))
    result = (
        Definitions.merge(defs, Definitions(jobs=[one_check]))
        .resolve_job_def("one_dbt_test")
        .execute_in_process(instance=DagsterInstance.ephemeral(), raise_on_error=False)
    )
    (check,) = [c for c in result.get_asset_check_evaluations() if c.check_name == CHECK]
    assert not check.passed
    assert f"Source files: {file}" in check.description
    assert "reporter_iso3=None" in check.description and f"year={year}" in check.description
    assert f"hs_code='{hs}'" in check.description
    assert check.metadata["source_files"].value == [file]
