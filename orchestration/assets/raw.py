"""One Dagster asset per raw table, each with a blocking Great Expectations check.

The asset lands every new or changed file of its table, validates each load with the table's GX
suite and promotes only the loads that pass. The check result is reported with the materialization:
a failed suite blocks every downstream asset (staging, marts, publish).
"""

from pathlib import Path

from dagster import AssetExecutionContext, AssetsDefinition, MaterializeResult, MetadataValue, asset

from orchestration.assets.gx_check import gx_check_result, raw_asset_args
from orchestration.ingest.ingest import IngestReport, ingest_table
from orchestration.ingest.landing import discover_files
from orchestration.ingest.registry import SAMPLE_TABLES, RawTable
from orchestration.metadata import md_table
from orchestration.resources import WarehouseResource


def _report_table(report: IngestReport) -> MetadataValue:
    return md_table(
        ["file", "status", "rows", "expectations", "message"],
        [(f.file_path, f.status, f.rows, f.expectations, f.message[:300]) for f in report.files],
    )


def _validation_table(con, load_ids: list[str]) -> MetadataValue:
    """Per-expectation results of this materialization's loads, as stored in audit.validation_results."""
    if not load_ids:
        return MetadataValue.md("no new load: every file unchanged since its validated load")
    rows = con.execute(
        """
        select expectation_type, coalesce(column_name, ''), count(*) as loads,
               count(*) filter (where not success) as failed, coalesce(sum(unexpected_count), 0)
        from audit.validation_results where list_contains(?, load_id)
        group by all order by failed desc, 1, 2
        """,
        [load_ids],
    ).fetchall()
    return md_table(["expectation", "column", "loads", "failed", "unexpected rows"], rows)


def source_roots(table: RawTable, warehouse: WarehouseResource) -> list[Path]:
    """Where the table's files are found: the sample/data directory, and for bulk archives the live
    landing area too, where the BACI connector stores the releases it downloads."""
    layout = warehouse.layout()
    roots = [layout.sample_data_dir]
    landing_root = layout.landing_dir
    if table.archive_members and landing_root.is_dir():
        roots.append(landing_root)
    return roots


def build_raw_asset(table: RawTable) -> AssetsDefinition:
    @asset(
        group_name=f"raw_{table.source}",
        **raw_asset_args(table, f"{table.description}. Files: {', '.join(table.patterns)}."),
    )
    def _raw_asset(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        roots = source_roots(table, warehouse)
        with warehouse.connect() as con:
            report = IngestReport(table)
            for root in roots:
                files = discover_files(table, root)
                context.log.info(f"raw.{table.name}: {len(files)} file(s) under {root}")
                report.files.extend(ingest_table(con, table, root, files).files)
            total_rows = con.execute(f'select count(*) from raw."{table.name}"').fetchone()[0]
            validations = _validation_table(con, [f.load_id for f in report.files if f.load_id])
        for failure in report.failures:
            context.log.error(f"raw.{table.name} <- {failure.file_path}: {failure.message}")
        check = gx_check_result(
            table, report, failures=MetadataValue.md(report.error_message or "none"), expectations=validations
        )
        return MaterializeResult(
            metadata={
                "files": len(report.files),
                "files_promoted": report.count("promoted"),
                "files_unchanged": report.count("unchanged"),
                "files_rejected": report.count("rejected") + report.count("unreadable"),
                "rows_promoted": report.rows_promoted,
                "land_seconds": round(report.seconds("land"), 3),
                "validate_seconds": round(report.seconds("validate"), 3),
                "raw_row_count": total_rows,
                "loads": _report_table(report),
            },
            check_results=[check],
        )

    return _raw_asset


def build_raw_assets() -> list[AssetsDefinition]:
    """The sample's raw assets; the live tables' assets are the partitioned fetches of live/assets.py."""
    return [build_raw_asset(table) for table in SAMPLE_TABLES]
