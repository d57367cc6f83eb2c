"""Sensors that notice new releases and request the partitions they affect.

- Comtrade: the release feed (`getLiveUpdate`, with a key) or data availability (`getDA`, keyless)
  lists reporter x period datasets with their release time; releases after the cursor for reporters
  in scope become runs of the annual or monthly partitions they touch, with `force_refresh`.
- BACI: a release on CEPII's page that is not yet a partition is added as one; the newest is fetched.
- MCS: the edition after the last one seen, once ScienceBase lists it.
- Freshness: the sensor evaluating the freshness checks (freshness.py) is listed with these.

The decisions are pure functions (tested without a server); the sensors only fetch and apply them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from dagster import (
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from orchestration.connectors.baci import BaciClient
from orchestration.connectors.comtrade import ComtradeClient
from orchestration.connectors.http import HttpError
from orchestration.connectors.scope import load_scope
from orchestration.connectors.settings import get_connector_settings
from orchestration.connectors.usgs import UsgsClient
from orchestration.live.freshness import freshness_sensor
from orchestration.live.jobs import (
    ANNUAL_ASSETS,
    BACI_ARCHIVES,
    COMTRADE_BULK,
    MCS_RELEASE,
    MONTHLY_ASSETS,
    fetch_run_config,
    live_annual_job,
    live_baci_job,
    live_comtrade_bulk_job,
    live_mcs_job,
    live_monthly_job,
    partition_for_period,
)
from orchestration.live.partitions import baci_release_partitions, monthly_partitions, yearly_partitions

# Field names the feed and availability endpoints use for when a dataset was (re)published.
RELEASE_TIME_FIELDS = ("lastUpdated", "lastReleased", "releaseDate", "publicationDate", "timestamp")


def release_time(entry: dict[str, Any]) -> str | None:
    for name in RELEASE_TIME_FIELDS:
        value = entry.get(name)
        if value:
            return str(value)
    return None


def affected_partitions(
    entries: list[dict[str, Any]], since: str, reporters: set[str]
) -> tuple[dict[str, list[str]], str]:
    """Partition keys (by frequency A/M) of goods/HS releases after `since`; and the newest time seen."""
    newest = since
    found: dict[str, set[str]] = {"A": set(), "M": set()}
    for entry in entries:
        stamp = release_time(entry)
        if not stamp or stamp <= since:
            continue
        newest = max(newest, stamp)
        if str(entry.get("typeCode", "C")) != "C":
            continue
        cl = str(entry.get("classificationCode") or "HS")
        if not (cl == "HS" or (cl.startswith("H") and cl[1:].isdigit())):
            continue
        if reporters and str(entry.get("reporterCode")) not in reporters:
            continue
        freq = str(entry.get("freqCode", ""))
        key = partition_for_period(freq, str(entry.get("period", "")))
        if key is not None:
            found[freq].add(key)
    return {freq: sorted(keys) for freq, keys in found.items()}, newest


def comtrade_run_requests(
    partitions: dict[str, list[str]], stamp: str, bulk_years: list[str] | None = None
) -> list[RunRequest]:
    """Runs of the annual and monthly jobs for released partitions; of the bulk job for `bulk_years`."""
    years, months = set(yearly_partitions.get_partition_keys()), set(monthly_partitions.get_partition_keys())
    jobs = {
        "A": (live_annual_job.name, ANNUAL_ASSETS, years),
        "M": (live_monthly_job.name, MONTHLY_ASSETS, months),
        "bulk": (live_comtrade_bulk_job.name, (COMTRADE_BULK,), years),
    }
    requests = []
    for freq, keys in {**partitions, "bulk": bulk_years or []}.items():
        job_name, assets, valid = jobs[freq]
        for key in keys:
            if key in valid:
                requests.append(
                    RunRequest(
                        job_name=job_name,
                        partition_key=key,
                        run_key=f"comtrade-release-{freq}-{key}-{stamp}",
                        run_config=fetch_run_config(assets, force_refresh=True),
                    )
                )
    return requests


@sensor(
    jobs=[live_annual_job, live_monthly_job, live_comtrade_bulk_job],
    minimum_interval_seconds=6 * 3600,
    default_status=DefaultSensorStatus.STOPPED,
    description="Comtrade release feed (or data availability without a key): refetch partitions with new releases.",
)
def comtrade_release_sensor(context: SensorEvaluationContext):
    settings = get_connector_settings()
    scope = load_scope()
    client = ComtradeClient(settings, logger=context.log)
    cursor = json.loads(context.cursor) if context.cursor else {}
    since = cursor.get("last_seen", "")
    try:
        if client.keyed:
            entries = client.release_feed()
        else:
            year = datetime.now(UTC).year
            periods = ",".join(str(y) for y in range(year - 2, year))
            entries = client.data_availability("A", periods, scope.comtrade_reporters)
    except HttpError as exc:
        return SkipReason(f"Comtrade release feed unavailable: {exc}")
    partitions, newest = affected_partitions(entries, since, set(scope.comtrade_reporters))
    bulk_years: list[str] = []
    if client.keyed and scope.bulk_reporters:
        bulk_years = affected_partitions(entries, since, set(scope.bulk_reporters))[0]["A"]
    new_cursor = json.dumps({"last_seen": newest})
    if not since:
        # first evaluation: remember where the feed stands; what is already out is fetched by backfills
        return SensorResult(skip_reason=SkipReason(f"cursor set at {newest or 'empty feed'}"), cursor=new_cursor)
    requests = comtrade_run_requests(partitions, newest, bulk_years)
    if not requests:
        return SensorResult(skip_reason=SkipReason(f"no new release in scope since {since}"), cursor=new_cursor)
    return SensorResult(run_requests=requests, cursor=new_cursor)


def new_baci_releases(listed: list[str], known: set[str], wanted: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(partitions to add, partitions to fetch): every new listed release; fetch the wanted or the newest."""
    added = sorted(k for k in listed if k not in known)
    if not added:
        return [], []
    fetch = [k for k in added if k in wanted] if wanted else [max(added, key=lambda k: k.split("_V", 1)[1])]
    return added, fetch


@sensor(
    job=live_baci_job,
    minimum_interval_seconds=24 * 3600,
    default_status=DefaultSensorStatus.STOPPED,
    description="A new BACI version on CEPII's page becomes a partition and is downloaded.",
)
def baci_release_sensor(context: SensorEvaluationContext):
    settings = get_connector_settings()
    scope = load_scope()
    try:
        listing = BaciClient(settings, logger=context.log).listing()
    except HttpError as exc:
        return SkipReason(f"BACI page unavailable: {exc}")
    listed = [r.key for r in listing.releases(scope.baci_hs)]
    known = set(context.instance.get_dynamic_partitions(baci_release_partitions.name))
    added, fetch = new_baci_releases(listed, known, scope.baci_releases)
    if not added:
        return SkipReason(f"no new {scope.baci_hs} release (listed: {listed})")
    return SensorResult(
        run_requests=[
            RunRequest(
                partition_key=key,
                run_key=f"baci-{key}",
                run_config=fetch_run_config((BACI_ARCHIVES,), force_refresh=False),
            )
            for key in fetch
        ],
        dynamic_partitions_requests=[baci_release_partitions.build_add_request(added)],
    )


def next_mcs_edition(cursor: str | None, scope_editions: tuple[int, ...], now: datetime) -> int | None:
    """The edition to look for: one after the last seen (or after the scope's newest); none past this year."""
    last = int(cursor) if cursor else (max(scope_editions) if scope_editions else now.year - 1)
    edition = last + 1
    return edition if edition <= now.year else None


@sensor(
    job=live_mcs_job,
    minimum_interval_seconds=24 * 3600,
    default_status=DefaultSensorStatus.STOPPED,
    description="A new Mineral Commodity Summaries edition on ScienceBase is downloaded and landed.",
)
def mcs_release_sensor(context: SensorEvaluationContext):
    settings = get_connector_settings()
    scope = load_scope()
    edition = next_mcs_edition(context.cursor, scope.mcs_editions, datetime.now(UTC))
    if edition is None:
        return SkipReason("the next MCS edition cannot be out before its year")
    try:
        release = UsgsClient(settings, logger=context.log).find_release(edition)
    except HttpError as exc:
        return SkipReason(f"ScienceBase unavailable: {exc}")
    if release is None:
        return SkipReason(f"MCS {edition} not on ScienceBase yet")
    return SensorResult(
        run_requests=[
            RunRequest(
                partition_key=str(edition),
                run_key=f"mcs-{edition}",
                run_config=fetch_run_config((MCS_RELEASE,), force_refresh=False),
            )
        ],
        cursor=str(edition),
    )


LIVE_SENSORS = (comtrade_release_sensor, baci_release_sensor, mcs_release_sensor, freshness_sensor)
