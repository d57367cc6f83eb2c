"""Schedules: monthly refresh of the monthly sources, yearly refresh of the annual ones and of MCS.

Each tick asks for one run over a window of recent partitions with `force_refresh`, so figures the
sources revised since the last fetch replace the old ones (which stay in raw_history). The window
is computed by the pure helpers in jobs.py, tested on their own.
"""

from __future__ import annotations

from dagster import DefaultScheduleStatus, RunRequest, ScheduleEvaluationContext, SkipReason, schedule

from orchestration.connectors.settings import get_connector_settings
from orchestration.live.jobs import (
    ANNUAL_ASSETS,
    COMTRADE_BULK,
    MCS_RELEASE,
    MONTHLY_ASSETS,
    fetch_run_config,
    live_annual_job,
    live_comtrade_bulk_job,
    live_mcs_job,
    live_monthly_job,
    months_to_refresh,
    range_tags,
    years_to_refresh,
)


@schedule(
    job=live_monthly_job,
    cron_schedule="0 6 20 * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.STOPPED,
    description="On the 20th: refetch the last three complete months (Comtrade and Census monthly), "
    "landing new months and revisions of recent ones.",
)
def live_monthly_refresh(context: ScheduleEvaluationContext) -> RunRequest:
    start, end = months_to_refresh(context.scheduled_execution_time)
    return RunRequest(
        run_key=f"monthly-{start}-{end}",
        run_config=fetch_run_config(MONTHLY_ASSETS, force_refresh=True),
        tags=range_tags(start, end),
    )


@schedule(
    job=live_annual_job,
    cron_schedule="0 6 15 3 *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Every 15 March: refetch the last two complete years of annual Comtrade and Census data "
    "(the previous year's first releases, revisions of the year before).",
)
def live_yearly_refresh(context: ScheduleEvaluationContext) -> RunRequest:
    start, end = years_to_refresh(context.scheduled_execution_time)
    return RunRequest(
        run_key=f"annual-{start}-{end}",
        run_config=fetch_run_config(ANNUAL_ASSETS, force_refresh=True),
        tags=range_tags(start, end),
    )


@schedule(
    job=live_comtrade_bulk_job,
    cron_schedule="0 6 1 4 *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Every 1 April: list the bulk files of the last two complete years and download those Comtrade "
    "published or republished since the last run (needs COMTRADE_API_KEY).",
)
def comtrade_bulk_yearly_refresh(context: ScheduleEvaluationContext) -> RunRequest | SkipReason:
    if not get_connector_settings().comtrade_api_key:
        return SkipReason("Comtrade bulk files need COMTRADE_API_KEY; none is set")
    start, end = years_to_refresh(context.scheduled_execution_time)
    return RunRequest(
        run_key=f"comtrade-bulk-{start}-{end}",
        run_config=fetch_run_config((COMTRADE_BULK,), force_refresh=True),
        tags=range_tags(start, end),
    )


@schedule(
    job=live_mcs_job,
    cron_schedule="0 6 1 3 *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Every 1 March: fetch this year's Mineral Commodity Summaries edition (published late January).",
)
def mcs_yearly_refresh(context: ScheduleEvaluationContext) -> RunRequest:
    edition = str(context.scheduled_execution_time.year)
    return RunRequest(
        run_key=f"mcs-{edition}",
        partition_key=edition,
        run_config=fetch_run_config((MCS_RELEASE,), force_refresh=False),
    )


LIVE_SCHEDULES = (live_monthly_refresh, live_yearly_refresh, comtrade_bulk_yearly_refresh, mcs_yearly_refresh)
