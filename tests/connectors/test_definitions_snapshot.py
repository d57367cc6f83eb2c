"""Snapshot of the live operation in the Dagster definitions: assets, checks, jobs, schedules, sensors.

Compared to tests/snapshots/dagster_live_definitions.json. After an intended change, regenerate it:

    UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/connectors/test_definitions_snapshot.py

and review the diff. Only the live part is snapshotted, so other teams' new assets do not churn it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

SNAPSHOT = Path(__file__).resolve().parents[1] / "snapshots" / "dagster_live_definitions.json"


def _partitions(defn) -> str | None:
    if defn is None:
        return None
    name = type(defn).__name__
    if hasattr(defn, "cron_schedule") and hasattr(defn, "fmt"):
        start = defn.start.strftime(defn.fmt)
        return f"{name}(cron={defn.cron_schedule!r}, fmt={defn.fmt!r}, start={start}, end_offset={defn.end_offset})"
    if hasattr(defn, "name") and defn.name:
        return f"{name}(name={defn.name!r})"
    return name


def live_definitions_snapshot() -> dict:
    from orchestration.definitions import defs
    from orchestration.live.jobs import LIVE_PARTITIONED

    graph = defs.resolve_asset_graph()
    live_keys = set(LIVE_PARTITIONED)
    assets = {}
    for key in sorted(live_keys, key=lambda k: k.to_user_string()):
        node = graph.get(key)
        policy = (
            node.assets_def.get_retry_policy_for_key(key)
            if hasattr(node.assets_def, "get_retry_policy_for_key")
            else None
        )
        policy = policy or node.assets_def.op.retry_policy
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "partitions": _partitions(node.partitions_def),
            "backfill_policy": str(node.backfill_policy.policy_type) if node.backfill_policy else None,
            "retry_policy": {"max_retries": policy.max_retries, "delay": policy.delay} if policy else None,
            "freshness_policy": type(node.freshness_policy).__name__
            if getattr(node, "freshness_policy", None)
            else None,
            "checks": sorted(c.name for c in node.check_keys) if hasattr(node, "check_keys") else [],
            "children_in_dbt": sorted(c.to_user_string() for c in node.child_keys),
        }
    checks = sorted(
        f"{ck.asset_key.to_user_string()}:{ck.name}" for ck in graph.asset_check_keys if ck.asset_key in live_keys
    )
    jobs = {}
    for job in defs.jobs:
        resolved = defs.resolve_job_def(job.name)
        selected = resolved.asset_layer.selected_asset_keys
        jobs[job.name] = {
            "partitions": _partitions(resolved.partitions_def),
            "live_assets": sorted(k.to_user_string() for k in selected if k in live_keys),
            "runs_dbt": any(k.path[0] in ("staging", "intermediate", "marts") for k in selected),
            "publishes": any(k.path == ["published", "warehouse"] for k in selected),
        }
    schedules = {
        s.name: {"cron": s.cron_schedule, "job": s.job_name, "timezone": s.execution_timezone} for s in defs.schedules
    }
    sensors = {
        s.name: {
            "jobs": sorted(t.job_name for t in s.targets) if s.targets else [],
            "minimum_interval_seconds": s.minimum_interval_seconds,
        }
        for s in defs.sensors
    }
    return {"assets": assets, "checks": checks, "jobs": jobs, "schedules": schedules, "sensors": sensors}


def test_live_definitions_match_snapshot():
    current = live_definitions_snapshot()
    if os.environ.get("UPDATE_SNAPSHOTS") or not SNAPSHOT.exists():
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
    expected = json.loads(SNAPSHOT.read_text())
    assert current == expected, "Dagster definitions changed; review and regenerate (see module docstring)"


def test_live_graph_invariants():
    """What must hold whatever the snapshot says."""
    snap = live_definitions_snapshot()
    assert snap["jobs"]["warehouse"]["live_assets"] == []  # the offline job never calls out
    for name in ("live_annual", "live_monthly"):
        assert snap["jobs"][name]["runs_dbt"] and snap["jobs"][name]["publishes"]
    for key, asset in snap["assets"].items():
        assert asset["partitions"], key
        # the fetches call out and are retried; their raw assets land from the landing area's files
        assert bool(asset["retry_policy"]) == key.startswith("landing/"), key
    for key in (
        "raw/comtrade__api_annual",
        "raw/census__api_annual",
        "raw/comtrade__api_monthly",
        "raw/census__api_monthly",
        "raw/comtrade__bulk_annual",
        "raw/usgs__mcs_release_cells",
    ):
        # fetch -> landing area -> raw: every live table has its fetch asset, same partitions, and the GX check
        fetch = "landing/" + key.split("/")[1]
        assert snap["assets"][fetch]["partitions"] == snap["assets"][key]["partitions"], key
        assert "gx_suite" in snap["assets"][key]["checks"] and not snap["assets"][fetch]["checks"]
        if "mcs" not in key:
            assert any(c.startswith(key + ":freshness") for c in snap["checks"]), key
    assert {"live_monthly_refresh", "live_yearly_refresh", "mcs_yearly_refresh"} <= set(snap["schedules"])
    assert {"comtrade_release_sensor", "baci_release_sensor", "mcs_release_sensor", "live_freshness_sensor"} <= set(
        snap["sensors"]
    )
