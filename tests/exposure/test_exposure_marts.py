"""Headline figures of the exposure marts, checked against the same figures recomputed here from
the raw sample files (CSV read directly, never through the warehouse)."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from tests.exposure.conftest import CENSUS_CHINA, CENSUS_EU_GROUP, CENSUS_TAIWAN, census_eu_members

CENSUS_FILE = "census/us_imports_2024_hs10_by_country_chips_rare_earths.csv"


def _census_rows(data_dir: Path) -> list[dict[str, str]]:
    with open(data_dir / CENSUS_FILE, newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["time"] == "2024-12"]


def test_china_share_of_world_rare_earth_mine_production(marts, raw, sample_data_dir):
    path = sample_data_dir / "usgs_mcs/2025_rare_earths_transcribed/mcs2025_raree_world_mine_production_reserves.csv"
    query = "select country, prod_t_est_2024 from read_csv(?, all_varchar=true)"
    cells = dict(raw.execute(query, [str(path)]).fetchall())
    expected = float(cells["China"]) / float(cells["World total (rounded)"])  # 270,000 t of 390,000 t
    got = marts.execute(
        """
        select share, world_total, top_producer, is_latest_edition
        from marts.production_concentration
        where source = 'usgs_mcs' and commodity = 'raree' and stage = 'mine' and edition = 2025
          and year = 2024 and producer = 'CHN'
        """
    ).fetchall()
    assert len(got) == 1
    share, world_total, top_producer, latest = got[0]
    assert share == pytest.approx(expected, rel=1e-9)
    assert share == pytest.approx(0.6923, abs=1e-4)
    assert world_total == 390000 and top_producer == "CHN" and latest


def test_withheld_and_unavailable_cells_stay_unknown_not_zero(marts, raw, sample_data_dir):
    """MCS 2024 germanium: the US is 'W' (withheld), China 'NA': neither becomes a zero share."""
    path = sample_data_dir / "usgs_mcs/2024/world/mcs2024-germa_world.csv"
    if not path.exists():
        path = next((sample_data_dir / "usgs_mcs/2024").rglob("mcs2024-germa_world.csv"))
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    raw_cells = {line.split(",")[1].strip() for line in text.splitlines()[1:] if line.count(",") > 3}
    assert any("United States" in c for c in raw_cells)
    rows = marts.execute(
        """
        select producer, value_as_published, value_flag, value, share, share_lower_bound, share_upper_bound
        from marts.production_concentration
        where source = 'usgs_mcs' and commodity = 'germa' and edition = 2024 and year = 2023
          and producer in ('USA', 'CHN')
        order by producer
        """
    ).fetchall()
    by_producer = {r[0]: r[1:] for r in rows}
    assert by_producer["USA"][:2] == ("W", "withheld")
    assert by_producer["CHN"][:2] == ("NA", "not_available")
    for producer in ("USA", "CHN"):
        _, _, value, share, _, _ = by_producer[producer]
        assert value is None and share is None


def test_china_share_of_us_magnet_imports(marts, sample_data_dir):
    """HS 850511, US imports for consumption 2024 (Census): the EU group is one supplier and its
    members listed beside it are inside it."""
    members = census_eu_members(sample_data_dir)
    by_partner: dict[str, float] = defaultdict(float)
    for row in _census_rows(sample_data_dir):
        if row["I_COMMODITY"].startswith("850511"):
            by_partner[row["CTY_CODE"]] += float(row["CON_VAL_YR"])
    if CENSUS_EU_GROUP in by_partner:
        by_partner = {k: v for k, v in by_partner.items() if k not in members}
    total = sum(by_partner.values())
    china_share = by_partner[CENSUS_CHINA] / total
    hhi = sum((100 * v / total) ** 2 for v in by_partner.values() if v > 0)
    got = marts.execute(
        """
        select china_share, hhi, top_supplier_iso3, total_import_value_usd, exceeds_crma_single_country_benchmark
        from marts.supply_chain_exposure
        where importer_iso3 = 'USA' and chain = 'rare_earths' and stage = 'magnet' and year = 2024
          and source = 'census'
        """
    ).fetchone()
    assert got[0] == pytest.approx(china_share, rel=1e-9)
    assert got[1] == pytest.approx(hhi, rel=1e-9)
    assert got[2] == "CHN"
    assert got[3] == pytest.approx(total, rel=1e-12)
    assert got[4] is (china_share > 0.65)


# DOMAIN.md policy timeline, for goods of China: IEEPA fentanyl and reciprocal rates on each
# regime date, and the Section 301 rule from 2025-01-01 (8541/8542 chips -> 50%).
REGIMES = {
    "baseline_2024": (date(2024, 12, 31), 0.00, 0.00),
    "peak_2025_04_12": (date(2025, 4, 12), 0.20, 1.25),
    "geneva_truce_2025_05_14": (date(2025, 5, 14), 0.20, 0.10),
    "busan_deal_2025_11_10": (date(2025, 11, 10), 0.10, 0.10),
}


def _section_301_rate(rows: list[dict[str, str]], hts8: str, on: date) -> float:
    """The Section 301 action in force on `on` that started last (actions replace each other)."""
    candidates = []
    for row in rows:
        start = date.fromisoformat(row["effective_start"])
        end = date.fromisoformat(row["effective_end"]) if row["effective_end"] else date.max
        if row["hts_8digit"] == hts8 and start <= on <= end:
            candidates.append((start, 0.0 if row["role"] == "exclude" else float(row["duty_rate"])))
    if hts8[:4] in ("8541", "8542") and on >= date(2025, 1, 1):
        candidates.append((date(2025, 1, 1), 0.50))
    return max(candidates)[1] if candidates else 0.0


def test_duty_on_us_chip_imports_from_china_under_each_regime(marts, sample_data_dir):
    data = sample_data_dir / "tariffs/us"
    with open(data / "section_301_rates_temporal.csv", newline="") as handle:
        s301 = [r for r in csv.DictReader(handle) if r["hts_8digit"][:4] in ("8541", "8542")]
    with open(data / "mfn_base_rates_8digit.csv", newline="") as handle:
        mfn = {r["hts_8digit"]: float(r["general_ad_valorem_rate"] or 0) for r in csv.DictReader(handle)}
    with open(data / "annex_ii_exemptions.csv", newline="") as handle:
        annex = [
            (r["hts_prefix"].replace(".", ""), date.fromisoformat(r["effective_date"])) for r in csv.DictReader(handle)
        ]
    chips = [
        r for r in _census_rows(sample_data_dir)
        if r["CTY_CODE"] == CENSUS_CHINA and r["I_COMMODITY"][:4] in ("8541", "8542")
    ]  # fmt: skip
    value = sum(float(r["CON_VAL_YR"]) for r in chips)
    expected = {}
    for regime, (on, fentanyl, reciprocal) in REGIMES.items():
        duty = 0.0
        for r in chips:
            hs10, hts8 = r["I_COMMODITY"], r["I_COMMODITY"][:8]
            exempt = any(hs10.startswith(p) and on >= start for p, start in annex)
            rate = mfn.get(hts8, 0.0) + _section_301_rate(s301, hts8, on) + fentanyl + (0.0 if exempt else reciprocal)
            duty += float(r["CON_VAL_YR"]) * rate
        expected[regime] = duty
    got = dict(
        marts.execute(
            """
            select regime, sum(implied_duty_usd)
            from marts.tariff_exposure
            where partner_iso3 = 'CHN' and chain = 'semiconductors' and stage = 'chip'
            group by regime
            """
        ).fetchall()
    )
    priced = marts.execute(
        "select sum(import_value_usd) from marts.tariff_exposure where partner_iso3 = 'CHN' "
        "and chain = 'semiconductors' and stage = 'chip' and regime = 'baseline_2024'"
    ).fetchone()[0]
    assert priced == pytest.approx(value, rel=1e-12)
    for regime, duty in expected.items():
        assert got[regime] == pytest.approx(duty, rel=1e-9), regime
    # chips are in Annex II: the April 2025 reciprocal peak does not reach them
    assert got["peak_2025_04_12"] == pytest.approx(got["geneva_truce_2025_05_14"], rel=1e-12)
    assert got["busan_deal_2025_11_10"] < got["peak_2025_04_12"]


def test_taiwan_customs_vs_us_imports_mirror_gap(marts, raw, sample_data_dir):
    """HS 8542 in 2024: Taiwan's exports to the US (美國) against US imports from Taiwan."""
    taiwan = sample_data_dir / "taiwan_customs/taiwan_exports_by_country_2013_2025.csv"
    exports = raw.execute(
        """
        select sum(cast("Export Value (USD)" as double))
        from read_csv(?, all_varchar=true)
        where "Year" = '2024' and "Country" = '美國' and "HS Code" like '8542%'
        """,
        [str(taiwan)],
    ).fetchone()[0]
    imports = sum(
        float(r["CON_VAL_YR"])
        for r in _census_rows(sample_data_dir)
        if r["CTY_CODE"] == CENSUS_TAIWAN and r["I_COMMODITY"].startswith("8542")
    )
    got = marts.execute(
        """
        select import_value_usd, export_value_usd, mirror_ratio, mirror_gap_usd, is_taiwan_customs_pair
        from marts.mirror_gaps
        where importer_iso3 = 'USA' and exporter_iso3 = 'TWN' and hs_code = '8542' and year = 2024
          and import_source = 'census' and export_source = 'taiwan_customs'
        """
    ).fetchone()
    assert got[0] == pytest.approx(imports, rel=1e-12)
    assert got[1] == pytest.approx(exports, rel=1e-9)
    assert got[2] == pytest.approx(imports / exports, rel=1e-9)
    assert got[3] == pytest.approx(imports - exports, rel=1e-9)
    assert got[4] is True


def test_unit_value_of_us_rare_earth_metal_imports_from_china(marts, sample_data_dir):
    expected = {}
    with open(sample_data_dir / "comtrade/rows_us_china/heavy_ree_trade_data.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            key = (row["reporterCode"], row["flowCode"], row["partnerCode"], row["cmdCode"])
            if key == ("842", "M", "156", "280530"):
                expected[int(row["refYear"])] = float(row["primaryValue"]) / float(row["netWgt"])
    rows = marts.execute(
        """
        select year, unit_value_usd_per_kg, unit_value_change_yoy
        from marts.unit_values
        where source = 'comtrade' and reporter_iso3 = 'USA' and partner_iso3 = 'CHN' and flow = 'import'
          and product = '280530' and period_type = 'annual'
        order by year
        """
    ).fetchall()
    got = {year: uv for year, uv, _ in rows}
    assert got.keys() == expected.keys()
    for year, uv in expected.items():
        assert got[year] == pytest.approx(uv, rel=1e-9), year
    changes = {year: change for year, _, change in rows}
    assert changes[2024] == pytest.approx(expected[2024] / expected[2023] - 1, rel=1e-9)


def test_china_share_of_global_gallium_processing_eu_crm(marts, raw, sample_data_dir):
    path = sample_data_dir / "eu_crm/fact_GlobalSupplyShares_and_t.csv"
    share_text = raw.execute(
        "select Share from read_csv(?, all_varchar=true, encoding='latin-1') "
        "where Material = 'Gallium' and Stage = 'P' and Country = 'China'",
        [str(path)],
    ).fetchone()[0]
    expected = float(share_text.rstrip("%")) / 100  # '93.8%'
    got = marts.execute(
        """
        select share, exceeds_crma_single_country_benchmark
        from marts.production_concentration
        where source = 'eu_crm' and supply_scope = 'world_supply' and commodity = 'Gallium'
          and stage = 'refinery' and producer = 'CHN'
        """
    ).fetchone()
    assert got[0] == pytest.approx(expected, rel=1e-9)
    assert got[1] is True


def test_export_control_exposure_of_us_gallium_germanium_imports(marts, sample_data_dir):
    """US imports of 811292 from China in 2024 under China's 2023 gallium/germanium licensing."""
    expected = sum(
        float(r["CON_VAL_YR"])
        for r in _census_rows(sample_data_dir)
        if r["CTY_CODE"] == CENSUS_CHINA and r["I_COMMODITY"].startswith("811292")
    )
    got = marts.execute(
        """
        select import_value_usd, status_at_year_end, days_in_force_in_year
        from marts.export_control_exposure
        where event_id = 'cn_2023_08_01_gallium_germanium' and importer_iso3 = 'USA' and hs_code = '811292'
          and year = 2024 and source = 'census'
        """
    ).fetchone()
    assert got[0] == pytest.approx(expected, rel=1e-12)
    assert got[1:] == ("in_force", 366)
