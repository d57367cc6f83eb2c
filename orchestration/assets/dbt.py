"""dbt models, seeds and tests as Dagster assets and checks, keyed by schema (staging/intermediate/marts)."""

from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.dbt_project import get_dbt_project

LAYER_GROUPS = {"staging": "staging", "intermediate": "intermediate", "marts": "marts", "reference": "reference"}


class WarehouseTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)  # meta.dagster.asset_key: ["raw", table]
        schema = dbt_resource_props.get("config", {}).get("schema") or dbt_resource_props["schema"]
        return AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        schema = dbt_resource_props.get("config", {}).get("schema") or dbt_resource_props.get("schema")
        return LAYER_GROUPS.get(schema, "dbt")


TRANSLATOR = WarehouseTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(manifest=get_dbt_project().manifest_path, dagster_dbt_translator=TRANSLATOR, name="warehouse_dbt")
def warehouse_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource):
    # `build` runs seeds, models and their tests in DAG order: a failing test stops what depends on it.
    yield from dbt.cli(["build"], context=context).stream()
