"""The HTML report: drawn from the published snapshot once everything a run serves is in place."""

import os

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.assets.publish import published_warehouse
from orchestration.assets.serving import serving_assets
from orchestration.layout import Layout
from orchestration.report.render import render_report
from orchestration.resources import WarehouseResource
from orchestration.serving.summary import where_to_read


def links(layout: Layout) -> dict[str, str]:
    """The report's links to the rest of what was published, relative: the folder can move as a whole."""
    pages = {
        "dbt docs (models, columns, lineage)": layout.dbt_docs_dir / "index.html",
        "Great Expectations Data Docs (every validated load)": layout.gx_docs_dir / "index.html",
        "Parquet export manifest": layout.parquet_dir / "_manifest.json",
    }
    return {name: os.path.relpath(path, layout.report_html.parent) for name, path in pages.items()}


@asset(
    key=AssetKey(["report", "html"]),
    group_name="serving",
    kinds={"html", "plotly"},
    deps=[published_warehouse.key, *(a.key for a in serving_assets)],
    description="Charts of China's share and HHI by chain stage, top US suppliers, world production "
    "concentration and tariff regimes: published/report/index.html, one file that opens offline.",
)
def html_report(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    layout = warehouse.layout()
    result = render_report(layout.published_db, layout.report_html, links=links(layout), serving=where_to_read(layout))
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
