"""Serving assets, downstream of the published snapshot: Parquet export, PostgreSQL copy, dbt and GX docs.

Each reads the read-only snapshot (the dbt docs read the working database dbt just built), so none of
them holds the working database while a reader queries what was published.
"""

import json

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration import dbt_window
from orchestration.assets.publish import published_warehouse
from orchestration.dbt_project import get_dbt_project
from orchestration.metadata import md_table
from orchestration.report.docs import build_dbt_docs, build_gx_docs
from orchestration.resources import WarehouseResource
from orchestration.serving.parquet import export_parquet
from orchestration.serving.postgres import postgres_target_from_env, publish_to_postgres, redact

PUBLISHED = [published_warehouse.key]
POSTGRES_SKIPPED = (
    "PostgreSQL serving skipped: CHIPCHAIN_PG_URL is not set. `make postgres` installs and starts a local "
    "PostgreSQL 15 (the next `make run` publishes there), or set CHIPCHAIN_PG_URL to your own server."
)


@asset(
    key=AssetKey(["serving", "parquet"]),
    group_name="serving",
    kinds={"parquet"},
    deps=PUBLISHED,
    description="Every mart as Parquet under published/parquet/<mart>/ (hive-partitioned by year where the "
    "mart has one), swapped in atomically.",
)
def parquet_export(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    layout = warehouse.layout()
    # after a windowed build only the rebuilt years of the windowed marts are written again
    manifest = json.loads(get_dbt_project().manifest_path.read_text())
    rewrite = dbt_window.rewritten_years(dbt_window.decode(context.run.tags), dbt_window.windowed_models(manifest))
    result = export_parquet(layout.published_db, layout.parquet_dir, rewrite)
    linked = sum(i["partitions_linked"] for i in result.tables.values())
    context.log.info(
        f"exported {len(result.tables)} marts to {result.path} -> {result.version_dir.name} "
        f"({linked} unchanged year partitions linked from the previous export)"
    )
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(result.path)),
            "marts": md_table(
                ["mart", "rows", "partitioned by", "partitions linked"],
                [
                    (t, f"{i['rows']:,}", ", ".join(i["partitioned_by"]) or "-", i["partitions_linked"])
                    for t, i in result.tables.items()
                ],
            ),
        }
    )


@asset(
    key=AssetKey(["serving", "postgres"]),
    group_name="serving",
    kinds={"postgres"},
    deps=PUBLISHED,
    description="The marts in PostgreSQL (schema marts, read-only role) for BI tools, swapped in one "
    "transaction. Skipped, with a message, when CHIPCHAIN_PG_URL is not set.",
)
def postgres_marts(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    target = postgres_target_from_env()
    if target is None:
        context.log.warning(POSTGRES_SKIPPED)
        return MaterializeResult(metadata={"status": "skipped", "reason": POSTGRES_SKIPPED})
    try:
        result = publish_to_postgres(warehouse.layout().published_db, target)
    except Exception as error:
        raise RuntimeError(
            f"publishing the marts to PostgreSQL at {redact(target.url)} failed: {error}. Is the server up "
            "(`make postgres`)? Unset CHIPCHAIN_PG_URL to skip this step."
        ) from error
    context.log.info(f"published {len(result.tables)} marts to {redact(target.url)} schema {result.schema}")
    return MaterializeResult(
        metadata={
            "status": "published",
            "server": redact(target.url),
            "schema": result.schema,
            "reader_role": target.reader_role,
            "publish_id": result.publish_id,
            "tables": md_table(
                ["table", "rows"], [(f"{result.schema}.{t}", f"{n:,}") for t, n in result.tables.items()]
            ),
        }
    )


DBT_DOCS_KEY = AssetKey(["docs", "dbt"])


@asset(
    key=DBT_DOCS_KEY,
    group_name="serving",
    kinds={"dbt"},
    deps=PUBLISHED,
    description="`dbt docs generate --static`: one self-contained page at published/docs/dbt/index.html.",
)
def dbt_docs(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    result = build_dbt_docs(warehouse.layout())
    context.log.info(f"dbt docs for {result.pages} catalogued relations at {result.index}")
    return MaterializeResult(metadata={"path": MetadataValue.path(str(result.index)), "relations": result.pages})


@asset(
    key=AssetKey(["docs", "gx"]),
    group_name="serving",
    kinds={"great_expectations"},
    deps=PUBLISHED,
    description="Great Expectations Data Docs for every stored validation (audit.validation_results) at "
    "published/docs/gx/index.html.",
)
def gx_data_docs(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    layout = warehouse.layout()
    result = build_gx_docs(layout.published_db, layout.gx_site_dir, layout.gx_docs_dir)
    context.log.info(f"GX Data Docs: {result.pages} pages ({result.added} new validation results)")
    return MaterializeResult(
        metadata={"path": MetadataValue.path(str(result.index)), "pages": result.pages, "added": result.added}
    )


serving_assets = [parquet_export, postgres_marts, dbt_docs, gx_data_docs]
