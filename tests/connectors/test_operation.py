"""Scope, partition windows, schedules and sensors: pure helpers, and sensors against the replay server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from orchestration.connectors.comtrade import ComtradeQuery
from orchestration.connectors.scope import (
    census_time,
    comtrade_period,
    expand_months,
    landing_period,
    load_scope,
    minimal_prefixes,
)
from orchestration.live.jobs import (
    RANGE_END_TAG,
    RANGE_START_TAG,
    months_to_refresh,
    partition_for_period,
    years_to_refresh,
)
from orchestration.live.run import contiguous_ranges, plan_runs
from orchestration.live.sensors import affected_partitions, new_baci_releases, next_mcs_edition


def test_default_scope_is_domain_chip_and_rare_earth_codes(monkeypatch):
    for name in ("LIVE_SCOPE_FILE", "LIVE_YEARS", "LIVE_MONTHS", "LIVE_REPORTERS", "LIVE_HS_CODES"):
        monkeypatch.delenv(name, raising=False)
    scope = load_scope()
    assert scope.years == (2024,) and scope.months == ()
    assert {"280530", "284610", "284690", "850511", "280461", "381800", "811292", "8541", "8542", "848620"} <= set(
        scope.hs_codes
    )
    assert scope.comtrade_reporters[:2] == ("842", "156")  # Comtrade codes, not ISO numeric (USA 842)
    queries = scope.comtrade_queries("A", "2024")
    assert len(queries) == 2 and all(q.periods == ("2024",) and q.partner2 == "0" for q in queries)
    assert sum(len(q.reporters) for q in queries) == len(scope.comtrade_reporters)
    census = scope.census_queries("A", "2024-12")
    assert {q.hs_prefix for q in census} == set(minimal_prefixes(scope.hs_codes)) and "848620" not in {
        q.hs_prefix for q in census
    }


def test_scope_overrides_from_the_environment(monkeypatch):
    monkeypatch.setenv("LIVE_YEARS", "2022,2023")
    monkeypatch.setenv("LIVE_MONTHS", "2024-11..2025-02,2025-05")
    monkeypatch.setenv("LIVE_REPORTERS", "842")
    monkeypatch.setenv("LIVE_HS_CODES", "280530,8542")
    scope = load_scope()
    assert scope.years == (2022, 2023) and scope.comtrade_reporters == ("842",)
    assert scope.months == ("2024-11", "2024-12", "2025-01", "2025-02", "2025-05")
    monkeypatch.setenv("LIVE_HS_CODES", "28053")
    with pytest.raises(ValueError, match="not 2, 4 or 6 digits"):
        load_scope()
    with pytest.raises(ValueError, match="backwards"):
        expand_months(["2025-03..2025-01"])


def test_partition_keys_map_to_source_periods():
    assert comtrade_period("2024") == "2024" and comtrade_period("2025-03-01") == "202503"
    assert census_time("2024") == "2024-12" and census_time("2025-03-01") == "2025-03"
    assert landing_period("2025-03-01") == "2025-03"
    assert partition_for_period("A", "2024") == "2024" and partition_for_period("M", "202503") == "2025-03-01"
    assert partition_for_period("A", "202503") is None


def test_split_halves_are_disjoint_and_complete():
    query = ComtradeQuery(freq="A", periods=("2024",), cmd_codes=("2846", "280530", "8542"), reporters=("842", "156"))
    halves = query.split()
    assert [h.cmd_codes for h in halves] == [("2846",), ("280530", "8542")]
    assert all(h.reporters == query.reporters for h in halves)
    single = ComtradeQuery(freq="A", periods=("2024",), cmd_codes=("8542",), reporters=("842",), flows=("X",))
    assert single.split() is None
    everyone = ComtradeQuery(freq="A", periods=("2024",), cmd_codes=("8542",), flows=("X",))
    halves = everyone.split(all_reporters=("4", "8", "12"))
    assert [h.reporters for h in halves] == [("4",), ("8", "12")]
    assert len({h.file_name for h in halves}) == 2


def test_refresh_windows():
    assert years_to_refresh(datetime(2026, 3, 15, tzinfo=UTC)) == ("2024", "2025")
    assert months_to_refresh(datetime(2026, 1, 20, tzinfo=UTC)) == ("2025-10-01", "2025-12-01")
    assert months_to_refresh(datetime(2026, 5, 20, tzinfo=UTC), window=1) == ("2026-04-01", "2026-04-01")
    ordered = ["2019", "2020", "2021", "2022", "2023", "2024"]
    assert contiguous_ranges(["2024", "2020", "2021", "2023"], ordered) == [("2020", "2021"), ("2023", "2024")]
    with pytest.raises(ValueError):
        contiguous_ranges(["1990"], ordered)


def test_default_live_run_plan(monkeypatch):
    for name in (
        "LIVE_SCOPE_FILE",
        "LIVE_YEARS",
        "LIVE_MONTHS",
        "LIVE_MCS_EDITIONS",
        "LIVE_BACI_RELEASES",
        "LIVE_BULK_REPORTERS",
    ):
        monkeypatch.delenv(name, raising=False)
    plan = [(job.name, label) for job, _, _, label in plan_runs(load_scope())]
    assert plan == [("live_annual", "2024..2024"), ("live_mcs", "MCS 2024..2024")]
    keyed = [(job.name, label) for job, _, _, label in plan_runs(load_scope(), comtrade_keyed=True)]
    assert keyed == [
        ("live_annual", "2024..2024"),
        ("live_comtrade_bulk", "bulk 2024..2024"),
        ("live_mcs", "MCS 2024..2024"),
    ]
    monkeypatch.setenv("LIVE_YEARS", "2021,2022,2024")
    keyed = [(job.name, label) for job, _, _, label in plan_runs(load_scope(), comtrade_keyed=True)]
    assert [k for k in keyed if k[0] == "live_comtrade_bulk"] == [
        ("live_comtrade_bulk", "bulk 2021..2022"),
        ("live_comtrade_bulk", "bulk 2024..2024"),
    ]


def test_release_decisions():
    feed = [
        {
            "typeCode": "C",
            "freqCode": "A",
            "classificationCode": "HS",
            "reporterCode": 842,
            "period": "2024",
            "lastUpdated": "2026-03-02T00:00:00Z",
        },
        {
            "typeCode": "C",
            "freqCode": "M",
            "classificationCode": "H6",
            "reporterCode": 156,
            "period": "202501",
            "lastUpdated": "2026-03-03T00:00:00Z",
        },
        {
            "typeCode": "C",
            "freqCode": "A",
            "classificationCode": "HS",
            "reporterCode": 4,
            "period": "2024",
            "lastUpdated": "2026-03-04T00:00:00Z",
        },
        {
            "typeCode": "S",
            "freqCode": "A",
            "classificationCode": "EB",
            "reporterCode": 842,
            "period": "2024",
            "lastUpdated": "2026-03-05T00:00:00Z",
        },
        {
            "typeCode": "C",
            "freqCode": "A",
            "classificationCode": "HS",
            "reporterCode": 842,
            "period": "2023",
            "lastUpdated": "2026-01-01T00:00:00Z",
        },
    ]
    partitions, newest = affected_partitions(feed, "2026-02-01T00:00:00Z", {"842", "156"})
    assert partitions == {"A": ["2024"], "M": ["2025-01-01"]} and newest == "2026-03-05T00:00:00Z"
    assert new_baci_releases(["HS17_V202301", "HS17_V202401"], {"HS17_V202301"}, ()) == (
        ["HS17_V202401"],
        ["HS17_V202401"],
    )
    assert new_baci_releases(["HS17_V202301"], {"HS17_V202301"}, ()) == ([], [])
    assert next_mcs_edition(None, (2024,), datetime(2026, 2, 1, tzinfo=UTC)) == 2025
    assert next_mcs_edition("2026", (2024,), datetime(2026, 2, 1, tzinfo=UTC)) is None


def test_sensors_and_schedules_against_the_replay_server(live_env, monkeypatch):
    from dagster import DagsterInstance, build_schedule_context, build_sensor_context

    from orchestration.live.schedules import comtrade_bulk_yearly_refresh, live_monthly_refresh, live_yearly_refresh
    from orchestration.live.sensors import baci_release_sensor, comtrade_release_sensor, mcs_release_sensor

    state = live_env.server.state
    instance = DagsterInstance.ephemeral()

    state.releases = [
        {
            "typeCode": "C",
            "freqCode": "A",
            "classificationCode": "HS",
            "reporterCode": 842,
            "period": "2023",
            "lastUpdated": "2026-01-10T00:00:00Z",
        }
    ]
    first = comtrade_release_sensor(build_sensor_context(instance=instance))
    assert not first.run_requests and first.cursor == '{"last_seen": "2026-01-10T00:00:00Z"}'
    state.releases.append(
        {
            "typeCode": "C",
            "freqCode": "A",
            "classificationCode": "HS",
            "reporterCode": 842,
            "period": "2024",
            "lastUpdated": "2026-02-10T00:00:00Z",
        }
    )
    second = comtrade_release_sensor(build_sensor_context(instance=instance, cursor=first.cursor))
    request, bulk = second.run_requests  # 842 is a bulk reporter of the default scope: its bulk file too
    assert (request.job_name, request.partition_key) == ("live_annual", "2024")
    assert request.run_config["ops"]["landing__comtrade__api_annual"]["config"]["force_refresh"] is True
    assert (bulk.job_name, bulk.partition_key) == ("live_comtrade_bulk", "2024")
    assert bulk.run_config["ops"]["landing__comtrade__bulk_annual"]["config"]["force_refresh"] is True
    assert state.calls("/data/v1/getLiveUpdate")[-1].headers["ocp-apim-subscription-key"] == live_env.key

    baci = baci_release_sensor(build_sensor_context(instance=instance))
    assert [r.partition_key for r in baci.run_requests] == ["HS17_V202301"]
    assert baci.dynamic_partitions_requests[0].partition_keys == ["HS17_V202201", "HS17_V202301"]

    skipped = mcs_release_sensor(build_sensor_context(instance=instance))
    assert "MCS 2025 not on ScienceBase yet" in skipped.skip_message
    state.usgs_editions = (2023, 2024, 2025)
    mcs = mcs_release_sensor(build_sensor_context(instance=instance))
    assert [r.partition_key for r in mcs.run_requests] == ["2025"] and mcs.cursor == "2025"

    monthly = live_monthly_refresh(
        build_schedule_context(scheduled_execution_time=datetime(2026, 1, 20, 6, tzinfo=UTC))
    )
    assert (monthly.tags[RANGE_START_TAG], monthly.tags[RANGE_END_TAG]) == ("2025-10-01", "2025-12-01")
    assert monthly.run_config["ops"]["landing__census__api_monthly"]["config"]["force_refresh"] is True
    yearly = live_yearly_refresh(build_schedule_context(scheduled_execution_time=datetime(2026, 3, 15, 6, tzinfo=UTC)))
    assert (yearly.tags[RANGE_START_TAG], yearly.tags[RANGE_END_TAG]) == ("2024", "2025")
    april = build_schedule_context(scheduled_execution_time=datetime(2026, 4, 1, 6, tzinfo=UTC))
    bulk_yearly = comtrade_bulk_yearly_refresh(april)
    assert (bulk_yearly.tags[RANGE_START_TAG], bulk_yearly.tags[RANGE_END_TAG]) == ("2024", "2025")
    assert bulk_yearly.run_config["ops"]["landing__comtrade__bulk_annual"]["config"]["force_refresh"] is True
    monkeypatch.delenv("COMTRADE_API_KEY")
    assert "COMTRADE_API_KEY" in comtrade_bulk_yearly_refresh(april).skip_message
