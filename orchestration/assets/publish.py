"""The published read-only snapshot: the last step of a fully successful run."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.assets.dbt import warehouse_dbt_assets
from orchestration.metadata import md_table
from orchestration.publish import publish_snapshot
from orchestration.resources import WarehouseResource


@asset(
    key=AssetKey(["published", "warehouse"]),
    group_name="publish",
    kinds={"duckdb"},
    deps=list(warehouse_dbt_assets.keys),
    description="Read-only copy of the warehouse for SQL and BI (warehouse/published/warehouse.duckdb), "
    "replaced atomically after every fully successful run.",
)
def published_warehouse(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    layout = warehouse.layout()
    result = publish_snapshot(layout.working_db, layout.published_db, layout=layout)
    context.log.info(f"published {result.path} ({result.bytes:,} bytes)")
    lake = {"lake_snapshot_id": result.lake_snapshot} if result.lake_snapshot is not None else {}
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(result.path)),
            "bytes": result.bytes,
            "publish_id": result.publish_id,
            "storage_version": f"{result.storage_version} (readable by DuckDB {result.storage_version[1:]} and later)",
            "marts": md_table(["table", "rows"], [(f"marts.{t}", f"{n:,}") for t, n in result.mart_tables.items()]),
            **lake,
        }
    )
