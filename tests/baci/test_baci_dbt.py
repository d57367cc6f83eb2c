"""The BACI dbt path on a small warehouse: units, codes, latest release, import_dependency.

The warehouse holds the real reference tables dbt maps codes with (BACI, Comtrade and Census country
codes, HS nomenclature and correlation) and two BACI archives written by the tests (conftest.py);
the other trade sources are empty. dbt builds everything trade_flows and import_dependency read.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.ingest import ingest_table
from orchestration.ingest.landing import ensure_meta, ensure_raw_table
from orchestration.ingest.registry import SAMPLE_TABLES
from orchestration.layout import REPO_ROOT, layout_from_env
from orchestration.settings import get_settings

from .conftest import release_2023, release_2024, write_archive

REFERENCE_TABLES = (
    "baci__country_codes",
    "baci__product_codes",
    "baci__trade_flows",
    "comtrade__reporters",
    "census__country_codes",
    "hs__nomenclature_2022",
    "hs__concordance",
    "comtrade__hs_codes",
)
SELECT = ["+import_dependency", "+trade_flows", "+dim_country"]


def _dbt(args: list[str], warehouse: Path, target: Path) -> None:
    dbt = Path(sys.executable).parent / "dbt"
    dbt_env = get_settings(layout_from_env(warehouse_dir=warehouse.parent)).dbt_env(database=warehouse)
    env = {**os.environ, **dbt_env, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    done = subprocess.run(
        [str(dbt), *args, "--profiles-dir", ".", "--target-path", str(target), "--log-path", str(target / "logs")],
        cwd=REPO_ROOT / "dbt_project", env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, sample_data_dir, baci_reference) -> Path:
    root = tmp_path_factory.mktemp("baci_dbt")
    data = root / "data"
    data.mkdir()
    for entry in sample_data_dir.iterdir():  # the real sample, linked in place
        if entry.name != "baci":
            (data / entry.name).symlink_to(entry)
    (data / "baci").mkdir()
    (data / "baci" / "reference").symlink_to(sample_data_dir / "baci" / "reference")
    write_archive(data / "baci/archives/HS17_V202401/BACI_HS17_V202401.zip", release_2024(baci_reference))
    write_archive(data / "baci/archives/HS17_V202301/BACI_HS17_V202301.zip", release_2023(baci_reference))

    path = root / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    ensure_meta(con)
    for table in SAMPLE_TABLES:
        if table.name in REFERENCE_TABLES:
            report = ingest_table(con, table, data)
            assert report.ok, report.error_message
        else:
            ensure_raw_table(con, table)  # other sources: present, empty
    con.close()
    # models, seeds and unit tests of the whole lineage; then every data test on the BACI models
    _dbt(["build", "--select", *SELECT, "--exclude", "test_type:data", "--quiet"], path, root / "target")
    _dbt(["test", "--select", "stg_baci__trade_flows", "int_trade_flows__baci", "stg_baci__product_codes",
          "stg_baci__country_codes", "source:raw_baci", "--quiet"], path, root / "target")  # fmt: skip
    return path


@pytest.fixture
def db(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con
    con.close()


def test_values_in_usd_and_kg_with_codes_restored(db):
    rows = db.execute(
        """
        select reporter_iso3, partner_iso3, hs_code, value_usd, net_weight_kg, fob_value_usd, hs_vintage,
               classification_code, flow, period_type, partner_is_aggregate
        from marts.trade_flows where source = 'baci' and year = 2022 order by value_usd desc
        """
    ).fetchall()
    assert rows == [
        ("USA", "TWN", "854231", 2_000_000.0, 3_250.0, 2_000_000.0, "HS2017", "HS17", "import", "annual", False),
        ("USA", "CHN", "854231", 1_234_567.0, 12_500.0, 1_234_567.0, "HS2017", "HS17", "import", "annual", False),
        ("USA", "JPN", "854231", 765_433.0, None, 765_433.0, "HS2017", "HS17", "import", "annual", False),
        ("CHN", "USA", "010121", 55_500.0, None, 55_500.0, "HS2017", "HS17", "import", "annual", False),
        ("USA", "UNS", "811292", 10_000.0, 500.0, 10_000.0, "HS2017", "HS17", "import", "annual", False),
        ("JPN", "CHN", "280530", 7_000.0, None, 7_000.0, "HS2017", "HS17", "import", "annual", False),
        ("CHN", "TWN", "854231", 1.0, None, 1.0, "HS2017", "HS17", "import", "annual", False),
    ]
    chain = db.execute(
        "select chain from marts.trade_flows where source = 'baci' and hs_code = '854231' limit 1"
    ).fetchone()
    assert chain == ("semiconductors",)


def test_only_the_latest_release_of_a_year_is_read(db):
    rows = db.execute(
        "select partner_iso3, value_usd, collection from marts.trade_flows "
        "where source = 'baci' and year = 2021 order by partner_iso3"
    ).fetchall()
    # V202301's 2021 (CHN 850, KOR 90, JPN 40 thousand) is superseded by V202401's (CHN 900, KOR 100)
    assert rows == [("CHN", 900_000.0, "baci_hs17_v202401"), ("KOR", 100_000.0, "baci_hs17_v202401")]
    in_raw = db.execute("select count(distinct _file_path) from raw.baci__trade_flows").fetchone()
    assert in_raw == (3,)  # the older release stays queryable in raw


def test_import_dependency_on_baci_rows(db):
    row = db.execute(
        """
        select total_import_value_usd, world_value_usd, share_basis, supplier_count, top_supplier_iso3,
               round(top_supplier_share, 6), round(china_share, 6), round(hhi, 2), supplier_coverage
        from marts.import_dependency
        where source = 'baci' and importer_iso3 = 'USA' and hs_code = '854231' and year = 2022
        """
    ).fetchone()
    total = 2_000_000 + 1_234_567 + 765_433
    shares = [2_000_000 / total, 1_234_567 / total, 765_433 / total]
    assert row == (
        total, None, "itemised_partners", 3, "TWN", round(shares[0], 6), round(shares[1], 6),
        round(sum((100 * s) ** 2 for s in shares), 2), 1.0,
    )  # fmt: skip
    # an unspecified partner (697 'Europe EFTA, nes') is in the total but is no supplier
    unspecified = db.execute(
        "select total_import_value_usd, supplier_count, hhi from marts.import_dependency "
        "where source = 'baci' and importer_iso3 = 'USA' and hs_code = '811292' and year = 2022"
    ).fetchone()
    assert unspecified == (10_000.0, 0, None)


def test_country_codes_of_both_layouts(db):
    rows = db.execute(
        "select baci_code, iso3, country_name_full, baci_release from staging.stg_baci__country_codes "
        "where baci_code in (490, 842) order by 1"
    ).fetchall()
    # V202401 (no full name) is the latest release; the full name comes from V202301
    assert rows == [
        (490, "TWN", "Taiwan", "202401"),
        (842, "USA", "USA, Puerto Rico and US Virgin Islands", "202401"),
    ]
    editions = db.execute(
        "select hs_vintage, count(*), max(baci_release) from staging.stg_baci__product_codes group by 1"
    ).fetchall()
    assert editions == [("HS2017", 5384, "202401")]
