"""The same warehouse on the DuckLake target (WAREHOUSE_TARGET=ducklake): the whole sample pipeline
on a lake whose catalog is in PostgreSQL and whose files are on a local S3 store (SeaweedFS), published
from the lake's snapshot; readers on that snapshot; a catalog that is down named as such.

The lake's services come from `make lake` (scripts/lake.sh, which `.ci/run` starts): on CI their
absence fails these tests instead of skipping them. Each module run gets a lake of its own (a fresh
metadata schema in the catalog database and a fresh prefix in the bucket).
"""

from __future__ import annotations

import importlib.util
import os
import uuid

import duckdb
import pytest

from orchestration.layout import REPO_ROOT, layout_from_env
from tests.conftest import run_warehouse_job

LAKE_SETTINGS = ("DUCKLAKE_CATALOG", "DUCKLAKE_DATA_PATH", "DUCKLAKE_S3_ENDPOINT", "DUCKLAKE_S3_KEY_ID")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason} (CI must provide it: see .ci/run)")
    pytest.skip(reason)


def _compare_marts():
    spec = importlib.util.spec_from_file_location("compare_marts", REPO_ROOT / "scripts" / "compare_marts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.compare


@pytest.fixture(scope="module")
def lake(tmp_path_factory, sample_data_dir):
    """The sample pipeline, once, on a lake of its own."""
    missing = [name for name in LAKE_SETTINGS if not os.environ.get(name)]
    if missing:
        _unavailable(f"the DuckLake services are not configured ({', '.join(missing)}): run `make lake`")
    name = f"test_{uuid.uuid4().hex[:10]}"
    bucket = os.environ["DUCKLAKE_DATA_PATH"].removeprefix("s3://").split("/", 1)[0]
    warehouse_dir = tmp_path_factory.mktemp("lake_warehouse")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("WAREHOUSE_TARGET", "ducklake")
        env.setenv("DUCKLAKE_METADATA_SCHEMA", name)
        env.setenv("DUCKLAKE_DATA_PATH", f"s3://{bucket}/{name}/")
        env.setenv("WAREHOUSE_DIR", str(warehouse_dir))
        env.setenv("SAMPLE_DATA_DIR", str(sample_data_dir))
        env.delenv("CHIPCHAIN_PG_URL", raising=False)  # the BI copy is the embedded target's test
        layout = layout_from_env()
        result = run_warehouse_job()
        yield layout, result
    import psycopg

    with psycopg.connect(os.environ["DUCKLAKE_CATALOG"], autocommit=True) as pg:
        pg.execute(f'drop schema if exists "{name}" cascade')


def test_the_sample_builds_on_the_lake_with_the_embedded_marts(lake, built_warehouse):
    layout, result = lake
    failures = [e.step_key for e in result.all_events if e.is_step_failure]
    assert result.success, failures
    assert not layout.working_db.exists()  # nothing of the warehouse in a local file but the published copy
    rows = _compare_marts()(str(built_warehouse.published_path), str(layout.published_db))
    assert len(rows) >= 15
    assert all(n_a == n_b and only_a == only_b == 0 for _, n_a, n_b, only_a, only_b in rows), rows


def test_readers_on_the_published_snapshot_never_see_a_later_write(lake):
    from orchestration.duckdb_connection import attach_lake, connect, connect_warehouse
    from orchestration.publish import published_lake_snapshot

    layout, result = lake
    assert result.success
    published = published_lake_snapshot(layout)
    with duckdb.connect(str(layout.published_db), read_only=True) as snapshot_file:
        recorded, marts_rows = snapshot_file.execute(
            "select s.lake_snapshot_id, (select row_count from publish.table_rows where table_name = 'dim_country') "
            "from publish.snapshot as s"
        ).fetchone()
    assert published is not None and recorded == published
    # a writer goes on (a build in progress): readers attached at the published snapshot do not see it
    writer = connect_warehouse()
    try:
        writer.execute("insert into marts.dim_country select * from marts.dim_country limit 1")
        assert writer.execute("select count(*) from marts.dim_country").fetchone()[0] == marts_rows + 1
    finally:
        writer.close()
    reader = connect()
    try:
        attach_lake(reader, layout, alias="published", snapshot_version=published, read_only=True)
        assert reader.execute("select count(*) from published.marts.dim_country").fetchone()[0] == marts_rows
    finally:
        reader.close()


def test_a_catalog_that_is_down_is_named(monkeypatch, tmp_path):
    from orchestration.duckdb_connection import LakeUnavailable, connect_warehouse
    from orchestration.settings import get_settings

    monkeypatch.setenv("WAREHOUSE_TARGET", "ducklake")
    monkeypatch.setenv("DUCKLAKE_CATALOG", "dbname=nowhere host=127.0.0.1 port=1 user=nobody connect_timeout=2")
    monkeypatch.setenv("DUCKLAKE_DATA_PATH", "s3://nowhere/lake/")
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path))
    with pytest.raises(LakeUnavailable, match=r"DuckLake catalog \(PostgreSQL, DUCKLAKE_CATALOG="):
        connect_warehouse(get_settings())


def test_a_store_that_is_down_is_named(monkeypatch, tmp_path):
    from orchestration.duckdb_connection import LakeUnavailable, connect_warehouse
    from orchestration.settings import get_settings

    if not os.environ.get("DUCKLAKE_CATALOG"):
        _unavailable("the DuckLake catalog is not configured: run `make lake`")
    monkeypatch.setenv("WAREHOUSE_TARGET", "ducklake")
    monkeypatch.setenv("DUCKLAKE_METADATA_SCHEMA", f"test_{uuid.uuid4().hex[:10]}")
    monkeypatch.setenv("DUCKLAKE_S3_ENDPOINT", "127.0.0.1:1")
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path))
    try:
        with pytest.raises(LakeUnavailable, match=r"DuckLake object store \(DUCKLAKE_DATA_PATH="):
            connect_warehouse(get_settings())
    finally:
        import psycopg

        with psycopg.connect(os.environ["DUCKLAKE_CATALOG"], autocommit=True) as pg:
            pg.execute(f'drop schema if exists "{os.environ["DUCKLAKE_METADATA_SCHEMA"]}" cascade')
