"""One Dagster asset per raw table, each with a blocking Great Expectations check.

The asset lands every new or changed file of its table, validates each load with the table's GX
suite and promotes only the loads that pass. The check result is reported with the materialization:
a failed suite blocks every downstream asset (staging, marts, publish).
"""

from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration.ingest.ingest import IngestReport, ingest_table
from orchestration.ingest.landing import discover_files
from orchestration.ingest.registry import RAW_TABLES, RawTable
from orchestration.metadata import md_table
from orchestration.resources import WarehouseResource

GX_CHECK_NAME = "gx_suite"


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
    key = AssetKey(["raw", table.name])

    @asset(
        key=key,
        group_name=f"raw_{table.source}",
        kinds={"duckdb", "python"},
        # reference lists the suite reads (Comtrade reporters, Census country codes) land first
        deps=[AssetKey(["raw", name]) for name in table.references],
        description=f"{table.description}. Files: {', '.join(table.patterns)}. Licence: {table.licence}",
        check_specs=[
            AssetCheckSpec(
                GX_CHECK_NAME,
                asset=key,
                blocking=True,
                description=f"GX suite data_quality/suites/{table.suite_name}.json, run on every load",
            )
        ],
        metadata={"raw_table": f"raw.{table.name}", "grain": ", ".join(table.grain)},
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
        check = AssetCheckResult(
            check_name=GX_CHECK_NAME,
            passed=report.ok,
            severity=AssetCheckSeverity.ERROR,
            description=report.error_message if not report.ok else None,
            metadata={
                "suite": table.suite_name,
                "loads_validated": report.count("promoted") + report.count("rejected"),
                "loads_rejected": report.count("rejected") + report.count("unreadable"),
                "files_unchanged": report.count("unchanged"),
                "failures": MetadataValue.md(report.error_message or "none"),
                "expectations": validations,
            },
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
    return [build_raw_asset(table) for table in RAW_TABLES]
