"""The blocking Great Expectations check of every raw asset, sample and live: one name, one spec, one result.

The raw assets of the sample (assets/raw.py) and of the live connectors (live/assets.py, fed by their
partitioned fetch assets) both land loads through `ingest_table`, which runs the table's suite
(orchestration/ingest/suites.py) on each; these helpers turn that into the asset's check.
"""

from __future__ import annotations

from typing import Any

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey

from orchestration.ingest.ingest import IngestReport
from orchestration.ingest.registry import RawTable
from orchestration.ingest.suites import suite_digest

GX_CHECK_NAME = "gx_suite"


def raw_asset_key(table: RawTable) -> AssetKey:
    return AssetKey(["raw", table.name])


def landing_asset_key(name: str) -> AssetKey:
    """The fetch asset that downloads a live source's payloads into the landing area."""
    return AssetKey(["landing", name])


def gx_check_spec(table: RawTable, unit: str = "load") -> AssetCheckSpec:
    return AssetCheckSpec(
        GX_CHECK_NAME,
        asset=raw_asset_key(table),
        blocking=True,
        description=f"Great Expectations suite {table.suite_name} on every {unit}, derived from the registry "
        f"entry of raw.{table.name} and data_quality/rules/{table.name}.yaml",
    )


def raw_asset_args(table: RawTable, description: str, unit: str = "load") -> dict[str, Any]:
    """What every raw asset's `@asset(...)` says alike: key, kinds, deps, check, description, metadata."""
    return {
        "key": raw_asset_key(table),
        "kinds": {"duckdb", "python"},
        "check_specs": [gx_check_spec(table, unit)],
        # reference lists the suite reads (Comtrade reporters, Census country codes) land first; a
        # live source's files are fetched first (fetch -> landing area -> raw)
        "deps": [AssetKey(["raw", name]) for name in table.references]
        + ([landing_asset_key(table.landing_asset)] if table.landing_asset else []),
        "description": f"{description} Licence: {table.licence}",
        "metadata": {"raw_table": f"raw.{table.name}", "grain": ", ".join(table.grain)},
    }


def gx_check_result(
    table: RawTable, report: IngestReport | None, unchanged: str = "files_unchanged", **metadata: Any
) -> AssetCheckResult:
    """The check's result from what the loads of this materialization did (None: nothing was landed)."""
    ok = report.ok if report is not None else True
    count = report.count if report is not None else (lambda _status: 0)
    return AssetCheckResult(
        check_name=GX_CHECK_NAME,
        passed=ok,
        severity=AssetCheckSeverity.ERROR,
        description=report.error_message if report is not None and not ok else None,
        metadata={
            "suite": table.suite_name,
            "suite_sha256": suite_digest(table),
            "loads_validated": count("promoted") + count("rejected"),
            "loads_rejected": count("rejected") + count("unreadable"),
            unchanged: count("unchanged"),
            **metadata,
        },
    )
