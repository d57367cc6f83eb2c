"""The China side of the trade war, checked against figures recomputed from the raw sample files
(Comtrade CSVs read directly) and from DOMAIN.md's policy timeline."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

TAXONOMY = Path(__file__).parents[2] / "dbt_project/seeds/supply_chain_taxonomy.csv"

# DOMAIN.md: the general additional rate each side charges on all goods of the other, per named regime
# (US: IEEPA fentanyl + reciprocal on China; China: its answer on all US goods).
GENERAL_RATES = {
    "baseline_2024": (0.0, 0.0),
    "peak_2025_04_12": (1.45, 1.25),
    "geneva_truce_2025_05_14": (0.30, 0.10),
    "busan_deal_2025_11_10": (0.20, 0.10),
    "truce_lapse_2026_11_11": (0.44, 0.34),  # scenario: 34% reciprocal + 10% fentanyl / China's 34%
}


def rare_earth_codes() -> set[str]:
    """The taxonomy's rare-earth HS6 codes plus heading 2846, whose subheadings are all rare-earth."""
    with open(TAXONOMY, newline="") as handle:
        codes = {r["hs6"] for r in csv.DictReader(handle) if r["chain"] == "rare_earths"}
    return codes | {"2846"}


def china_imports_from_us(data_dir: Path, year: str, codes: set[str]) -> dict[str, float]:
    """China's (156) imports from the US (842) by code, from the Comtrade rows; files repeat records."""
    found: dict[str, set[float]] = {}
    for path in sorted((data_dir / "comtrade/rows_us_china").glob("*.csv")):
        with open(path, newline="") as handle:
            for r in csv.DictReader(handle):
                flow = (r["reporterCode"], r["partnerCode"], r["flowCode"], r["freqCode"], r["refYear"])
                if (
                    flow == ("156", "842", "M", "A", year)
                    and (r["customsCode"], r["motCode"], r["partner2Code"]) == ("C00", "0", "0")
                    and r["cmdCode"] in codes
                ):
                    found.setdefault(r["cmdCode"], set()).add(float(r["primaryValue"]))
    assert all(len(v) == 1 for v in found.values()), found
    values = {code: v.pop() for code, v in found.items()}
    # a subheading whose heading is reported is inside it
    return {c: v for c, v in values.items() if not (len(c) == 6 and c[:4] in values)}


def test_chinas_duty_on_us_rare_earth_goods_under_each_regime(marts, sample_data_dir):
    imports = china_imports_from_us(sample_data_dir, "2024", rare_earth_codes())
    assert set(imports) >= {"280530", "2846"}
    total = sum(imports.values())
    rows = dict(
        (r[0], r[1:])
        for r in marts.execute(
            """
            select regime, sum(china_imports_from_us_usd), sum(china_duty_usd), bool_or(china_rate_is_lower_bound)
            from marts.tariff_duties_both_sides
            where chain = 'rare_earths' and year = 2024
            group by regime
            """
        ).fetchall()
    )
    for regime, (_, china_rate) in GENERAL_RATES.items():
        value, duty, lower_bound = rows[regime]
        assert value == pytest.approx(total, rel=1e-12), regime
        # no rare-earth line has a known Chinese MFN rate here: the duty is the additional tariff alone
        assert duty == pytest.approx(total * china_rate, rel=1e-9, abs=1e-6), regime
        assert lower_bound
    basis = marts.execute(
        "select distinct preferred_basis from marts.china_tariff_exposure "
        "where chain = 'rare_earths' and year = 2024 and counted_in_totals and value_at_risk_usd is not null"
    ).fetchall()
    assert basis == [("china_imports",)]


def test_each_side_general_rate_reads_one_row_per_regime(marts):
    got = dict(
        (r[0], (r[1], r[2]))
        for r in marts.execute(
            "select distinct regime, us_general_additional_rate, china_general_additional_rate "
            "from marts.tariff_duties_both_sides"
        ).fetchall()
    )
    for regime, rates in GENERAL_RATES.items():
        assert got[regime] == pytest.approx(rates, abs=1e-9), regime


def test_chip_lines_without_a_china_leg_say_so(marts):
    """The offline sample has no US-China flow of chips in either direction (only US imports)."""
    rows = marts.execute(
        "select distinct missing_leg, value_at_risk_usd from marts.china_tariff_exposure "
        "where chain = 'semiconductors' and stage = 'chip'"
    ).fetchall()
    assert rows == [("both", None)]
    lines = marts.execute(
        "select china_lines_with_value, china_lines_without_value, china_duty_usd, us_duty_usd > 0 "
        "from marts.tariff_duties_both_sides where regime = 'peak_2025_04_12' and year = 2024 "
        "and chain = 'semiconductors' and stage = 'chip'"
    ).fetchone()
    assert lines[0] == 0 and lines[1] > 0 and lines[2] is None and lines[3]


def test_analog_ic_probe_has_its_scope_status_and_decision_dates(marts):
    rows = marts.execute(
        "select distinct hs_code, supplier_iso3, missing_leg, initiated_on::varchar, decision_due::varchar, "
        "decision_due_extended::varchar, status_on_as_of_date in ('under_investigation', 'ended') "
        "from marts.trade_remedy_exposure where event_id = 'cn_2025_09_13_analog_ic_antidumping'"
    ).fetchall()
    assert rows == [("854239", "USA", "both", "2025-09-13", "2026-09-13", "2027-03-13", True)]
    years = marts.execute(
        "select list(distinct year order by year) from marts.trade_remedy_exposure "
        "where event_id = 'cn_2025_09_13_analog_ic_antidumping'"
    ).fetchone()[0]
    assert years == [2020, 2021, 2022, 2023, 2024]
