"""dbt models, seeds and tests as Dagster assets and checks, keyed by schema (staging/intermediate/marts)."""

import json
import os
from collections.abc import Mapping
from typing import Any

from dagster import AssetCheckResult, AssetExecutionContext, AssetKey, MetadataValue
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration import dbt_window
from orchestration.assets import dbt_failures
from orchestration.dbt_project import get_dbt_project
from orchestration.layout import Layout
from orchestration.resources import WarehouseResource
from orchestration.settings import get_settings

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
def warehouse_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    # `build` runs seeds, models and their tests in DAG order: a failing test stops what depends on it.
    # A failed test's result waits until dbt has finished (and released the warehouse): it then goes
    # out with a few of the failing rows and the source files they came from.
    # The run's window (a tag set by `make run`) says which trade partitions to rebuild; none: all.
    window = dbt_window.decode(context.run.tags)
    layout = warehouse.layout()
    # dbt's profile reads its database, spill directory and memory limit from the environment, and
    # dagster-dbt hands dbt this process's environment: set them from the resource's layout.
    os.environ.update(get_settings(layout).dbt_env())
    context.log.info(f"dbt build window: {dbt_window.describe(window)}")
    invocation = dbt.cli(dbt_window.dbt_build_args(window), context=context)
    failed: list[AssetCheckResult] = []
    try:
        for event in invocation.stream():
            if isinstance(event, AssetCheckResult) and not event.passed:
                failed.append(event)
            else:
                yield event
    except Exception:
        # dbt exits non-zero when a test fails: the results still go out, before the error
        yield from with_evidence(context, layout, invocation.target_path, failed)
        raise
    yield from with_evidence(context, layout, invocation.target_path, failed)


def with_evidence(context: AssetExecutionContext, layout: Layout, target_path, failed: list[AssetCheckResult]):
    """Each failed test's result, with its failing rows and their source files (the manifest read once)."""
    if not failed:
        return
    manifest = json.loads((target_path / "manifest.json").read_text())
    for result in failed:
        yield _with_evidence(context, layout, target_path, manifest, result)


def _with_evidence(
    context: AssetExecutionContext, layout: Layout, target_path, manifest: dict, result: AssetCheckResult
):
    unique_id = getattr(result.metadata.get("unique_id"), "value", None)
    try:
        node = manifest["nodes"][unique_id]
        sql = dbt_failures.compiled_test_sql(target_path, node)
        if sql is None:
            return result
        evidence = dbt_failures.gather(get_settings(layout), sql, node)
    except Exception as exc:  # evidence is a courtesy: never hide the failure itself
        context.log.warning(f"no failing rows for {unique_id}: {exc}")
        return result
    context.log.error(evidence.describe())
    return AssetCheckResult(
        passed=False,
        asset_key=result.asset_key,
        check_name=result.check_name,
        severity=result.severity,
        description=evidence.describe()[:4000],
        metadata={
            **result.metadata,
            "source_files": MetadataValue.json(evidence.files),
            "failing_rows": MetadataValue.md(
                "| "
                + " | ".join(evidence.columns)
                + " |\n|"
                + "---|" * len(evidence.columns)
                + "\n"
                + "\n".join("| " + " | ".join(str(v) for v in row) + " |" for row in evidence.rows)
            ),
        },
    )
