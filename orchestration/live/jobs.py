"""Jobs of the live operation, and the run config and partition windows they are launched with.

A job holds one partitions definition: annual and monthly live data are separate jobs. Each carries
every unpartitioned asset too (reference raw tables, dbt, publish), so one run over a range of
partitions fetches them all and then builds and publishes once: a backfill costs one dbt invocation.
"""

from __future__ import annotations

from datetime import datetime

from dagster import AssetKey, AssetSelection, define_asset_job

from orchestration.executors import EXECUTOR
from orchestration.ingest.registry import BACI_ARCHIVES as BACI_ARCHIVES_ASSET

# The live raw tables; each is fed by its fetch asset landing/<name> (fetch_key), BACI's raw tables
# by landing/baci_archives.
COMTRADE_ANNUAL = AssetKey(["raw", "comtrade__api_annual"])
CENSUS_ANNUAL = AssetKey(["raw", "census__api_annual"])
COMTRADE_MONTHLY = AssetKey(["raw", "comtrade__api_monthly"])
CENSUS_MONTHLY = AssetKey(["raw", "census__api_monthly"])
COMTRADE_BULK = AssetKey(["raw", "comtrade__bulk_annual"])
MCS_RELEASE = AssetKey(["raw", "usgs__mcs_release_cells"])
BACI_ARCHIVES = AssetKey(["landing", BACI_ARCHIVES_ASSET])

ANNUAL_ASSETS = (COMTRADE_ANNUAL, CENSUS_ANNUAL)
MONTHLY_ASSETS = (COMTRADE_MONTHLY, CENSUS_MONTHLY)


LIVE_RAW = (*ANNUAL_ASSETS, *MONTHLY_ASSETS, COMTRADE_BULK, MCS_RELEASE)


def fetch_key(key: AssetKey) -> AssetKey:
    """The fetch asset of a live raw table (landing/<name>); a landing key is its own."""
    return key if key.path[0] == "landing" else AssetKey(["landing", key.path[-1]])


def with_fetch(*keys: AssetKey) -> tuple[AssetKey, ...]:
    """The keys, each live raw table's preceded by its fetch asset's: what a live run materializes."""
    return tuple(dict.fromkeys(k for key in keys for k in ((fetch_key(key), key) if key in LIVE_RAW else (key,))))


LIVE_PARTITIONED = with_fetch(*LIVE_RAW, BACI_ARCHIVES)

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"

live_selection = AssetSelection.assets(*LIVE_PARTITIONED)
unpartitioned_selection = AssetSelection.all() - live_selection

live_annual_job = define_asset_job(
    "live_annual",
    selection=AssetSelection.assets(*with_fetch(*ANNUAL_ASSETS)) | unpartitioned_selection,
    executor_def=EXECUTOR,
    description="Fetch annual Comtrade and Census data for a year (or a range, in one run) into the landing "
    "area, validate and land it, then build, test and publish the warehouse once.",
)

live_monthly_job = define_asset_job(
    "live_monthly",
    selection=AssetSelection.assets(*with_fetch(*MONTHLY_ASSETS)) | unpartitioned_selection,
    executor_def=EXECUTOR,
    description="Fetch monthly Comtrade and Census data for a month (or a range, in one run), land it, "
    "then build, test and publish the warehouse once.",
)

live_comtrade_bulk_job = define_asset_job(
    "live_comtrade_bulk",
    selection=AssetSelection.assets(*with_fetch(COMTRADE_BULK)) | unpartitioned_selection,
    executor_def=EXECUTOR,
    description="Download the Comtrade bulk files of a year (or a range, in one run) for the bulk reporters of "
    "the scope (needs COMTRADE_API_KEY), land them, then build, test and publish the warehouse once.",
)

live_mcs_job = define_asset_job(
    "live_mcs",
    selection=AssetSelection.assets(*with_fetch(MCS_RELEASE)) | unpartitioned_selection,
    executor_def=EXECUTOR,
    description="Download an MCS data release from ScienceBase, land and validate its CSVs, then build, test "
    "and publish the warehouse once (the release's world and salient tables replace the sample's copies).",
)

live_baci_job = define_asset_job(
    "live_baci",
    selection=AssetSelection.assets(BACI_ARCHIVES) | unpartitioned_selection,
    executor_def=EXECUTOR,
    description="Download a BACI release (archive and code files), then land, build and publish the warehouse.",
)

LIVE_JOBS = (live_annual_job, live_monthly_job, live_comtrade_bulk_job, live_mcs_job, live_baci_job)


def op_name(key: AssetKey) -> str:
    return "__".join(key.path)


def fetch_run_config(keys: tuple[AssetKey, ...], *, force_refresh: bool) -> dict:
    """Run config setting `force_refresh` on the fetch assets of a run's live tables (raw or landing keys)."""
    return {"ops": {op_name(fetch_key(k)): {"config": {"force_refresh": force_refresh}} for k in keys}}


def range_tags(start: str, end: str) -> dict[str, str]:
    """Tags that make one run cover partitions start..end (the assets' backfill policy is single-run)."""
    return {RANGE_START_TAG: start, RANGE_END_TAG: end}


def years_to_refresh(now: datetime, window: int = 2) -> tuple[str, str]:
    """The last `window` complete years: annual trade figures keep being revised for a year or two."""
    last = now.year - 1
    return str(last - window + 1), str(last)


def months_to_refresh(now: datetime, window: int = 3, lag: int = 1) -> tuple[str, str]:
    """Monthly partition keys of the `window` months ending `lag` months before `now` (revisions window)."""

    def shift(year: int, month: int, back: int) -> tuple[int, int]:
        index = year * 12 + (month - 1) - back
        return index // 12, index % 12 + 1

    end = shift(now.year, now.month, lag)
    start = shift(end[0], end[1], window - 1)
    return f"{start[0]:04d}-{start[1]:02d}-01", f"{end[0]:04d}-{end[1]:02d}-01"


def partition_for_period(freq: str, period: str) -> str | None:
    """Comtrade period -> partition key of the matching job ('2024' -> '2024', '202503' -> '2025-03-01')."""
    period = str(period)
    if freq == "A" and len(period) == 4 and period.isdigit():
        return period
    if freq == "M" and len(period) == 6 and period.isdigit():
        return f"{period[:4]}-{period[4:]}-01"
    return None
