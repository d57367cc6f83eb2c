"""BACI archives the live connector downloads into the landing area reach raw through the raw assets."""

from __future__ import annotations

import duckdb
from dagster import materialize

from orchestration.assets.raw import build_raw_asset
from orchestration.ingest.registry import raw_table
from orchestration.resources import WarehouseResource

from .conftest import FLOWS_2021, FLOWS_2022, release_2024, write_archive


def test_archives_in_the_landing_area_are_ingested(tmp_path, baci_reference):
    data_dir, warehouse_dir = tmp_path / "data", tmp_path / "warehouse"
    data_dir.mkdir()
    archive = "baci/archives/HS17_V202401/BACI_HS17_V202401.zip"  # where connectors/baci.py stores it
    resource = WarehouseResource(data_dir=str(data_dir), warehouse_dir=str(warehouse_dir))
    write_archive(resource.layout().landing_dir / archive, release_2024(baci_reference))

    # the flows' suite checks exporters and importers against the archive's own country list
    assets = [build_raw_asset(raw_table("baci__country_codes")), build_raw_asset(raw_table("baci__trade_flows"))]
    result = materialize(assets, resources={"warehouse": resource})
    assert result.success
    assert all(c.passed for c in result.get_asset_check_evaluations())
    with duckdb.connect(str(warehouse_dir / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute("select _file_path, count(*) from raw.baci__trade_flows group by 1 order by 1").fetchall()
    assert rows == [
        (f"{archive}/BACI_HS17_Y2021_V202401.csv", len(FLOWS_2021)),
        (f"{archive}/BACI_HS17_Y2022_V202401.csv", len(FLOWS_2022)),
    ]

    # the same archive again: nothing lands twice
    again = materialize(assets, resources={"warehouse": resource})
    assert again.success
    with duckdb.connect(str(warehouse_dir / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from raw.baci__trade_flows").fetchone()[0] == len(FLOWS_2021) + len(
            FLOWS_2022
        )
