"""The one layout of paths (orchestration/layout.py): every part under WAREHOUSE_DIR, the landing area
movable with LANDING_DIR for the sample raw assets and the live assets alike, and its shell interface."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.assets.raw import source_roots
from orchestration.ingest.registry import raw_table
from orchestration.layout import REPO_ROOT, layout_from_env
from orchestration.live.assets import landing_area
from orchestration.resources import WarehouseResource


def test_every_part_lives_under_the_warehouse_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("LANDING_DIR", raising=False)
    layout = layout_from_env(warehouse_dir=tmp_path, sample_data_dir=tmp_path / "data")
    parts = [getattr(layout, n) for n, v in vars(type(layout)).items() if isinstance(v, property)]
    parts = [p for p in parts if isinstance(p, Path)]
    assert len(parts) >= 12 and all(p.is_relative_to(tmp_path) for p in parts)
    assert len(set(parts)) == len(parts), "two parts of the layout share a path"
    assert layout.published_db.parent == layout.published_dir
    assert layout.dbt_env() == {
        "CHIPCHAIN_DBT_DATABASE": str(layout.working_db),
        "CHIPCHAIN_DBT_SPILL_DIR": str(layout.spill_dir),
        "CHIPCHAIN_DBT_TARGET": "dev",
    }


def test_the_target_selects_the_working_warehouse_and_dbts_output(tmp_path, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_TARGET", "ducklake")
    monkeypatch.delenv("DUCKLAKE_CATALOG", raising=False)
    monkeypatch.delenv("DUCKLAKE_METADATA_SCHEMA", raising=False)
    from orchestration.duckdb_connection import LakeUnavailable, connect_warehouse
    from orchestration.settings import get_settings

    # the paths need no lake settings; opening the lake does
    assert layout_from_env(warehouse_dir=tmp_path).working_db == tmp_path / "warehouse.duckdb"
    with pytest.raises(LakeUnavailable, match="DUCKLAKE_CATALOG"):
        connect_warehouse(get_settings(layout_from_env(warehouse_dir=tmp_path)))
    monkeypatch.setenv("DUCKLAKE_CATALOG", "dbname=lake host=127.0.0.1")
    monkeypatch.setenv("DUCKLAKE_DATA_PATH", "s3://bucket/lake")
    layout = layout_from_env(warehouse_dir=tmp_path)
    assert layout.on_lake and layout.lake_attach == "ducklake:postgres:dbname=lake host=127.0.0.1"
    assert layout.dbt_env() == {
        "CHIPCHAIN_DBT_DATABASE": str(layout.working_db),
        "CHIPCHAIN_DBT_SPILL_DIR": str(layout.spill_dir),
        "CHIPCHAIN_DBT_TARGET": "lake",
        "CHIPCHAIN_DBT_LAKE_ATTACH": "ducklake:postgres:dbname=lake host=127.0.0.1",
        "CHIPCHAIN_DBT_LAKE_DATA_PATH": "s3://bucket/lake/",
        "CHIPCHAIN_DBT_LAKE_METADATA_SCHEMA": "public",
    }
    # a file of the layout (a test's copy of the working database) is always the embedded output
    assert layout.dbt_env(database=tmp_path / "copy.duckdb")["CHIPCHAIN_DBT_TARGET"] == "dev"
    monkeypatch.setenv("WAREHOUSE_TARGET", "sqlite")
    with pytest.raises(ValueError, match="WAREHOUSE_TARGET='sqlite'"):
        layout_from_env(warehouse_dir=tmp_path)


def test_landing_dir_moves_the_landing_area_for_sample_and_live_assets(tmp_path, monkeypatch):
    elsewhere = tmp_path / "big-disk" / "landing"
    elsewhere.mkdir(parents=True)
    monkeypatch.setenv("LANDING_DIR", str(elsewhere))
    resource = WarehouseResource(data_dir=str(tmp_path / "data"), warehouse_dir=str(tmp_path / "warehouse"))
    assert resource.layout().landing_dir == elsewhere
    assert landing_area(resource).root == elsewhere
    # BACI archives the live connector downloaded are found by the sample raw asset in the same place
    assert source_roots(raw_table("baci__trade_flows"), resource) == [tmp_path / "data", elsewhere]


def test_the_shell_reads_the_dbt_variables_and_single_paths(tmp_path):
    env = {**os.environ, "WAREHOUSE_DIR": str(tmp_path / "a dir with spaces")}
    command = [sys.executable, "-m", "orchestration.layout"]
    exported = subprocess.run(
        ["bash", "-c", f'eval "$({" ".join(command)} env)" && echo "$CHIPCHAIN_DBT_DATABASE"'],
        env=env, cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert exported == str(tmp_path / "a dir with spaces" / "warehouse.duckdb")
    paths = subprocess.run([*command, "published_db", "landing_dir"], env=env, cwd=REPO_ROOT,
                           capture_output=True, text=True, check=True).stdout.split("\n")  # fmt: skip
    assert paths[:2] == [str(tmp_path / "a dir with spaces" / "published" / "warehouse.duckdb"),
                         str(tmp_path / "a dir with spaces" / "landing")]  # fmt: skip
    wrong = subprocess.run([*command, "no_such_part"], env=env, cwd=REPO_ROOT, capture_output=True, text=True)
    assert wrong.returncode == 2 and "published_db" in wrong.stderr
