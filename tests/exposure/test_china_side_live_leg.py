"""A leg the offline sample lacks, fetched live: the China-side mart says it is missing, then shows it.

The warehouse is built from the real sample seen through a farm of symlinks that leaves out the two
Comtrade files holding the US-China rare-earth-metal flows (comtrade/rows_us_china heavy_ree and
light_ree), so `china_tariff_exposure` has neither leg of HS 280530. The `live_annual` job for 2024
then fetches Comtrade reporters 156 and 842 from the replay server, which serves those same real rows
in the API's wire format, and the rebuilt mart carries both legs with their live basis.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from tests.connectors.replay_server import ReplayServer

LEFT_OUT = {"heavy_ree_trade_data.csv", "light_ree_trade_data.csv"}
MART = ["marts", "china_tariff_exposure"]
COMTRADE = ["raw", "comtrade__api_annual"]


def symlink_farm(source: Path, target: Path) -> Path:
    """The sample as symlinks (nothing copied), without the files in LEFT_OUT."""
    target.mkdir()
    for entry in source.iterdir():
        if entry.name == "comtrade":
            for sub in entry.iterdir():
                if sub.name == "rows_us_china":
                    (target / "comtrade" / sub.name).mkdir(parents=True)
                    for f in sub.iterdir():
                        if f.name not in LEFT_OUT:
                            (target / "comtrade" / sub.name / f.name).symlink_to(f)
                else:
                    (target / "comtrade").mkdir(exist_ok=True)
                    (target / "comtrade" / sub.name).symlink_to(sub)
        else:
            (target / entry.name).symlink_to(entry)
    return target


def comtrade_value(data_dir: Path, reporter: str, partner: str, flow: str) -> float:
    """The 2024 HS 280530 record of the left-out files, read from the CSV (both files hold it)."""
    values = set()
    for name in LEFT_OUT:
        with open(data_dir / "comtrade/rows_us_china" / name, newline="") as handle:
            for r in csv.DictReader(handle):
                key = (r["reporterCode"], r["partnerCode"], r["flowCode"], r["cmdCode"], r["period"])
                on_grain = (r["customsCode"], r["motCode"], r["partner2Code"]) == ("C00", "0", "0")
                if key == (reporter, partner, flow, "280530", "2024") and on_grain:
                    values.add(float(r["primaryValue"]))
    (value,) = values
    return value


def rare_earth_metal_row(warehouse: Path) -> tuple:
    with duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(
            "select china_reported_imports_usd, china_imports_basis, us_reported_exports_usd, us_exports_basis, "
            "missing_leg, value_at_risk_usd, implied_duty_usd from marts.china_tariff_exposure "
            "where regime = 'peak_2025_04_12' and hs_code = '280530' and year = 2024"
        ).fetchone()


def test_missing_china_leg_appears_from_a_replayed_live_payload(tmp_path, sample_data_dir, monkeypatch):
    from dagster import AssetKey, AssetSelection, DagsterInstance

    farm = symlink_farm(sample_data_dir, tmp_path / "sample")
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    for name, value in {
        "WAREHOUSE_DIR": str(warehouse),
        "SAMPLE_DATA_DIR": str(farm),
        "DBT_INDIRECT_SELECTION": "cautious",
        "COMTRADE_MIN_INTERVAL": "0",
        "LIVE_YEARS": "2024",
        "LIVE_REPORTERS": "156,842",
        "LIVE_HS_CODES": "280530",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("LANDING_DIR", "LIVE_SCOPE_FILE", "CHIPCHAIN_PG_URL"):
        monkeypatch.delenv(name, raising=False)

    from orchestration.definitions import defs
    from orchestration.live.jobs import fetch_run_config, with_fetch

    graph = defs.resolve_asset_graph()
    instance = DagsterInstance.ephemeral()
    offline = AssetSelection.assets(AssetKey(MART)).upstream() - AssetSelection.groups("live")
    first = defs.resolve_job_def("warehouse").execute_in_process(
        instance=instance, asset_selection=list(offline.resolve(graph)), raise_on_error=False
    )
    assert first.success, [e.step_key for e in first.all_events if e.is_step_failure]
    china, china_basis, us, us_basis, missing, at_risk, duty = rare_earth_metal_row(warehouse)
    assert (china, us, missing, at_risk, duty) == (None, None, "both", None, None)

    with ReplayServer(sample_data_dir) as server:
        monkeypatch.setenv("COMTRADE_API_BASE", server.url)
        monkeypatch.setenv("COMTRADE_API_KEY", server.state.comtrade_key)
        live = AssetSelection.assets(*with_fetch(AssetKey(COMTRADE)))
        keys = (live | (live.downstream() & AssetSelection.assets(AssetKey(MART)).upstream())).resolve(graph)
        second = defs.resolve_job_def("live_annual").execute_in_process(
            instance=instance,
            asset_selection=list(keys),
            partition_key="2024",
            run_config=fetch_run_config((AssetKey(COMTRADE),), force_refresh=False),
            raise_on_error=False,
        )
    assert second.success, [e.step_key for e in second.all_events if e.is_step_failure]
    china, china_basis, us, us_basis, missing, at_risk, duty = rare_earth_metal_row(warehouse)
    assert china == pytest.approx(comtrade_value(sample_data_dir, "156", "842", "M"), rel=1e-12)
    assert us == pytest.approx(comtrade_value(sample_data_dir, "842", "156", "X"), rel=1e-12)
    live = "comtrade_api:comtrade_api_annual"
    assert (china_basis, us_basis, missing) == (live, live, None)
    # China's own import figure is the duty base; at the April 2025 peak China charged 125% (MFN unknown)
    assert at_risk == china and duty == pytest.approx(china * 1.25, rel=1e-12)
