"""When the live data must be in: the deadlines, as Dagster freshness policies on the assets and as
freshness checks with the sensor that evaluates them.

Annual trade data for a year are mostly released by the following September; a month's partition
must be materialized by the 28th of the next one (even when the source has no rows for it yet); an
MCS edition is out by April.
"""

from __future__ import annotations

import warnings
from datetime import timedelta

from dagster import (
    FreshnessPolicy,
    SupersessionWarning,
    build_sensor_for_freshness_checks,
    build_time_partition_freshness_checks,
)

from orchestration.live.jobs import ANNUAL_ASSETS, COMTRADE_BULK, MONTHLY_ASSETS

ANNUAL_DEADLINE = "0 0 1 10 *"  # last year's annual figures are mostly out by October
MONTHLY_DEADLINE = "0 0 28 * *"
MCS_DEADLINE = "0 0 1 4 *"

# Freshness policies (Dagster's freshness state in the UI) beside the freshness checks below.
ANNUAL_FRESHNESS = FreshnessPolicy.cron(deadline_cron=ANNUAL_DEADLINE, lower_bound_delta=timedelta(days=365))
MONTHLY_FRESHNESS = FreshnessPolicy.cron(deadline_cron=MONTHLY_DEADLINE, lower_bound_delta=timedelta(days=28))
MCS_FRESHNESS = FreshnessPolicy.cron(deadline_cron=MCS_DEADLINE, lower_bound_delta=timedelta(days=365))

with warnings.catch_warnings():
    # "superseded" by the freshness policies above, which show a state in the UI; these stay because
    # they are asset checks (recorded, alertable, beside the GX check), and the sensor is their only evaluator
    warnings.filterwarnings("ignore", category=SupersessionWarning)
    LIVE_FRESHNESS_CHECKS = (
        *build_time_partition_freshness_checks(assets=[*ANNUAL_ASSETS, COMTRADE_BULK], deadline_cron=ANNUAL_DEADLINE),
        *build_time_partition_freshness_checks(assets=list(MONTHLY_ASSETS), deadline_cron=MONTHLY_DEADLINE),
    )
    freshness_sensor = build_sensor_for_freshness_checks(
        freshness_checks=list(LIVE_FRESHNESS_CHECKS), name="live_freshness_sensor", minimum_interval_seconds=3600
    )
