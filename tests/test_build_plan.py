"""`make run` rebuilds only what is downstream of a change: the plan's pure parts, then on the sample."""

from __future__ import annotations

import copy
import shutil
from datetime import UTC, datetime

import duckdb
from dagster import AssetKey

from orchestration.build_plan import (
    BuildPlan,
    models_to_select,
    modified_dbt_nodes,
    plan_build,
    read_manifest,
    record_build,
)
from orchestration.dbt_project import get_dbt_project
from orchestration.layout import layout_from_env

MANIFEST = {
    "metadata": {"project_name": "chipchain"},
    "nodes": {
        "model.chipchain.a": {"resource_type": "model", "checksum": {"checksum": "1"}, "config": {"m": "table"},
                              "depends_on": {"macros": ["macro.chipchain.hhi"], "nodes": []}},
        "model.chipchain.b": {"resource_type": "model", "checksum": {"checksum": "2"}, "config": {"m": "view"},
                              "depends_on": {"macros": [], "nodes": ["model.chipchain.a"]}},
        "test.chipchain.t": {"resource_type": "test", "checksum": {"checksum": "3"}, "config": {},
                             "depends_on": {"macros": [], "nodes": ["model.chipchain.b"]}},
    },
    "macros": {"macro.chipchain.hhi": {"package_name": "chipchain", "macro_sql": "sum(x * x)"}},
}  # fmt: skip


def test_no_previous_manifest_means_every_node():
    assert modified_dbt_nodes(None, MANIFEST) == set(MANIFEST["nodes"])


def test_an_identical_manifest_means_nothing():
    assert modified_dbt_nodes(MANIFEST, copy.deepcopy(MANIFEST)) == set()


def test_file_config_and_macro_changes_are_found():
    edited = copy.deepcopy(MANIFEST)
    edited["nodes"]["model.chipchain.b"]["checksum"]["checksum"] = "2'"
    assert modified_dbt_nodes(MANIFEST, edited) == {"model.chipchain.b"}
    edited = copy.deepcopy(MANIFEST)
    edited["nodes"]["model.chipchain.b"]["config"]["m"] = "table"
    assert modified_dbt_nodes(MANIFEST, edited) == {"model.chipchain.b"}
    edited = copy.deepcopy(MANIFEST)
    edited["macros"]["macro.chipchain.hhi"]["macro_sql"] = "sum(x * x) / 1"
    assert modified_dbt_nodes(MANIFEST, edited) == {"model.chipchain.a"}


def test_a_new_node_is_modified_and_a_test_selects_what_it_tests():
    edited = copy.deepcopy(MANIFEST)
    edited["nodes"]["test.chipchain.u"] = {**MANIFEST["nodes"]["test.chipchain.t"]}
    assert modified_dbt_nodes(MANIFEST, edited) == {"test.chipchain.u"}
    assert models_to_select(edited, {"test.chipchain.u", "model.chipchain.a"}) == {
        "model.chipchain.b",
        "model.chipchain.a",
    }


def test_on_the_sample_only_the_changed_tables_descendants_are_selected(built_warehouse, tmp_path):
    from dagster import AssetSelection

    from orchestration.definitions import defs
    from orchestration.run_pipeline import _downstream_selection

    manifest_path = get_dbt_project().manifest_path
    # a copy of the built warehouse: the plan reads its loads, and the window its flows
    # (named as the working file: the dbt views name their catalog, `warehouse`)
    layout = layout_from_env(warehouse_dir=tmp_path)
    shutil.copyfile(built_warehouse.working_path, layout.working_db)
    con = duckdb.connect(str(layout.working_db))
    try:
        con.execute("drop table if exists audit.builds")
        first = plan_build(con, layout, manifest_path)
        assert first.first_build and not first.nothing_to_do and not first.docs_unchanged
        record_build(con, layout, manifest_path, first, datetime.now(UTC).replace(tzinfo=None))
        assert read_manifest(layout.build_manifest) == read_manifest(manifest_path)
        assert plan_build(con, layout, manifest_path).nothing_to_do

        # a Census file landed with new bytes after that build
        con.execute(
            "insert into audit.loads select * replace ('new-load' as load_id, now()::timestamp as landed_at) "
            "from audit.loads where raw_table = 'census__imports_hs10' limit 1"
        )
        assert not plan_build(con, layout, manifest_path).docs_unchanged, "no dbt docs page published yet"
        layout.dbt_docs_dir.mkdir(parents=True)
        (layout.dbt_docs_dir / "index.html").write_text("the page the last build published")
        plan = plan_build(con, layout, manifest_path)
        # new rows in the same relations of the same project: the last build's dbt docs still hold
        assert plan.docs_unchanged
        con.execute("alter table raw.census__imports_hs10 add column added_by_the_registry varchar")
        assert not plan_build(con, layout, manifest_path).docs_unchanged, "a raw table's columns changed"
    finally:
        con.close()
    assert plan.changed_raw_tables == {"census__imports_hs10"} and not plan.modified_dbt_nodes
    assert plan.trade_window == {}, "a load with no rows changes no partition"
    graph = defs.resolve_asset_graph()
    raw = AssetSelection.key_prefixes("raw").resolve(graph)
    selected = _downstream_selection(plan, graph, raw)
    assert {
        AssetKey(["staging", "stg_census__imports_hs10"]),
        AssetKey(["marts", "trade_flows"]),
        AssetKey(["marts", "import_dependency"]),
        AssetKey(["published", "warehouse"]),
        AssetKey(["serving", "parquet"]),
    } <= selected
    assert AssetKey(["staging", "stg_usgs__world_production"]) not in selected
    assert AssetKey(["marts", "production_concentration"]) not in selected
    assert not selected & raw
    assert isinstance(plan, BuildPlan) and plan.reasons
