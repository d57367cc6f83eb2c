"""A live partition end to end against the replay server: fetch -> landing area -> GX -> raw -> dbt models.

One warehouse per module (tmp WAREHOUSE_DIR, ephemeral Dagster instance), built by the `live_annual`
job for 2024 with faults injected (429, 500, a timeout, a truncated body). The tests that follow read
it in order: what the first run landed and built, that a second run makes no call, that a revised
figure replaces the old one and leaves it queryable in raw_history and audit.loads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from orchestration.layout import layout_from_env
from tests.connectors.replay_server import Fault, ReplayServer

COMTRADE = ["raw", "comtrade__api_annual"]
CENSUS = ["raw", "census__api_annual"]
BULK = ["raw", "comtrade__bulk_annual"]
# The dbt layer the live path owns (marts.trade_flows unions these two models with the sample's).
LIVE_MODELS = (["intermediate", "int_trade_flows__comtrade_api"], ["intermediate", "int_trade_flows__census_api"])
REVISED_VALUE = 7654321.0


def us_ree_imports_from_china(row: dict) -> bool:
    return (row["reporterCode"], row["partnerCode"], row["flowCode"], row["cmdCode"], row["period"]) == (
        842,
        156,
        "M",
        "280530",
        "2024",
    )


@dataclass
class LiveWarehouse:
    server: ReplayServer
    warehouse_dir: Path
    instance: Any
    defs: Any
    keys: Any  # the asset keys of the first run
    first: Any = None  # its ExecuteInProcessResult
    first_calls: int = 0

    def con(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(layout_from_env(warehouse_dir=self.warehouse_dir).working_db), read_only=True)

    def run(self, keys, *, force: bool = False):
        from dagster import AssetKey

        from orchestration.live.jobs import fetch_run_config, with_fetch

        live = tuple(AssetKey(k) for k in (COMTRADE, CENSUS))
        keys = with_fetch(*keys)
        return self.defs.resolve_job_def("live_annual").execute_in_process(
            instance=self.instance,
            asset_selection=list(keys),
            partition_key="2024",
            run_config=fetch_run_config(tuple(k for k in live if k in keys), force_refresh=force),
            raise_on_error=False,
        )


def materialization(result, key: list[str]) -> dict:
    """Metadata of raw asset `key`, with its fetch asset's (landing/<name>: calls, rows fetched) when it ran."""
    found: dict = {}
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        if list(mat.asset_key.path) in (key, ["landing", key[-1]]):
            found.update({k: getattr(v, "value", v) for k, v in mat.metadata.items()})
    assert found, f"{key} not materialized"
    return found


@pytest.fixture(scope="module")
def live_warehouse(tmp_path_factory, sample_data_dir) -> Iterator[LiveWarehouse]:
    from dagster import AssetKey, AssetSelection, DagsterInstance

    warehouse = tmp_path_factory.mktemp("live_warehouse")
    env = {
        "WAREHOUSE_DIR": str(warehouse),
        "SAMPLE_DATA_DIR": str(sample_data_dir),
        "COMTRADE_MIN_INTERVAL": "0",
        "CENSUS_MIN_INTERVAL": "0",
        "LIVE_BACKOFF_BASE": "0.01",
        "LIVE_BACKOFF_MAX": "0.05",
        "LIVE_READ_TIMEOUT": "1",
        # run only the dbt tests whose models are all in the run (the others' models are not built here)
        "DBT_INDIRECT_SELECTION": "cautious",
    }
    cleared = (
        "LANDING_DIR",
        "CENSUS_API_KEY",
        "LIVE_SCOPE_FILE",
        "LIVE_YEARS",
        "LIVE_MONTHS",
        "LIVE_REPORTERS",
        "LIVE_HS_CODES",
        "LIVE_BULK_REPORTERS",
        "LIVE_MCS_EDITIONS",
    )
    with ReplayServer(sample_data_dir) as server, pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        for name in cleared:
            mp.delenv(name, raising=False)
        for name in ("COMTRADE_API_BASE", "CENSUS_API_BASE", "USGS_BASE", "BACI_BASE"):
            mp.setenv(name, server.url)
        mp.setenv("COMTRADE_API_KEY", server.state.comtrade_key)
        state = server.state
        state.inject("/data/v1/get", Fault("status", 429, retry_after="0"))
        state.inject("/data/v1/get", Fault("status", 500))
        state.inject("/data/v1/get", Fault("truncate", fraction=0.4))
        state.inject("/data/timeseries", Fault("slow", seconds=1.5, query_contains="I_COMMODITY=8542*"))

        from orchestration.definitions import defs
        from orchestration.live.jobs import BACI_ARCHIVES, COMTRADE_BULK, MONTHLY_ASSETS, with_fetch

        # the live models and what they need (bulk files have their own job: see the bulk test below)
        targets = [AssetKey(k) for k in LIVE_MODELS]
        selection = AssetSelection.assets(*targets).upstream() - AssetSelection.assets(
            *with_fetch(*MONTHLY_ASSETS, COMTRADE_BULK), BACI_ARCHIVES
        )
        keys = selection.resolve(defs.resolve_asset_graph())
        lw = LiveWarehouse(server, warehouse, DagsterInstance.ephemeral(), defs, keys)
        lw.first = lw.run(keys)
        lw.first_calls = len(state.calls("/"))
        yield lw


def test_first_run_survives_faults_and_lands_every_row_once(live_warehouse):
    result = live_warehouse.first
    failures = [e.step_key for e in result.all_events if e.is_step_failure]
    assert result.success, failures
    gx = {tuple(c.asset_key.path): c.passed for c in result.get_asset_check_evaluations() if c.check_name == "gx_suite"}
    assert gx[tuple(COMTRADE)] and gx[tuple(CENSUS)]

    comtrade, census = materialization(result, COMTRADE), materialization(result, CENSUS)
    assert comtrade["retries"] == 3 and census["retries"] == 1  # 429, 500, truncated; one timeout
    assert comtrade["calls"] == 2 + 3 and census["calls"] == 30 + 1
    assert (comtrade["rows_fetched"], census["rows_fetched"]) == (49, 1699)
    assert (comtrade["rows_promoted"], census["rows_promoted"]) == (49, 1699)

    with live_warehouse.con() as con:
        grain = (
            "typeCode, freqCode, period, reporterCode, flowCode, partnerCode, partner2Code, "
            "classificationCode, cmdCode, customsCode, motCode"
        )
        total, distinct = con.execute(
            f"select count(*), count(distinct ({grain})) from raw.comtrade__api_annual"
        ).fetchone()
        assert total == distinct == 49
        total, distinct = con.execute(
            'select count(*), count(distinct ("CTY_CODE", "I_COMMODITY", "time")) from raw.census__api_annual'
        ).fetchone()
        assert total == distinct == 1699
        # every raw row traces to a payload file and its sha256 in the landing area
        for path, sha in con.execute(
            "select distinct _file_path, _file_sha256 from raw.comtrade__api_annual"
        ).fetchall():
            landed = layout_from_env(warehouse_dir=live_warehouse.warehouse_dir).landing_dir / path
            assert landed.exists() and __import__("hashlib").sha256(landed.read_bytes()).hexdigest() == sha
        # dbt carried them to the trade_flows grain, values unchanged
        raw_total = con.execute(
            "select sum(primaryValue::double) from raw.comtrade__api_annual "
            "where customsCode = 'C00' and motCode = '0' and partner2Code = '0' and cmdCode <> 'TOTAL'"
        ).fetchone()[0]
        flows, value = con.execute(
            "select count(*), sum(value_usd) from intermediate.int_trade_flows__comtrade_api"
        ).fetchone()
        assert flows == 49 and value == pytest.approx(raw_total)
        census_raw = con.execute('select sum("CON_VAL_YR"::double) from raw.census__api_annual').fetchone()[0]
        census_int = con.execute("select sum(value_usd) from intermediate.int_trade_flows__census_api").fetchone()[0]
        assert census_int == pytest.approx(census_raw)
        usa_chn = con.execute(
            "select value_usd from intermediate.int_trade_flows__comtrade_api where reporter_iso3 = 'USA' "
            "and partner_iso3 = 'CHN' and flow = 'import' and hs_code = '280530' and year = 2024"
        ).fetchall()
        assert len(usa_chn) == 1


def test_second_run_makes_no_call(live_warehouse):
    from dagster import AssetKey

    before = len(live_warehouse.server.state.calls("/"))
    assert before == live_warehouse.first_calls
    result = live_warehouse.run([AssetKey(COMTRADE), AssetKey(CENSUS)])
    assert result.success
    assert len(live_warehouse.server.state.calls("/")) == before
    for key in (COMTRADE, CENSUS):
        meta = materialization(result, key)
        assert meta["calls"] == 0 and meta["payloads_fetched"] == 0 and meta["loads_promoted"] == 0
    with live_warehouse.con() as con:
        assert con.execute("select count(*) from raw.comtrade__api_annual").fetchone()[0] == 49
        assert con.execute("select count(*) from raw_history.comtrade__api_annual").fetchone()[0] == 0


def test_revised_figure_replaces_the_old_one_which_stays_queryable(live_warehouse):
    from dagster import AssetKey

    with live_warehouse.con() as con:
        old_value, old_load = con.execute(
            "select primaryValue, _load_id from raw.comtrade__api_annual where reporterCode = '842' "
            "and partnerCode = '156' and flowCode = 'M' and cmdCode = '280530'"
        ).fetchone()
    live_warehouse.server.state.revise(us_ree_imports_from_china, {"primaryValue": REVISED_VALUE})
    calls_before = len(live_warehouse.server.state.calls("/"))
    result = live_warehouse.run([AssetKey(COMTRADE)], force=True)
    assert result.success
    meta = materialization(result, COMTRADE)
    assert meta["calls"] == 2 and meta["loads_promoted"] == 1  # one payload changed, one came back identical
    assert len(live_warehouse.server.state.calls("/")) == calls_before + 2

    with live_warehouse.con() as con:
        new_value, new_load = con.execute(
            "select primaryValue, _load_id from raw.comtrade__api_annual where reporterCode = '842' "
            "and partnerCode = '156' and flowCode = 'M' and cmdCode = '280530'"
        ).fetchone()
        assert float(new_value) == REVISED_VALUE and new_load != old_load
        assert con.execute("select count(*) from raw.comtrade__api_annual").fetchone()[0] == 49  # replaced, not added
        superseded = con.execute(
            "select primaryValue from raw_history.comtrade__api_annual where _load_id = ? and reporterCode = '842' "
            "and partnerCode = '156' and flowCode = 'M' and cmdCode = '280530'",
            [old_load],
        ).fetchone()
        assert superseded == (old_value,)
        status, by = con.execute(
            "select status, superseded_by from audit.loads where load_id = ?", [old_load]
        ).fetchone()
        assert (status, by) == ("superseded", new_load)
    # the old payload bytes are kept beside the new ones
    history = list((live_warehouse.warehouse_dir / "landing/comtrade/C_A_HS/2024/_history").glob("*.json"))
    assert len(history) == 1


def run_bulk(live_warehouse: LiveWarehouse, *, force: bool = False):
    """The live_comtrade_bulk job for 2024: bulk files of the scope's bulk reporters, then the live models."""
    from dagster import AssetKey

    from orchestration.live.jobs import COMTRADE_BULK, fetch_run_config, with_fetch

    api = with_fetch(AssetKey(COMTRADE), AssetKey(CENSUS))
    keys = [k for k in live_warehouse.keys if k not in api] + list(with_fetch(COMTRADE_BULK))
    return live_warehouse.defs.resolve_job_def("live_comtrade_bulk").execute_in_process(
        instance=live_warehouse.instance,
        asset_selection=keys,
        partition_key="2024",
        run_config=fetch_run_config((COMTRADE_BULK,), force_refresh=force),
        raise_on_error=False,
    )


def test_bulk_files_land_whole_years_and_count_once_beside_the_api_rows(live_warehouse):
    state = live_warehouse.server.state
    served = {r: state.comtrade_select("A", {"reporterCode": r, "period": "2024"}) for r in ("842", "156")}
    state.inject("/bulk/v1/file", Fault("status", 503, retry_after="0"))
    result = run_bulk(live_warehouse)
    assert result.success, [e.step_key for e in result.all_events if e.is_step_failure]
    meta = materialization(result, BULK)
    assert meta["calls"] == 1 + 2 + 1 and meta["retries"] == 1  # listing, two files, one 503
    assert meta["rows_fetched"] == meta["rows_promoted"] == sum(len(v) for v in served.values()) > 49

    with live_warehouse.con() as con:
        per_reporter = dict(
            con.execute('select "reporterCode", count(*) from raw.comtrade__bulk_annual group by 1').fetchall()
        )
        assert per_reporter == {r: len(rows) for r, rows in served.items() if rows}
        assert con.execute('select count(*) from raw.comtrade__bulk_annual where "cifvalue" is not null').fetchone()[0]
        # API records of the bulk reporters are also in their bulk files: one row each, two copies behind it
        on_grain = (
            "customsCode = 'C00' and motCode = '0' and partner2Code = '0' and cmdCode <> 'TOTAL' "
            "and flowCode in ('M', 'X', 'RM', 'RX')"
        )
        api_bulk_reporters, api_others = con.execute(
            "select count(*) filter (where reporterCode in ('842', '156')), "
            f"count(*) filter (where reporterCode not in ('842', '156')) from raw.comtrade__api_annual where {on_grain}"
        ).fetchone()
        bulk = con.execute(f"select count(*) from raw.comtrade__bulk_annual where {on_grain}").fetchone()[0]
        flows = con.execute(
            "select count(*), count(distinct (reporter_source_code, partner_source_code, flow, year, hs_code, "
            "classification_code)), count(*) filter (where source_copies = 2) "
            "from intermediate.int_trade_flows__comtrade_api"
        ).fetchone()
        assert api_bulk_reporters > 0 and flows[2] == api_bulk_reporters
        assert flows[0] == flows[1] == bulk + api_others
        usa_chn = con.execute(
            "select value_usd, collection, source_copies from intermediate.int_trade_flows__comtrade_api "
            "where reporter_iso3 = 'USA' and partner_iso3 = 'CHN' and flow = 'import' and hs_code = '280530'"
        ).fetchall()
        assert usa_chn == [(REVISED_VALUE, "comtrade_bulk_annual", 2)]

    calls = len(state.calls("/"))
    again = run_bulk(live_warehouse)
    assert again.success and len(state.calls("/")) == calls
    assert materialization(again, BULK)["loads_promoted"] == 0


def test_a_payload_failing_its_suite_never_reaches_raw(live_warehouse):
    from dagster import AssetKey

    live_warehouse.server.state.revise(us_ree_imports_from_china, {"primaryValue": -5.0})
    result = live_warehouse.run([AssetKey(COMTRADE)], force=True)
    (check,) = [c for c in result.get_asset_check_evaluations() if c.check_name == "gx_suite"]
    assert not check.passed
    assert "primaryValue" in check.description and "-5.0" in check.description
    with live_warehouse.con() as con:
        value = con.execute(
            "select primaryValue from raw.comtrade__api_annual where reporterCode = '842' "
            "and partnerCode = '156' and flowCode = 'M' and cmdCode = '280530'"
        ).fetchone()[0]
        assert float(value) == REVISED_VALUE  # the last valid figure stays
        assert con.execute("select count(*) from quarantine.comtrade__api_annual").fetchone()[0] > 0
        assert con.execute("select count(*) from audit.loads where status = 'rejected'").fetchone()[0] == 1


def test_monthly_partition_lands_monthly_rows(live_warehouse):
    from dagster import AssetKey

    from orchestration.live.jobs import with_fetch

    keys = with_fetch(AssetKey(["raw", "comtrade__api_monthly"]), AssetKey(["raw", "census__api_monthly"]))
    result = live_warehouse.defs.resolve_job_def("live_monthly").execute_in_process(
        instance=live_warehouse.instance, asset_selection=list(keys), partition_key="2025-01-01", raise_on_error=False
    )
    assert result.success
    assert all(c.passed for c in result.get_asset_check_evaluations() if c.check_name == "gx_suite")
    comtrade = materialization(result, ["raw", "comtrade__api_monthly"])
    census = materialization(result, ["raw", "census__api_monthly"])
    assert census["rows_fetched"] == 0 and census["calls"] == 30  # the sample has no monthly Census file: 204s
    with live_warehouse.con() as con:
        rows = con.execute(
            "select count(*), min(period), max(period), min(refMonth), count(distinct reporterCode) "
            "from raw.comtrade__api_monthly"
        ).fetchone()
    # IC exports to World in January 2025 of the scope's reporters, from the website's monthly export
    assert rows[0] == comtrade["rows_promoted"] > 0 and rows[1:4] == ("202501", "202501", "1")


def test_a_republished_bulk_file_failing_its_suite_never_reaches_raw(live_warehouse):
    """The served figure is now -5 (previous test); Comtrade republishes the file; the last valid rows stay."""
    state = live_warehouse.server.state
    state.bulk_publication_date = "2026-02-01T00:00:00Z"
    result = run_bulk(live_warehouse, force=True)
    (check,) = [c for c in result.get_asset_check_evaluations() if c.asset_key.path == BULK]
    assert not check.passed and "primaryValue" in check.description and "-5.0" in check.description
    with live_warehouse.con() as con:
        value = con.execute(
            "select primaryValue from raw.comtrade__bulk_annual where reporterCode = '842' "
            "and partnerCode = '156' and flowCode = 'M' and cmdCode = '280530'"
        ).fetchone()[0]
        assert float(value) == REVISED_VALUE
        assert con.execute("select count(*) from quarantine.comtrade__bulk_annual").fetchone()[0] > 0


def test_an_mcs_release_replaces_the_samples_copy_in_world_production(live_warehouse):
    """MCS 2024 from ScienceBase (the replay serves the sample's 2024 files, zipped): its world tables
    take the place of the sample's copies of edition 2024; edition 2023 still comes from the sample."""
    from dagster import AssetKey, AssetSelection

    from orchestration.live.jobs import BACI_ARCHIVES, MCS_RELEASE, fetch_run_config

    world = AssetKey(["intermediate", "int_usgs__world_production"])
    keys = (AssetSelection.assets(world).upstream() - AssetSelection.assets(BACI_ARCHIVES)).resolve(
        live_warehouse.defs.resolve_asset_graph()
    )
    result = live_warehouse.defs.resolve_job_def("live_mcs").execute_in_process(
        instance=live_warehouse.instance,
        asset_selection=list(keys),
        partition_key="2024",
        run_config=fetch_run_config((MCS_RELEASE,), force_refresh=False),
        raise_on_error=False,
    )
    assert result.success, [e.step_key for e in result.all_events if e.is_step_failure]
    with live_warehouse.con() as con:
        origins = dict(
            con.execute(
                "select mcs_edition, list(distinct split_part(source_file, '/', 1) order by 1) "
                "from intermediate.int_usgs__world_production where mcs_edition in (2023, 2024) group by 1"
            ).fetchall()
        )
        assert origins == {2023: ["usgs_mcs"], 2024: ["usgs"]}  # landing area: usgs/mcs_release/2024/...
        sample_files = con.execute(
            "select count(distinct _file_path) from raw.usgs__mcs_world_cells where _file_path like 'usgs_mcs/2024/%'"
        ).fetchone()[0]
        release_files = con.execute(
            "select count(distinct source_file) from intermediate.int_usgs__world_production where mcs_edition = 2024"
        ).fetchone()[0]
        assert release_files == sample_files > 0
        # China's rare-earth mine production in 2023 (MCS 2024), now read from the release
        china = con.execute(
            "select value from intermediate.int_usgs__world_production where mcs_edition = 2024 "
            "and commodity_code = 'raree' and iso3 = 'CHN' and measure = 'production' and year = 2023 "
            "and stage = 'mine'"
        ).fetchall()
        assert china == [(240000.0,)]
