"""The same warehouse on the DuckLake target (WAREHOUSE_TARGET=ducklake): the whole sample pipeline
with 2 worker processes on a lake whose catalog is in PostgreSQL and whose files are on a local S3 store
(SeaweedFS), killed (-9) mid-load and run again, published from the lake's snapshot; readers on that
snapshot during a build; two writers of one table; a catalog and a store that are down named as such.

The lake's services come from `make lake` (scripts/lake.sh, which `.ci/run` starts): on CI their
absence fails these tests instead of skipping them. Each module run gets a lake of its own (a fresh
metadata schema in the catalog database and a fresh prefix in the bucket).
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from orchestration.layout import REPO_ROOT, layout_from_env
from orchestration.settings import get_settings

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


def _fresh_lake(env: pytest.MonkeyPatch, name: str, warehouse_dir, sample_data_dir, workers: int = 2) -> None:
    """Point the environment at a lake of its own: a metadata schema and a bucket prefix named `name`."""
    bucket = os.environ["DUCKLAKE_DATA_PATH"].removeprefix("s3://").split("/", 1)[0]
    env.setenv("WAREHOUSE_TARGET", "ducklake")
    env.setenv("WAREHOUSE_WORKERS", str(workers))
    env.setenv("DUCKLAKE_METADATA_SCHEMA", name)
    env.setenv("DUCKLAKE_DATA_PATH", f"s3://{bucket}/{name}/")
    env.setenv("WAREHOUSE_DIR", str(warehouse_dir))
    env.setenv("SAMPLE_DATA_DIR", str(sample_data_dir))
    env.delenv("CHIPCHAIN_PG_URL", raising=False)  # the BI copy is the embedded target's test


def _drop_lake(name: str) -> None:
    import psycopg

    with psycopg.connect(os.environ["DUCKLAKE_CATALOG"], autocommit=True) as pg:
        pg.execute(f'drop schema if exists "{name}" cascade')


def _need_lake() -> None:
    missing = [name for name in LAKE_SETTINGS if not os.environ.get(name)]
    if missing:
        _unavailable(f"the DuckLake services are not configured ({', '.join(missing)}): run `make lake`")


def _make_run(dagster_home, log) -> subprocess.Popen:
    """`make run`'s command, in a session of its own (so its workers can be killed with it)."""
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.Popen([sys.executable, "-m", "orchestration.run_pipeline"], cwd=REPO_ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip


def _promoted_loads() -> int:
    from orchestration.duckdb_connection import connect_warehouse

    try:
        con = connect_warehouse(read_only=True)
    except Exception:  # noqa: BLE001 - the lake is being created by the run
        return 0
    try:
        return con.execute("select count(*) from audit.loads where status = 'promoted'").fetchone()[0]
    except duckdb.Error:  # audit.loads not created yet
        return 0
    finally:
        con.close()


def _lake_state() -> dict:
    """What a killed writer may leave: every table of the lake read in full, each raw table's rows
    against its promoted loads, files with more than one promoted load, the published snapshot."""
    from orchestration.duckdb_connection import connect_warehouse
    from orchestration.publish import published_lake_snapshot

    con = connect_warehouse(read_only=True)
    try:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = current_database()"
        ).fetchall()
        counts = {f"{s}.{t}": con.execute(f'select count(*) from {s}."{t}"').fetchone()[0] for s, t in tables}
        mismatched = []
        for schema, table in tables:
            if schema != "raw":
                continue
            mismatched += con.execute(
                f"""
                select ? as raw_table, coalesce(r._load_id, l.load_id), r.n, l.row_count
                from (select _load_id, count(*) as n from raw."{table}" group by 1) as r
                full join (select load_id, row_count from audit.loads
                           where raw_table = ? and status = 'promoted') as l on r._load_id = l.load_id
                where r.n is distinct from l.row_count
                """,
                [table, table],
            ).fetchall()
        twice = con.execute(
            "select raw_table, file_path from audit.loads where status = 'promoted' group by all having count(*) > 1"
        ).fetchall()
    finally:
        con.close()
    return {"tables": counts, "mismatched": mismatched, "twice": twice,
            "published": published_lake_snapshot(layout_from_env())}  # fmt: skip


@pytest.fixture(scope="module")
def lake(tmp_path_factory, sample_data_dir, built_warehouse):
    """The sample pipeline on a lake of its own, with 2 worker processes, as `make run` runs it: first
    killed (-9, the whole process group) once some loads are in, then run again to the end. (The
    embedded build it is compared with is built first, outside this fixture's lake settings.)"""
    _need_lake()
    name = f"test_{uuid.uuid4().hex[:10]}"
    work = tmp_path_factory.mktemp("lake_run")
    with pytest.MonkeyPatch.context() as env:
        _fresh_lake(env, name, work / "warehouse", sample_data_dir)
        (work / "dagster_home").mkdir()
        layout = layout_from_env()
        with (work / "killed.log").open("w") as log:
            killed = _make_run(work / "dagster_home", log)
            deadline = time.monotonic() + 600
            while _promoted_loads() < 5 and killed.poll() is None and time.monotonic() < deadline:
                time.sleep(0.5)
            os.killpg(killed.pid, signal.SIGKILL)
            killed.wait()
        after_kill = _lake_state()
        with (work / "rerun.log").open("w") as log:
            rerun = _make_run(work / "dagster_home", log)
            rerun.wait(timeout=1800)
        yield SimpleNamespace(
            layout=layout,
            killed=killed,
            killed_output=(work / "killed.log").read_text(),
            after_kill=after_kill,
            rerun=rerun,
            output=(work / "rerun.log").read_text(),
        )
    _drop_lake(name)


def test_a_writer_killed_mid_load_leaves_the_lake_consistent(lake):
    assert lake.killed.returncode == -signal.SIGKILL, lake.killed_output[-3000:]
    state = lake.after_kill
    assert state["tables"]["audit.loads"] >= 5  # killed after loads were in, before the run ended
    assert state["mismatched"] == [], state["mismatched"]  # raw holds exactly the promoted loads' rows
    assert state["twice"] == []
    assert state["published"] is None  # nothing was published by the killed run


def test_the_rerun_builds_the_sample_on_the_lake_with_the_embedded_marts(lake, built_warehouse):
    assert lake.rerun.returncode == 0, lake.output[-5000:]
    assert "Workers: 2 processes (multiprocess executor)" in lake.output
    assert "Great Expectations suites (blocking): 25/25 passed" in lake.output
    assert not lake.layout.working_db.exists()  # nothing of the warehouse in a local file but the published copy
    rows = _compare_marts()(str(built_warehouse.published_path), str(lake.layout.published_db))
    assert len(rows) >= 15
    assert all(n_a == n_b and only_a == only_b == 0 for _, n_a, n_b, only_a, only_b in rows), rows
    state = _lake_state()
    assert state["mismatched"] == [] and state["twice"] == []


def test_readers_on_the_published_snapshot_do_not_see_a_build_in_progress(lake, tmp_path):
    from orchestration.dbt_project import dbt_executable
    from orchestration.duckdb_connection import attach_lake, connect, connect_warehouse
    from orchestration.layout import DBT_PROJECT_DIR
    from orchestration.publish import published_lake_snapshot

    assert lake.rerun.returncode == 0
    published = published_lake_snapshot(lake.layout)
    with duckdb.connect(str(lake.layout.published_db), read_only=True) as snapshot_file:
        recorded = snapshot_file.execute("select lake_snapshot_id from publish.snapshot").fetchone()[0]
        file_rows = dict(snapshot_file.execute("select table_name, row_count from publish.table_rows").fetchall())
    assert published is not None and recorded == published
    reader = connect()
    attach_lake(reader, lake.layout, alias="published", snapshot_version=published, read_only=True)

    def marts_seen() -> dict[str, int]:
        names = reader.execute(
            "select table_name from duckdb_tables() where database_name = 'published' and schema_name = 'marts'"
        ).fetchall()
        return {n: reader.execute(f'select count(*) from published.marts."{n}"').fetchone()[0] for (n,) in names}

    before = marts_seen()
    assert before and all(file_rows[name] == n for name, n in before.items())  # the snapshot file: same build
    # a build in progress: dbt rebuilds marts on the lake in another process; a writer adds a row.
    # (Its own target path: the project's manifest, parsed for the embedded target, is what the next
    # embedded `make run` plans against; a lake target's manifest there would read as every node edited.)
    build = subprocess.Popen(
        [dbt_executable(), "run", "--select", "dim_country import_dependency", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs")],
        env={**os.environ, **get_settings(lake.layout).dbt_env(), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    seen_during = []
    while build.poll() is None:
        seen_during.append(marts_seen())
        time.sleep(0.2)
    assert build.returncode == 0, build.stdout.read()[-3000:]
    writer = connect_warehouse()
    try:
        writer.execute("insert into marts.dim_country select * from marts.dim_country limit 1")
        live = writer.execute("select count(*) from marts.dim_country").fetchone()[0]
        latest = writer.execute("select max(snapshot_id) from ducklake_snapshots('lake')").fetchone()[0]
    finally:
        writer.close()
    assert live == before["dim_country"] + 1 and latest > published  # the lake moved on
    assert seen_during and all(seen == before for seen in seen_during)
    assert marts_seen() == before  # readers at the published snapshot: still that one build
    reader.close()


def test_a_catalog_that_is_down_is_named(monkeypatch, tmp_path):
    from orchestration.duckdb_connection import LakeUnavailable, connect_warehouse

    monkeypatch.setenv("WAREHOUSE_TARGET", "ducklake")
    monkeypatch.setenv("DUCKLAKE_CATALOG", "dbname=nowhere host=127.0.0.1 port=1 user=nobody connect_timeout=2")
    monkeypatch.setenv("DUCKLAKE_DATA_PATH", "s3://nowhere/lake/")
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path))
    with pytest.raises(LakeUnavailable, match=r"DuckLake catalog \(PostgreSQL, DUCKLAKE_CATALOG="):
        connect_warehouse(get_settings())


def test_a_store_that_is_down_is_named(monkeypatch, tmp_path):
    from orchestration.duckdb_connection import LakeUnavailable, connect_warehouse

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
        _drop_lake(os.environ["DUCKLAKE_METADATA_SCHEMA"])


def _land_world_cells(args: tuple[int, bool]) -> list[tuple[str, str]]:
    """One writer process: land the first `n` USGS world files (in reverse when asked) into the lake."""
    n, backwards = args
    from orchestration.duckdb_connection import connect_warehouse
    from orchestration.ingest.ingest import ingest_table
    from orchestration.ingest.landing import discover_files
    from orchestration.ingest.registry import raw_table

    data_dir = Path(os.environ["SAMPLE_DATA_DIR"])
    table = raw_table("usgs__mcs_world_cells")
    files = discover_files(table, data_dir)[:n]
    con = connect_warehouse()
    try:
        report = ingest_table(con, table, data_dir, files[::-1] if backwards else files)
    finally:
        con.close()
    return [(f.file_path, f.status) for f in report.files]


def test_two_writers_of_one_table_lose_and_duplicate_nothing(tmp_path, sample_data_dir):
    """Two processes land the same 30 files of one raw table at once, one from each end: they race on
    every file (both saw it new) and meet in the middle. Without the file lock (lake_locks.py) every
    file was promoted twice here; with it, each file is in raw once, from one promoted load."""
    _need_lake()
    name = f"test_{uuid.uuid4().hex[:10]}"
    try:
        with pytest.MonkeyPatch.context() as env:
            _fresh_lake(env, name, tmp_path, sample_data_dir)
            with multiprocessing.get_context("spawn").Pool(2) as pool:
                forwards, backwards = pool.map(_land_world_cells, [(30, False), (30, True)])
            from orchestration.duckdb_connection import connect_warehouse

            con = connect_warehouse(read_only=True)
            try:
                loads = con.execute(
                    "select status, count(*), count(distinct file_path), sum(row_count) from audit.loads group by 1"
                ).fetchall()
                raw = con.execute(
                    "select count(distinct _file_path), count(distinct _load_id), count(*) "
                    "from raw.usgs__mcs_world_cells"
                ).fetchone()
            finally:
                con.close()
            state = _lake_state()
    finally:
        _drop_lake(name)
    assert len(forwards) == len(backwards) == 30
    by_file = {}
    for file_path, status in forwards + backwards:
        by_file.setdefault(file_path, []).append(status)
    assert len(by_file) == 30 and all(sorted(s) == ["promoted", "unchanged"] for s in by_file.values()), by_file
    assert {f for f, s in forwards if s == "promoted"} and {f for f, s in backwards if s == "promoted"}  # both wrote
    assert len(loads) == 1 and loads[0][:3] == ("promoted", 30, 30), loads
    assert raw == (30, 30, loads[0][3])
    assert state["mismatched"] == [] and state["twice"] == []
