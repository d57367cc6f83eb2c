"""scripts/generate_baci.py: a BACI-format archive with the requested rows, real codes and heavy tails."""

from __future__ import annotations

import csv
import importlib.util
import io
import zipfile

import duckdb
import pytest

from orchestration.layout import REPO_ROOT


@pytest.fixture(scope="module")
def generate():
    spec = importlib.util.spec_from_file_location("generate_baci", REPO_ROOT / "scripts" / "generate_baci.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate


def test_archive_has_the_rows_format_and_skew_asked_for(tmp_path, generate, sample_data_dir, baci_reference):
    out = tmp_path / "BACI_HS17_V202401.zip"
    stats = generate(out, 60_000, data_dir=sample_data_dir, years=2, exporters=60, importers=60, products=400)
    assert stats["rows"] == 60_000
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == [
            "BACI_HS17_Y2021_V202401.csv", "BACI_HS17_Y2022_V202401.csv", "Readme_HS17_V202401.txt",
            "country_codes_V202401.csv", "product_codes_HS17_V202401.csv",
        ]  # fmt: skip
        for name in ("BACI_HS17_Y2021_V202401.csv", "BACI_HS17_Y2022_V202401.csv"):
            (tmp_path / name).write_bytes(zf.read(name))
        assert zf.read("country_codes_V202401.csv").startswith(b"country_code,country_name,country_iso2,country_iso3\n")
    real_countries = {int(r["country_code"]) for r in baci_reference.country_rows}
    real_products = {int(r["code"]) for r in csv.DictReader(io.StringIO(baci_reference.product_file.decode()))}

    con = duckdb.connect()
    con.execute(
        f"create table f as select * from read_csv('{tmp_path}/BACI_HS17_Y*.csv', header=true, nullstr='NA', "
        "columns={'t': 'INTEGER', 'i': 'INTEGER', 'j': 'INTEGER', 'k': 'INTEGER', 'v': 'DOUBLE', 'q': 'DOUBLE'})"
    )
    n, keys, years, exporters, importers, products, q_na, self_flows, min_v = con.execute(
        "select count(*), count(distinct (t, i, j, k)), count(distinct t), count(distinct i), count(distinct j), "
        "count(distinct k), count(*) filter (where q is null), count(*) filter (where i = j), min(v) from f"
    ).fetchone()
    assert (n, keys, years) == (60_000, 60_000, 2)  # unique on the BACI grain
    assert exporters == 60 and importers == 60 and products <= 400 and self_flows == 0 and min_v >= 0.001
    assert 0.03 < q_na / n < 0.07  # about 5% of quantities are NA
    codes = con.execute("select list(distinct i), list(distinct k) from f").fetchone()
    assert set(codes[0]) <= real_countries and set(codes[1]) <= real_products
    assert any(k < 100_000 for k in codes[1])  # HS chapters 01-09: written without the leading zero

    # heavy tails: a few exporters and a few flows carry most of the value, as in real trade
    top_exporters, top_flows = con.execute(
        """
        select
            (select sum(v) from (select sum(v) as v from f group by i order by v desc limit 6)) / sum(v),
            (select sum(v) from (select v from f order by v desc limit 600)) / sum(v)
        from f
        """
    ).fetchone()
    assert top_exporters > 0.4  # the top 10% of exporters sell over 40% (4x an even spread)
    assert top_flows > 0.3  # the top 1% of flows carry more than 30% of the value
