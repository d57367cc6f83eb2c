"""The live sources, each in one pattern: fetch -> landing area -> raw.

A partitioned fetch asset, landing/<table>, asks the connector for every payload of its partitions
(a range is one run: backfills are single runs so the dbt step after them runs once) and stores them
in the landing area with their manifest; payloads already there cost no call unless `force_refresh`
is set (schedules and release sensors set it to pick up revisions). The raw asset of the same
partitions, raw/<table>, then lands what the landing folders of those partitions hold: each payload
with rows is one load, validated by the table's GX suite (a blocking check) and promoted by the
loader (`ingest_table`). A changed payload replaces the rows of the same payload path and the
replaced rows stay queryable in raw_history.<table> with their load marked `superseded` in
audit.loads; payloads the plan no longer asks for, or that came back empty, have their rows retired
the same way, so a reload never leaves duplicates behind. `LiveFeed` says once where a table's
partitions lie in the landing area, for both assets. BACI's fetch asset (landing/baci_archives)
feeds the BACI raw assets of assets/raw.py, which read its releases beside the sample's archives.
"""

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from dagster import (
    AssetExecutionContext,
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

from orchestration.assets.gx_check import gx_check_result, landing_asset_key, raw_asset_args
from orchestration.connectors.baci import BaciClient, BaciRelease
from orchestration.connectors.census import CensusClient
from orchestration.connectors.comtrade import ComtradeClient
from orchestration.connectors.http import log_progress
from orchestration.connectors.landing_area import FetchReport, LandingArea, PartitionLanding
from orchestration.connectors.scope import census_time, comtrade_period, landing_period, load_scope
from orchestration.connectors.settings import get_connector_settings
from orchestration.connectors.usgs import UsgsClient, extracted_csvs
from orchestration.ingest.ingest import IngestReport, ingest_table
from orchestration.ingest.landing import ensure_meta, ensure_raw_table, retire
from orchestration.ingest.registry import BACI_ARCHIVES, RawTable, raw_table
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


def _fetch_result(
    context: AssetExecutionContext, name: str, reports: list[FetchReport], http_stats: dict, area: LandingArea
) -> MaterializeResult:
    """What a fetch did, partition by partition: calls, retries, payloads stored or reused, rows."""
    context.log.info(f"landing/{name}: {_summary(reports)} ; HTTP {http_stats}")
    partitions = md_table(
        ["partition", "calls", "retries", "payloads", "fetched", "reused", "rows"],
        [
            (r.partition, r.calls, r.retries, len(r.payloads), len(r.stored),
             r.reused + (len(r.payloads) if r.skipped_complete else 0), r.rows)
            for r in reports
        ],
    )  # fmt: skip
    return MaterializeResult(
        metadata={**_summary(reports), "landing_dir": MetadataValue.path(str(area.root)), "partitions": partitions}
    )


@dataclass(frozen=True)
class LiveFeed:
    """A live raw table and where its partitions' payloads lie in the landing area: what its fetch
    asset writes and its raw asset lands, said once for both."""

    table: str
    partitions_def: PartitionsDefinition
    freshness: Any
    # the landing partitions (source x dataset x period folders) of one partition key
    landings: Callable[[LandingArea, str], list[PartitionLanding]]
    # the files of one landing partition that the raw table reads (default: the payloads with rows)
    files: Callable[[PartitionLanding], list[Path]] = field(
        default=lambda landing: [p.path for p in landing.payloads() if (p.rows or 0) > 0]
    )


def comtrade_dataset(freq: str) -> str:
    return f"C_{freq}_HS"


COMTRADE_BULK_DATASET = "bulk_C_A_HS"

FEEDS: dict[str, LiveFeed] = {
    feed.table: feed
    for feed in (
        *(
            LiveFeed(
                table,
                partitions,
                freshness,
                landings=lambda area, key, dataset=dataset: [area.partition("comtrade", dataset, landing_period(key))],
            )
            for table, partitions, freshness, dataset in (
                ("comtrade__api_annual", yearly_partitions, ANNUAL_FRESHNESS, comtrade_dataset("A")),
                ("comtrade__api_monthly", monthly_partitions, MONTHLY_FRESHNESS, comtrade_dataset("M")),
                ("comtrade__bulk_annual", yearly_partitions, ANNUAL_FRESHNESS, COMTRADE_BULK_DATASET),
            )
        ),
        *(
            LiveFeed(
                table,
                partitions,
                freshness,
                # one folder per flow of the scope (imports, exports)
                landings=lambda area, key, freq=freq: [
                    area.partition("census", f"{flow}_hs_{freq}", landing_period(key))
                    for flow in load_scope().census_flows
                ],
            )
            for table, partitions, freshness, freq in (
                ("census__api_annual", yearly_partitions, ANNUAL_FRESHNESS, "A"),
                ("census__api_monthly", monthly_partitions, MONTHLY_FRESHNESS, "M"),
            )
        ),
        LiveFeed(
            "usgs__mcs_release_cells",
            mcs_edition_partitions,
            MCS_FRESHNESS,
            landings=lambda area, key: [area.partition("usgs", "mcs_release", key)],
            # the CSVs unpacked from the release's zips
            files=extracted_csvs,
        ),
    )
}


def _fetch_asset(feed: LiveFeed, description: str):
    """The @asset of a partitioned fetch into the landing area: one run per backfill, retried."""
    return asset(
        key=landing_asset_key(feed.table),
        partitions_def=feed.partitions_def,
        backfill_policy=BackfillPolicy.single_run(),
        retry_policy=FETCH_RETRY_POLICY,
        group_name=LIVE_GROUP,
        kinds={"python"},
        description=f"{description} raw/{feed.table} lands them.",
    )


def build_live_raw_asset(feed: LiveFeed) -> AssetsDefinition:
    """raw.<table> for the partitions of a run: every payload its fetch asset left in the partitions'
    landing folders, each one load through the table's GX suite (the blocking check); rows of payloads
    the partitions no longer hold are retired to raw_history."""
    table = raw_table(feed.table)

    @asset(
        partitions_def=feed.partitions_def,
        backfill_policy=BackfillPolicy.single_run(),
        group_name=LIVE_GROUP,
        freshness_policy=feed.freshness,
        **raw_asset_args(
            table,
            f"{table.description}. Landed from the payloads landing/{feed.table} stored for the partition.",
            unit="payload",
        ),
    )
    def _live_raw(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        area = landing_area(warehouse)
        landings = [landing for key in context.partition_keys for landing in feed.landings(area, key)]
        files = [f for landing in landings for f in feed.files(landing)]
        ingest, retired, total = land_payloads(
            context, warehouse, table, area, files, [landing.rel("") for landing in landings]
        )
        check = gx_check_result(table, ingest, unchanged="payloads_unchanged")
        return MaterializeResult(
            metadata={
                "payloads_landed": len(files),
                "loads_promoted": ingest.count("promoted") if ingest else 0,
                "rows_promoted": ingest.rows_promoted if ingest else 0,
                "rows_retired": retired,
                "raw_row_count": total,
                "landing_dir": MetadataValue.path(str(area.root)),
            },
            check_results=[check],
        )

    return _live_raw


def build_comtrade_asset(freq: str) -> AssetsDefinition:
    feed = FEEDS["comtrade__api_annual" if freq == "A" else "comtrade__api_monthly"]

    @_fetch_asset(
        feed,
        "Comtrade data API payloads (with COMTRADE_API_KEY, else the 500-row public preview) from "
        f"COMTRADE_API_BASE, stored in landing/comtrade/{comtrade_dataset(freq)}/<period>/;",
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
        reports = [
            client.fetch_partition(
                landing, scope.comtrade_queries(freq, comtrade_period(key)), force=config.force_refresh
            )
            for key in context.partition_keys
            for landing in feed.landings(area, key)
        ]
        return _fetch_result(context, feed.table, reports, client.http.stats.as_dict(), area)

    return _comtrade


def build_comtrade_bulk_asset() -> AssetsDefinition:
    feed = FEEDS["comtrade__bulk_annual"]

    @_fetch_asset(
        feed,
        "Comtrade bulk files of the scope's bulk reporters, listed and downloaded (resumably) from "
        f"COMTRADE_API_BASE with COMTRADE_API_KEY into landing/comtrade/{COMTRADE_BULK_DATASET}/<year>/; a file "
        "is downloaded again only when Comtrade republishes it;",
    )
    def _comtrade_bulk(
        context: AssetExecutionContext, config: LiveFetchConfig, warehouse: WarehouseResource
    ) -> MaterializeResult:
        settings = get_connector_settings()
        scope = load_scope()
        area = landing_area(warehouse)
        client = ComtradeClient(settings, progress=log_progress(context.log), logger=context.log)
        reports = [
            client.fetch_bulk_partition(
                landing, "A", comtrade_period(key), scope.bulk_reporters, force=config.force_refresh
            )
            for key in context.partition_keys
            for landing in feed.landings(area, key)
        ]
        return _fetch_result(context, feed.table, reports, client.http.stats.as_dict(), area)

    return _comtrade_bulk


def build_census_asset(freq: str) -> AssetsDefinition:
    feed = FEEDS["census__api_annual" if freq == "A" else "census__api_monthly"]

    @_fetch_asset(
        feed,
        f"US Census international trade API payloads from CENSUS_API_BASE, stored in "
        f"landing/census/<flow>_hs_{freq}/<period>/;",
    )
    def _census(
        context: AssetExecutionContext, config: LiveFetchConfig, warehouse: WarehouseResource
    ) -> MaterializeResult:
        settings = get_connector_settings()
        scope = load_scope()
        area = landing_area(warehouse)
        client = CensusClient(settings, progress=log_progress(context.log), logger=context.log)
        reports = []
        for key in context.partition_keys:
            queries = scope.census_queries(freq, census_time(key))
            # feed.landings gives one folder per flow of the scope, in the scope's order
            for flow, landing in zip(scope.census_flows, feed.landings(area, key), strict=True):
                flow_queries = [q for q in queries if q.flow == flow]
                reports.append(client.fetch_partition(landing, flow_queries, force=config.force_refresh))
        return _fetch_result(context, feed.table, reports, client.http.stats.as_dict(), area)

    return _census


def build_usgs_asset() -> AssetsDefinition:
    feed = FEEDS["usgs__mcs_release_cells"]

    @_fetch_asset(
        feed,
        "USGS Mineral Commodity Summaries data releases (partition = MCS edition: MCS 2025 holds 2024 data) "
        "from USGS_BASE (ScienceBase), downloaded into landing/usgs/mcs_release/<edition>/ and their CSVs unpacked;",
    )
    def _usgs(
        context: AssetExecutionContext, config: LiveFetchConfig, warehouse: WarehouseResource
    ) -> MaterializeResult:
        settings = get_connector_settings()
        area = landing_area(warehouse)
        client = UsgsClient(settings, progress=log_progress(context.log), logger=context.log)
        reports = [
            client.fetch_edition(landing, int(key), force=config.force_refresh)
            for key in context.partition_keys
            for landing in feed.landings(area, key)
        ]
        return _fetch_result(context, feed.table, reports, client.http.stats.as_dict(), area)

    return _usgs


def build_baci_asset() -> AssetsDefinition:
    @asset(
        key=landing_asset_key(BACI_ARCHIVES),
        partitions_def=baci_release_partitions,
        retry_policy=FETCH_RETRY_POLICY,
        group_name=LIVE_GROUP,
        kinds={"python"},
        description="CEPII BACI bulk archives (one zip per HS revision and version, with its country and "
        "product code files), downloaded resumably from BACI_BASE into landing/baci/archives/<release>/. "
        "The BACI raw assets land them from there with the sample's archives. Licence: Etalab Open Licence 2.0 (CEPII)",
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
    *(lambda feed=feed: build_live_raw_asset(feed) for feed in FEEDS.values()),
)


def build_live_assets() -> list[AssetsDefinition]:
    with warnings.catch_warnings():
        # backfill_policy is "beta" in Dagster 1.13; single-run backfills are what keep dbt to one run
        warnings.filterwarnings("ignore", message=".*backfill_policy.*", category=BetaWarning)
        return [build() for build in LIVE_ASSET_BUILDERS]
