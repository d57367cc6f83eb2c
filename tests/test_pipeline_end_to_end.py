"""The issue's acceptance figures, checked against a recomputation by hand from the raw files."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_warehouse_job

EU27 = {
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL",
    "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE",
}  # fmt: skip


def _china_share_280530_by_hand(data_dir: Path) -> dict[int, float]:
    """US (842) imports (M) of 280530 from China (156) / from World (0), straight from the CSV."""
    china, world = {}, {}
    with open(data_dir / "comtrade/rows_us_china/heavy_ree_trade_data.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if (row["reporterCode"], row["flowCode"], row["cmdCode"]) != ("842", "M", "280530"):
                continue
            year = int(row["refYear"])
            if row["partnerCode"] == "156":
                china[year] = float(row["primaryValue"])
            elif row["partnerCode"] == "0":
                world[year] = float(row["primaryValue"])
    return {year: china[year] / world[year] for year in world}


def test_china_share_of_us_rare_earth_metal_imports_2020_2024(built_warehouse, sample_data_dir):
    expected = _china_share_280530_by_hand(sample_data_dir)
    assert sorted(expected) == [2020, 2021, 2022, 2023, 2024]
    with built_warehouse.published() as con:
        rows = con.execute(
            "select year, china_share, total_import_value_usd, share_basis from marts.import_dependency "
            "where importer_iso3 = 'USA' and hs_code = '280530' and source = 'comtrade' order by year"
        ).fetchall()
    got = {year: share for year, share, _, _ in rows}
    assert got.keys() == expected.keys()
    for year, share in expected.items():
        assert got[year] == pytest.approx(share, rel=1e-12), year
    assert {basis for *_, basis in rows} == {"world_total"}
    # 2023: 21,816,502 of 22,096,375 USD
    assert got[2023] == pytest.approx(21816502 / 22096375)


def _census_concentration_by_hand(data_dir: Path) -> dict[str, tuple[str, float, float]]:
    """HS6 -> (top supplier ISO3, top share, HHI) for US 2024 imports, from the Census CSV.

    The EU group (0003) is one supplier; its member listed beside it (Slovakia) is inside it.
    """
    iso = {}
    with open(data_dir / "census/CensusCountryMapping_FRBAtl_short.csv", newline="", encoding="utf-8-sig") as h:
        for row in csv.DictReader(h):
            if row["CTY_CODE"]:
                iso[row["CTY_CODE"]] = row["ISO3"]
    iso["0003"] = "EUU"
    values: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    with open(data_dir / "census/us_imports_2024_hs10_by_country_chips_rare_earths.csv", newline="") as h:
        for row in csv.DictReader(h):
            values[row["I_COMMODITY"][:6]][iso[row["CTY_CODE"]]] += float(row["CON_VAL_YR"])
    out = {}
    for hs6, by_partner in values.items():
        suppliers = dict(by_partner)
        if "EUU" in suppliers:
            suppliers = {k: v for k, v in suppliers.items() if k not in EU27}
        suppliers = {k: v for k, v in suppliers.items() if v > 0}
        total = sum(suppliers.values())
        top = max(sorted(suppliers), key=lambda k: suppliers[k])
        hhi = sum((100 * v / total) ** 2 for v in suppliers.values())
        out[hs6] = (top, suppliers[top] / total, hhi)
    return out


def test_hhi_and_top_supplier_of_us_chip_and_equipment_imports_2024(built_warehouse, sample_data_dir):
    expected = _census_concentration_by_hand(sample_data_dir)
    with built_warehouse.published() as con:
        rows = con.execute(
            """
            select hs6, top_supplier_iso3, top_supplier_share, hhi, effective_suppliers
            from marts.import_dependency
            where importer_iso3 = 'USA' and year = 2024 and source = 'census'
              and chain = 'semiconductors' and stage in ('chip', 'equipment')
            order by hs6
            """
        ).fetchall()
    assert len(rows) >= 20  # every 8541/8542/8486 subheading in the Census extract
    for hs6, top, share, hhi, effective in rows:
        exp_top, exp_share, exp_hhi = expected[hs6]
        assert top == exp_top, hs6
        assert share == pytest.approx(exp_share, rel=1e-9), hs6
        assert hhi == pytest.approx(exp_hhi, rel=1e-9), hs6
        assert effective == pytest.approx(10000 / exp_hhi, rel=1e-9), hs6
    by_code = {r[0]: r for r in rows}
    assert by_code["854231"][1] == "TWN"  # processors: Taiwan, via Census 5830


def test_unchanged_rerun_lands_nothing_and_duplicates_nothing(built_warehouse, tmp_path, monkeypatch, capsys):
    from orchestration import run_pipeline

    with duckdb.connect(str(built_warehouse.working_path), read_only=True) as con:
        before = con.execute("select count(*) from marts.trade_flows").fetchone()[0]
        loads_before = con.execute("select count(*) from audit.loads").fetchone()[0]
    published = built_warehouse.published_path.stat().st_mtime_ns
    # `make run` again, with nothing changed: every file is already current, and nothing downstream runs
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    assert run_pipeline.main([]) == 0
    out = capsys.readouterr().out
    assert "Nothing changed since the last successful build: dbt, publish and serving skipped." in out, out[-3000:]
    assert built_warehouse.published_path.stat().st_mtime_ns == published
    with duckdb.connect(str(built_warehouse.working_path), read_only=True) as con:
        assert con.execute("select count(*) from marts.trade_flows").fetchone()[0] == before
        assert con.execute("select count(*) from audit.loads").fetchone()[0] == loads_before
        dupes = con.execute(
            "select count(*) from (select _file_path, _row_number from raw.comtrade__v1_records "
            "group by all having count(*) > 1)"
        ).fetchone()[0]
        assert dupes == 0


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rewrite(mirror: Path, sample_data_dir: Path, rel: str, change) -> None:
    """Replace the symlink at `rel` by a changed copy of the real file."""
    target = mirror / rel
    target.unlink()
    target.write_bytes(change((sample_data_dir / rel).read_bytes()))


def test_corrupted_sample_files_fail_clearly_and_keep_the_published_snapshot(
    built_warehouse, sample_data_dir, tmp_path, monkeypatch
):
    """A copy of the data with four files wrong at once, each a different way: a format error
    (Census: a negative value, a garbage country code), a domain error (Comtrade: a reporter code
    that is no Comtrade reporter), a range error (EU CRM: a share of 180%) and byte corruption
    (Taiwan customs: NUL bytes in a line). The run fails naming each file, column and rule, the
    published snapshot stays byte-identical, and with the files fixed the next run loads them."""
    from orchestration import run_pipeline
    from orchestration.run_pipeline import _loads_summary
    from orchestration.settings import get_settings

    mirror = tmp_path / "data"
    for src in sample_data_dir.rglob("*"):
        if src.is_file():
            dst = mirror / src.relative_to(sample_data_dir)
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(src, dst)
    census = "census/us_imports_2024_hs10_by_country_chips_rare_earths.csv"
    lines = (sample_data_dir / census).read_text().splitlines(keepends=True)
    fields = next(csv.reader([lines[7]]))
    fields[1] = "-" + fields[1]  # CON_VAL_YR
    fields[6] = "ABCD"  # CTY_CODE
    lines[7] = ",".join(f'"{f}"' if "," in f else f for f in fields) + "\n"
    _rewrite(mirror, sample_data_dir, census, lambda _: "".join(lines).encode())
    gallium = "comtrade/rows_us_china/gallium_trade_data.csv"
    _rewrite(
        mirror,
        sample_data_dir,
        gallium,
        lambda b: b.replace(b"\nC,A,20200101,2020,52,2020,842,", b"\nC,A,20200101,2020,52,2020,999,", 1),
    )
    eu_crm = "eu_crm/fact_GlobalSupplyShares_and_t.csv"
    _rewrite(mirror, sample_data_dir, eu_crm, lambda b: b.replace(b",0.4%,", b",180%,", 1))
    taiwan = "taiwan_customs/taiwan_exports_by_country_2013_2025.csv"
    _rewrite(mirror, sample_data_dir, taiwan, lambda b: b.replace(b"229171.91", b"2291\x00\x0071.91", 1))

    published = built_warehouse.published_path
    sha_before, mtime_before = _sha(published), published.stat().st_mtime_ns
    with duckdb.connect(str(built_warehouse.working_path), read_only=True) as con:
        raw_before = con.execute("select count(*), max(_load_id) from raw.census__imports_hs10").fetchone()

    started = __import__("time").time()
    monkeypatch.setenv("SAMPLE_DATA_DIR", str(mirror))
    result = run_warehouse_job()
    assert not result.success
    failed = {c.asset_key.path[1]: c.description for c in result.get_asset_check_evaluations() if not c.passed}
    assert set(failed) == {
        "census__imports_hs10", "comtrade__v1_records", "eu_crm__global_supply_shares", "taiwan__exports_by_destination"
    }  # fmt: skip
    message = failed["census__imports_hs10"]
    assert census in message and "expect_column_values_to_match_regex" in message
    assert "CTY_CODE" in message and "'ABCD'" in message
    assert "CON_VAL_YR" in message and f"'-{fields[1].lstrip('-')}'" in message
    assert gallium in failed["comtrade__v1_records"]
    assert (
        "reference:comtrade_reporters failed on column 'reporterCode': 1 rows, e.g. line 2: '999'"
        in failed["comtrade__v1_records"]
    )
    assert (
        "range:percent_0_100 failed on column 'Share': 1 rows, e.g. line 2: '180%'"
        in failed["eu_crm__global_supply_shares"]
    )
    assert (
        f"{taiwan}: rule nul_bytes: NUL byte in a text file at byte offset" in failed["taiwan__exports_by_destination"]
    )
    assert "(line 2)" in failed["taiwan__exports_by_destination"]

    assert _sha(published) == sha_before and published.stat().st_mtime_ns == mtime_before
    with duckdb.connect(str(built_warehouse.working_path), read_only=True) as con:
        assert con.execute("select count(*), max(_load_id) from raw.census__imports_hs10").fetchone() == raw_before
        refused = con.execute(
            "select raw_table, file_path from audit.loads where status = 'rejected' "
            "and landed_at >= to_timestamp(?)::timestamp order by 1",
            [started],
        ).fetchall()
        assert refused == sorted(
            [
                ("census__imports_hs10", census),
                ("comtrade__v1_records", gallium),
                ("eu_crm__global_supply_shares", eu_crm),
                ("taiwan__exports_by_destination", taiwan),
            ]
        )
        quarantined = con.execute("select count(*) from quarantine.census__imports_hs10").fetchone()[0]
        assert quarantined == len(lines) - 1
    # the run's summary lists every rejected load with its reason, in one table
    summary = _loads_summary(get_settings(built_warehouse.layout), started)
    assert "Rejected loads" in summary
    for rel in (census, gallium, eu_crm, taiwan):
        assert rel in summary
    assert "rule nul_bytes" in summary

    # the data fixed again: the next run (`make run`) succeeds, with no clean-up; its files are the
    # current loads, so nothing is rebuilt
    monkeypatch.setenv("SAMPLE_DATA_DIR", str(sample_data_dir))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    shutil.rmtree(mirror)
    assert run_pipeline.main([]) == 0


def test_every_load_was_validated_and_every_dbt_test_passed(built_warehouse):
    checks = built_warehouse.result.get_asset_check_evaluations()
    gx = [c for c in checks if c.check_name == "gx_suite"]
    dbt_tests = [c for c in checks if c.check_name != "gx_suite"]
    assert gx and all(c.passed for c in gx)
    assert len(dbt_tests) >= 100 and all(c.passed for c in dbt_tests)
    with duckdb.connect(str(built_warehouse.working_path), read_only=True) as con:
        unvalidated = con.execute(
            "select count(*) from audit.loads l where status = 'promoted' and not exists "
            "(select 1 from audit.validation_results v where v.load_id = l.load_id)"
        ).fetchone()[0]
        assert unvalidated == 0
        per_load = con.execute(
            "select count(distinct expectation_type || coalesce(column_name, '') || kwargs) = count(*) "
            "from audit.validation_results group by load_id"
        ).fetchall()
        assert all(row[0] for row in per_load)  # one row per expectation per load
