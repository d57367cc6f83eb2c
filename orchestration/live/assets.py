"""Partitioned assets that fetch the live sources into the landing area, then land them in raw.

One asset per live raw table. A run of a partition (or of a range, in one run: backfills are single
runs so the dbt step after them runs once) asks the connector for every payload of that partition;
payloads already in the landing area cost no call unless `force_refresh` is set (schedules and
release sensors set it to pick up revisions). Each payload with rows is then one load, validated by
the table's GX suite (a blocking check) and promoted by the loader (`ingest_table`): a changed payload
replaces the rows of the same payload path and the replaced rows stay queryable in
raw_history.<table> with their load marked `superseded` in audit.loads. Payloads the plan no longer
asks for, or that came back empty, have their rows retired the same way, so a reload never leaves
duplicates behind.
"""

import warnings
from collections.abc import Callable
from pathlib import Path

import duckdb
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    BackfillPolicy,
    Backoff,
    BetaWarning,
    Config,
    Jitter,
    MaterializeResult,
    MetadataValue,
    PartitionsDefinition,
    RetryPolicy,
    asset,
)

from orchestration.assets.gx_check import gx_check_result, raw_asset_args
from orchestration.connectors.baci import BaciClient, BaciRelease
from orchestration.connectors.census import CensusClient
from orchestration.connectors.comtrade import ComtradeClient
from orchestration.connectors.http import log_progress
from orchestration.connectors.landing_area import FetchReport, LandingArea
from orchestration.connectors.scope import census_time, comtrade_period, landing_period, load_scope
from orchestration.connectors.settings import get_connector_settings
from orchestration.connectors.usgs import UsgsClient, extracted_csvs
from orchestration.ingest.ingest import IngestReport, ingest_table
from orchestration.ingest.landing import ensure_meta, ensure_raw_table, retire
from orchestration.ingest.registry import RawTable, raw_table
from orchestration.live.freshness import ANNUAL_FRESHNESS, MCS_FRESHNESS, MONTHLY_FRESHNESS
from orchestration.live.partitions import (
    baci_release_partitions,
    mcs_edition_partitions,
    monthly_partitions,
    yearly_partitions,
)
from orchestration.metadata import md_table
from orchestration.resources import WarehouseResource

# Transient trouble the HTTP client's own retries could not ride out (a long Retry-After, an outage).
FETCH_RETRY_POLICY = RetryPolicy(max_retries=3, delay=120, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS)
LIVE_GROUP = "live"


class LiveFetchConfig(Config):
    """Run config of the live assets."""

    force_refresh: bool = False  # ask the source again even when the landing area holds the payloads


def landing_area(warehouse: WarehouseResource) -> LandingArea:
    return LandingArea(warehouse.layout().landing_dir)


def stale_paths(con: duckdb.DuckDBPyConnection, table: RawTable, prefixes: list[str], current: set[str]) -> list[str]:
    """Promoted loads under a partition's landing prefix that the partition no longer holds."""
    found: set[str] = set()
    for prefix in prefixes:
        rows = con.execute(
            "select file_path from audit.loads "
            "where raw_table = ? and status = 'promoted' and starts_with(file_path, ?)",
            [table.name, prefix],
        ).fetchall()
        found.update(r[0] for r in rows)
    return sorted(found - current)


def land_payloads(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    table: RawTable,
    area: LandingArea,
    files: list[Path],
    prefixes: list[str],
) -> tuple[IngestReport | None, int, int]:
    """Ingest the partition's payload files; retire rows of payloads it no longer has."""
    current = {f.relative_to(area.root).as_posix() for f in files}
    with warehouse.connect() as con:
        ensure_meta(con)
        ensure_raw_table(con, table)
        report = ingest_table(con, table, area.root, files) if files else None
        stale = stale_paths(con, table, prefixes, current)
        # payloads gone from the partition: their rows move to raw_history, their loads are superseded
        retired_rows = sum(retire(con, table, rel, "payload no longer in its partition") for rel in stale)
        total = con.execute(f'select count(*) from raw."{table.name}"').fetchone()[0]
    for failure in report.failures if report else []:
        context.log.error(f"raw.{table.name} <- {failure.file_path}: {failure.message}")
    if stale:
        context.log.info(
            f"raw.{table.name}: retired {retired_rows} rows of {len(stale)} payload(s) gone from the partition"
        )
    return report, retired_rows, total


def land_fetched(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    table: RawTable,
    area: LandingArea,
    reports: list[FetchReport],
    prefixes: list[str],
    http_stats: dict,
) -> MaterializeResult:
    """Land the payloads with rows that the partitions' fetches left in the landing area; report."""
    files = [p.path for r in reports for p in r.payloads if (p.rows or 0) > 0]
    ingest, retired, total = land_payloads(context, warehouse, table, area, files, prefixes)
    context.log.info(f"raw.{table.name}: {_summary(reports)} ; HTTP {http_stats}")
    return _result(table, reports, ingest, retired, total, area)


def _summary(reports: list[FetchReport]) -> dict[str, int]:
    return {
        "calls": sum(r.calls for r in reports),
        "retries": sum(r.retries for r in reports),
        "splits": sum(r.splits for r in reports),
        "payloads": sum(len(r.payloads) for r in reports),
        "payloads_fetched": sum(len(r.stored) for r in reports),
        "payloads_reused": sum(r.reused for r in reports) + sum(len(r.payloads) for r in reports if r.skipped_complete),
        "payloads_retired": sum(len(r.retired) for r in reports),
        "rows_fetched": sum(r.rows for r in reports),
    }


def _result(
    table: RawTable,
    reports: list[FetchReport],
    ingest: IngestReport | None,
    retired_rows: int,
    total_rows: int,
    area: LandingArea,
) -> MaterializeResult:
    promoted = ingest.count("promoted") if ingest else 0
    check = gx_check_result(table, ingest, unchanged="payloads_unchanged")
    partitions = md_table(
        ["partition", "calls", "retries", "payloads", "fetched", "reused", "rows"],
        [
            (r.partition, r.calls, r.retries, len(r.payloads), len(r.stored),
             r.reused + (len(r.payloads) if r.skipped_complete else 0), r.rows)
            for r in reports
        ],
    )  # fmt: skip
    return MaterializeResult(
        metadata={
            **_summary(reports),
            "loads_promoted": promoted,
            "rows_promoted": ingest.rows_promoted if ingest else 0,
            "rows_retired": retired_rows,
            "raw_row_count": total_rows,
            "landing_dir": MetadataValue.path(str(area.root)),
            "partitions": partitions,
        },
        check_results=[check],
    )


def _raw_fetch_asset(table: RawTable, partitions_def: PartitionsDefinition, freshness, description: str):
    """The @asset of a partitioned fetch into raw.<table>: one run per backfill, retried, with its
    blocking GX check and freshness policy."""
    return asset(
        partitions_def=partitions_def,
        backfill_policy=BackfillPolicy.single_run(),
        retry_policy=FETCH_RETRY_POLICY,
        group_name=LIVE_GROUP,
        freshness_policy=freshness,
        **raw_asset_args(table, description, unit="payload"),
    )


def build_comtrade_asset(freq: str) -> AssetsDefinition:
    table = raw_table("comtrade__api_annual" if freq == "A" else "comtrade__api_monthly")
    partitions: PartitionsDefinition = yearly_partitions if freq == "A" else monthly_partitions
    dataset = f"C_{freq}_HS"

    @_raw_fetch_asset(
        table,
        partitions,
        ANNUAL_FRESHNESS if freq == "A" else MONTHLY_FRESHNESS,
        f"{table.description}. Fetched from COMTRADE_API_BASE (data API with COMTRADE_API_KEY, "
        f"else the 500-row public preview), stored in landing/comtrade/{dataset}/<period>/.",
    )
    def _comtrade(
        context: AssetExecutionContext, config: LiveFetchConfig, warehouse: WarehouseResource
    ) -> MaterializeResult:
        settings = get_connector_settings()
        scope = load_scope()
        area = landing_area(warehouse)
        client = ComtradeClient(settings, progress=log_progress(context.log), logger=context.log)
        context.log.info(
            f"Comtrade {client.endpoint} endpoint at {settings.comtrade_api_base}, cap {client.cap} rows a call"
        )
        reports, prefixes = [], []
        for partition_key in context.partition_keys:
            landing = area.partition("comtrade", dataset, landing_period(partition_key))
            queries = scope.comtrade_queries(freq, comtrade_period(partition_key))
            reports.append(client.fetch_partition(landing, queries, force=config.force_refresh))
            prefixes.append(landing.rel(""))
        return land_fetched(context, warehouse, table, area, reports, prefixes, client.http.stats.as_dict())

    return _comtrade


def build_comtrade_bulk_asset() -> AssetsDefinition:
    table = raw_table("comtrade__bulk_annual")
    dataset = "bulk_C_A_HS"

    @_raw_fetch_asset(
        table,
        yearly_partitions,
        ANNUAL_FRESHNESS,
        f"{table.description}. Listed and downloaded (resumably) from COMTRADE_API_BASE with COMTRADE_API_KEY "
        f"for the scope's bulk reporters, stored in landing/comtrade/{dataset}/<year>/; a file is downloaded "
        "again only when Comtrade republishes it.",
    )
    def _comtrade_bulk(
        context: AssetExecutionContext, config: LiveFetchConfig, warehouse: WarehouseResource
    ) -> MaterializeResult:
        settings = get_connector_settings()
        scope = load_scope()
        area = landing_area(warehouse)
        client = ComtradeClient(settings, progress=log_progress(context.log), logger=context.log)
        reports, prefixes = [], []
        for partition_key in context.partition_keys:
            landing = area.partition("comtrade", dataset, landing_period(partition_key))
            reports.append(
                client.fetch_bulk_partition(
                    landing, "A", comtrade_period(partition_key), scope.bulk_reporters, force=config.force_refresh
                )
            )
            prefixes.append(landing.rel(""))
        return land_fetched(context, warehouse, table, area, reports, prefixes, client.http.stats.as_dict())

    return _comtrade_bulk


def build_census_asset(freq: str) -> AssetsDefinition:
    table = raw_table("census__api_annual" if freq == "A" else "census__api_monthly")
    partitions: PartitionsDefinition = yearly_partitions if freq == "A" else monthly_partitions

    @_raw_fetch_asset(
        table,
        partitions,
        ANNUAL_FRESHNESS if freq == "A" else MONTHLY_FRESHNESS,
        f"{table.description}. Fetched from CENSUS_API_BASE, stored in landing/census/<flow>_hs_{freq}/<period>/.",
    )
    def _census(
        context: AssetExecutionContext, config: LiveFetchConfig, warehouse: WarehouseResource
    ) -> MaterializeResult:
        settings = get_connector_settings()
        scope = load_scope()
        area = landing_area(warehouse)
        client = CensusClient(settings, progress=log_progress(context.log), logger=context.log)
        reports, prefixes = [], []
        for partition_key in context.partition_keys:
            time = census_time(partition_key)
            for flow in scope.census_flows:
                landing = area.partition("census", f"{flow}_hs_{freq}", landing_period(partition_key))
                queries = [q for q in scope.census_queries(freq, time) if q.flow == flow]
                reports.append(client.fetch_partition(landing, queries, force=config.force_refresh))
                prefixes.append(landing.rel(""))
        return land_fetched(context, warehouse, table, area, reports, prefixes, client.http.stats.as_dict())

    return _census


def build_usgs_asset() -> AssetsDefinition:
    table = raw_table("usgs__mcs_release_cells")

    @_raw_fetch_asset(
        table,
        mcs_edition_partitions,
        MCS_FRESHNESS,
        f"{table.description}. Partition = MCS edition (MCS 2025 holds 2024 data), from USGS_BASE "
        "(ScienceBase), stored in landing/usgs/mcs_release/<edition>/.",
    )
    def _usgs(
        context: AssetExecutionContext, config: LiveFetchConfig, warehouse: WarehouseResource
    ) -> MaterializeResult:
        settings = get_connector_settings()
        area = landing_area(warehouse)
        client = UsgsClient(settings, progress=log_progress(context.log), logger=context.log)
        reports, prefixes, files = [], [], []
        for partition_key in context.partition_keys:
            landing = area.partition("usgs", "mcs_release", partition_key)
            reports.append(client.fetch_edition(landing, int(partition_key), force=config.force_refresh))
            prefixes.append(landing.rel(""))
            files.extend(extracted_csvs(landing))
        ingest, retired, total = land_payloads(context, warehouse, table, area, files, prefixes)
        return _result(table, reports, ingest, retired, total, area)

    return _usgs


def build_baci_asset() -> AssetsDefinition:
    @asset(
        key=AssetKey(["landing", "baci_archives"]),
        partitions_def=baci_release_partitions,
        retry_policy=FETCH_RETRY_POLICY,
        group_name=LIVE_GROUP,
        kinds={"python"},
        description="CEPII BACI bulk archives (one zip per HS revision and version, with its country and "
        "product code files), downloaded resumably from BACI_BASE into landing/baci/archives/<release>/. "
        "The BACI raw tables read them from there. Licence: Etalab Open Licence 2.0 (CEPII)",
    )
    def _baci(
        context: AssetExecutionContext, config: LiveFetchConfig, warehouse: WarehouseResource
    ) -> MaterializeResult:
        settings = get_connector_settings()
        area = landing_area(warehouse)
        client = BaciClient(settings, progress=log_progress(context.log), logger=context.log)
        listing = None
        reports = []
        for partition_key in context.partition_keys:
            release = BaciRelease.parse(partition_key)
            landing = area.partition("baci", "archives", release.key)
            if listing is None and (config.force_refresh or not landing.is_complete(release.key)):
                listing = client.listing()
            reports.append(client.fetch_release(landing, release, listing=listing, force=config.force_refresh))
        files = [p for r in reports for p in r.payloads]
        return MaterializeResult(
            metadata={
                **_summary(reports),
                "files": md_table(["file", "bytes", "sha256"], [(p.rel_path, f"{p.bytes:,}", p.sha256) for p in files]),
                "landing_dir": MetadataValue.path(str(area.root)),
            }
        )

    return _baci


LIVE_ASSET_BUILDERS: tuple[Callable[[], AssetsDefinition], ...] = (
    lambda: build_comtrade_asset("A"),
    lambda: build_census_asset("A"),
    lambda: build_comtrade_asset("M"),
    lambda: build_census_asset("M"),
    build_comtrade_bulk_asset,
    build_usgs_asset,
    build_baci_asset,
)


def build_live_assets() -> list[AssetsDefinition]:
    with warnings.catch_warnings():
        # backfill_policy is "beta" in Dagster 1.13; single-run backfills are what keep dbt to one run
        warnings.filterwarnings("ignore", message=".*backfill_policy.*", category=BetaWarning)
        return [build() for build in LIVE_ASSET_BUILDERS]
