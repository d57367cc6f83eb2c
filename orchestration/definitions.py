"""The Dagster code location: raw assets with GX checks, dbt models and tests, the published snapshot."""

from __future__ import annotations

from dagster import Definitions, define_asset_job

from orchestration.assets.dbt import warehouse_dbt_assets
from orchestration.assets.publish import published_warehouse
from orchestration.assets.raw import build_raw_assets
from orchestration.assets.report import html_report
from orchestration.assets.serving import serving_assets
from orchestration.dbt_project import dbt_resource
from orchestration.executors import EXECUTOR
from orchestration.live.assets import build_live_assets
from orchestration.live.freshness import LIVE_FRESHNESS_CHECKS
from orchestration.live.jobs import LIVE_JOBS, unpartitioned_selection
from orchestration.live.schedules import LIVE_SCHEDULES
from orchestration.live.sensors import LIVE_SENSORS
from orchestration.resources import WarehouseResource

# In process on the embedded file (one writer); WAREHOUSE_WORKERS processes on the lake (executors.py).
warehouse_job = define_asset_job(
    "warehouse",
    selection=unpartitioned_selection,  # everything but the partitioned live fetches (own jobs)
    executor_def=EXECUTOR,
    description="Land and validate every sample source, build and test the dbt models, publish.",
)

defs = Definitions(
    assets=[
        *build_raw_assets(),
        warehouse_dbt_assets,
        published_warehouse,
        *serving_assets,
        html_report,
        *build_live_assets(),
    ],
    asset_checks=list(LIVE_FRESHNESS_CHECKS),
    jobs=[warehouse_job, *LIVE_JOBS],
    schedules=LIVE_SCHEDULES,
    sensors=LIVE_SENSORS,
    resources={"warehouse": WarehouseResource(), "dbt": dbt_resource()},
    executor=EXECUTOR,
)


def warehouse_job_def():
    """The `warehouse` job, for `reconstructable`: worker processes import it from here."""
    return defs.resolve_job_def("warehouse")
