"""The build window: a changed trade file rebuilds only its (source, year) partitions.

The pure helper that turns a window into dbt's arguments is tested on its own; then, on a copy of
the session's built warehouse, one Comtrade file lands again with new bytes (CRLF line ends: the same
records) and `make run`'s code rebuilds its partitions only: a row outside the window keeps a mark
put on it before the run, a row inside loses one, and every mart equals the full build's.
"""

from __future__ import annotations

import json
import os
import shutil

import duckdb
import pytest

from orchestration import dbt_window
from orchestration.build_plan import BuildPlan, record_build, windowed_relations
from orchestration.dbt_project import get_dbt_project
from orchestration.layout import layout_from_env


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC).replace(tzinfo=None)


GALLIUM = "comtrade/rows_us_china/gallium_trade_data.csv"


def test_a_window_becomes_sorted_distinct_years_per_source():
    window = dbt_window.trade_window([("comtrade", 2024), ("baci", 2022), ("comtrade", 2023), ("comtrade", 2024)])
    assert window == {"baci": [2022], "comtrade": [2023, 2024]}
    assert list(window) == ["baci", "comtrade"]


def test_a_row_without_a_year_refuses_to_window():
    with pytest.raises(ValueError, match="census row has no year"):
        dbt_window.trade_window([("census", None)])


def test_build_args_pass_the_window_as_vars_or_refresh_in_full():
    assert dbt_window.dbt_build_args(None) == ["build", "--full-refresh"]
    args = dbt_window.dbt_build_args({"comtrade": [2024, 2023, 2024]})
    assert args[:2] == ["build", "--vars"]
    assert json.loads(args[2]) == {"trade_window": {"comtrade": [2023, 2024]}}
    # an empty window is a window: nothing of the trade data is rebuilt
    assert json.loads(dbt_window.dbt_build_args({})[2]) == {"trade_window": {}}


def test_the_run_tag_round_trips_and_a_bad_tag_fails():
    tags = dbt_window.encode({"baci": [2022, 2021]})
    assert dbt_window.decode(tags) == {"baci": [2021, 2022]}
    assert dbt_window.encode(None) == {} and dbt_window.decode({}) is None
    with pytest.raises(ValueError, match="is not"):
        dbt_window.decode({dbt_window.TRADE_WINDOW_TAG: '{"baci": ["2022"]}'})


def test_the_windowed_parents_of_trade_flows_are_the_per_source_flows():
    manifest = json.loads(get_dbt_project().manifest_path.read_text())
    fact, parents = windowed_relations(manifest)
    assert fact == '"marts"."trade_flows"'
    assert '"intermediate"."int_trade_flows__baci"' in parents and len(parents) == 7
    assert not any("dim_product" in p for p in parents)


def test_a_changed_file_rebuilds_only_its_partitions(built_warehouse, sample_data_dir, tmp_path, monkeypatch, capsys):
    from orchestration import run_pipeline
    from scripts.compare_marts import compare

    warehouse = tmp_path / "warehouse"
    shutil.copytree(built_warehouse.warehouse_dir, warehouse, ignore=shutil.ignore_patterns(".spill"))
    mirror = tmp_path / "data"
    for src in sample_data_dir.rglob("*"):
        if src.is_file():
            dst = mirror / src.relative_to(sample_data_dir)
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.relative_to(sample_data_dir).as_posix() == GALLIUM:
                dst.write_bytes(src.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
            else:
                os.symlink(src, dst)

    layout = layout_from_env(warehouse_dir=warehouse)
    working = layout.working_db
    with duckdb.connect(str(working)) as con:
        # the copy's last build is now: loads other tests added to the session's warehouse do not count
        record_build(
            con,
            layout,
            get_dbt_project().manifest_path,
            BuildPlan(first_build=True),
            _now(),
        )
        years = sorted(
            r[0]
            for r in con.execute(
                "select distinct cast(refYear as integer) from raw.comtrade__v1_records where _file_path = ?",
                [GALLIUM],
            ).fetchall()
        )
        # one row outside the window (Taiwan's), one inside (a Comtrade row of a gallium year): marked
        con.execute(
            "update marts.trade_flows set source_file = 'mark: outside' where trade_flow_id = "
            "(select min(trade_flow_id) from marts.trade_flows where source = 'taiwan_customs')"
        )
        inside = con.execute(
            "select min(trade_flow_id) from marts.trade_flows where source = 'comtrade' and year = ?", [years[-1]]
        ).fetchone()[0]
        con.execute("update marts.trade_flows set source_file = 'mark: inside' where trade_flow_id = ?", [inside])

    docs_written = (layout.dbt_docs_dir / "index.html").stat().st_mtime_ns
    monkeypatch.setenv("WAREHOUSE_DIR", str(warehouse))
    monkeypatch.setenv("SAMPLE_DATA_DIR", str(mirror))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    (tmp_path / "dagster_home").mkdir()
    assert run_pipeline.main([]) == 0
    out = capsys.readouterr().out
    assert "raw tables with new loads since" in out and "comtrade__v1_records" in out
    assert f"trade window: partitions comtrade {', '.join(map(str, years))}" in out
    # new rows in the relations the last build left: its dbt docs page still holds, and is kept
    assert "dbt docs kept: no dbt node and no relation's columns changed since the last build" in out
    assert (layout.dbt_docs_dir / "index.html").stat().st_mtime_ns == docs_written, "the page was not rewritten"

    with duckdb.connect(str(working), read_only=True) as con:
        marks = dict(
            con.execute(
                "select source_file, count(*) from marts.trade_flows where source_file like 'mark:%' group by 1"
            ).fetchall()
        )
    assert marks == {"mark: outside": 1}, "outside the window nothing is rewritten; inside everything is"
    published = layout.published_db
    compared = compare(str(built_warehouse.published_path), str(published))
    differences = {t: (a, b) for t, _, _, a, b in compared if a or b}
    # the marked Taiwan row is the only difference from the full build
    assert differences == {"trade_flows": (1, 1)}


def test_the_years_a_window_rebuilt_per_windowed_model():
    specs = {"trade_flows": {"by_source": True}, "unit_values": {"by_source": True, "years_after": 1}}
    assert dbt_window.rewritten_years({"baci": [2022], "comtrade": [2019]}, specs) == {
        "trade_flows": {2019, 2022},
        "unit_values": {2019, 2020, 2022, 2023},
    }
    assert dbt_window.rewritten_years(None, specs) is None
    manifest = json.loads(get_dbt_project().manifest_path.read_text())
    assert set(dbt_window.windowed_models(manifest)) == {
        "trade_flows", "import_dependency", "mirror_gaps", "unit_values", *(
            f"int_trade_flows__{s}" for s in ("baci", "census", "census_api", "comtrade", "comtrade_api",
                                              "comtrade_legacy", "taiwan")
        ),
    }  # fmt: skip
