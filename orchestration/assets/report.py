"""The HTML report: drawn from the published snapshot once everything a run serves is in place."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.assets.publish import published_warehouse
from orchestration.assets.serving import published_dir, serving_assets
from orchestration.report.render import render_report
from orchestration.resources import WarehouseResource
from orchestration.serving.postgres import postgres_target_from_env, redact
from orchestration.serving.sqlalchemy_url import duckdb_sqlalchemy_url

LINKS = {
    "dbt docs (models, columns, lineage)": "../docs/dbt/index.html",
    "Great Expectations Data Docs (every validated load)": "../docs/gx/index.html",
    "Parquet export manifest": "../parquet/_manifest.json",
}


def serving_summary(warehouse: WarehouseResource) -> dict[str, str]:
    out = published_dir(warehouse)
    target = postgres_target_from_env()
    return {
        "DuckDB snapshot": f"{out / 'warehouse.duckdb'} (read-only; `make sql`)",
        "SQLAlchemy": duckdb_sqlalchemy_url(out / "warehouse.duckdb"),
        "Parquet": str(out / "parquet"),
        "PostgreSQL": f"{redact(target.url)} schema {target.schema}, role {target.reader_role}"
        if target
        else "not configured (CHIPCHAIN_PG_URL unset)",
    }


@asset(
    key=AssetKey(["report", "html"]),
    group_name="serving",
    kinds={"html", "plotly"},
    deps=[published_warehouse.key, *(a.key for a in serving_assets)],
    description="Charts of China's share and HHI by chain stage, top US suppliers, world production "
    "concentration and tariff regimes: published/report/index.html, one file that opens offline.",
)
def html_report(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    out = published_dir(warehouse)
    result = render_report(
        out / "warehouse.duckdb", out / "report" / "index.html", links=LINKS, serving=serving_summary(warehouse)
    )
    context.log.info(f"report with {result.figures} figures at {result.path}")
    if result.waiting_for:
        context.log.info("sections waiting for exposure marts: " + ", ".join(result.waiting_for))
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(result.path)),
            "figures": result.figures,
            "figures_by_section": MetadataValue.json(result.sections),
            "waiting_for": ", ".join(result.waiting_for) or "nothing",
            "bytes": result.bytes,
        }
    )
