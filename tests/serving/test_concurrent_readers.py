"""A full pipeline run while readers query the published snapshot in a loop, from other processes.

Every reader checks, inside one connection, that each mart holds as many rows as the snapshot's own
manifest says: a half-built or half-copied mart would break that. No reader may see an error, and the
readers must have seen the old snapshot and the new one.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from orchestration.layout import REPO_ROOT
from tests.serving.conftest import open_snapshot

READERS = 3
# Readers pause between queries so that three of them leave the pipeline its share of two cores.
PAUSE_SECONDS = 0.1


def read_in_a_loop(path: str, stop, results) -> None:
    seen: dict[str, int] = {}
    failures: list[str] = []
    queries = 0
    while not stop.is_set():
        try:
            con = duckdb.connect(path, read_only=True)
            try:
                publish_id = con.execute("select publish_id from publish.snapshot").fetchone()[0]
                manifest = dict(con.execute("select table_name, row_count from publish.table_rows").fetchall())
                counts = {t: con.execute(f'select count(*) from marts."{t}"').fetchone()[0] for t in manifest}
                marts = {
                    r[0]
                    for r in con.execute(
                        "select table_name from duckdb_tables() where schema_name = 'marts'"
                    ).fetchall()
                }
            finally:
                con.close()
        except Exception as error:  # noqa: BLE001 - every error is what this test looks for
            failures.append(f"{type(error).__name__}: {error}")
            time.sleep(PAUSE_SECONDS)
            continue
        queries += 1
        if counts != manifest or marts != set(manifest):
            failures.append(f"{publish_id}: marts {sorted(marts)} rows {counts} vs manifest {manifest}")
        seen[publish_id] = seen.get(publish_id, 0) + 1
        time.sleep(PAUSE_SECONDS)
    results.put({"seen": seen, "failures": failures[:20], "failure_count": len(failures), "queries": queries})


def _publish_id(path: Path) -> str:
    with open_snapshot(path) as con:
        return con.execute("select publish_id from publish.snapshot").fetchone()[0]


def test_a_full_run_never_disturbs_readers_of_the_published_snapshot(built_warehouse, tmp_path):
    published = built_warehouse.published_path
    before = _publish_id(published)
    context = multiprocessing.get_context("spawn")
    stop, results = context.Event(), context.Queue()
    readers = [context.Process(target=read_in_a_loop, args=(str(published), stop, results)) for _ in range(READERS)]
    for reader in readers:
        reader.start()
    env = {
        **os.environ,
        "WAREHOUSE_DIR": str(built_warehouse.warehouse_dir),
        "SAMPLE_DATA_DIR": str(built_warehouse.data_dir),
        "DAGSTER_HOME": str(tmp_path),
    }
    # a full build: with no last build on record, the run rebuilds and publishes everything
    built_warehouse.layout.build_manifest.unlink()
    try:
        time.sleep(1.0)  # the readers are in their loops before the run starts
        started = time.time()
        run = subprocess.run(
            [sys.executable, "-m", "orchestration.run_pipeline"], cwd=REPO_ROOT, env=env,
            capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        duration = time.time() - started
        time.sleep(1.0)  # and read the new snapshot for a while
    finally:
        stop.set()
        outcomes = [results.get(timeout=120) for _ in readers]
        for reader in readers:
            reader.join(timeout=60)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert "no successful build recorded yet: everything is built" in run.stdout
    after = _publish_id(published)
    assert after != before, "the run published a new snapshot"

    failures = [f for o in outcomes for f in o["failures"]]
    assert not failures, failures[:5]
    for outcome in outcomes:
        assert outcome["queries"] > 10, outcome  # each reader kept querying through the whole run
        assert {before, after} <= set(outcome["seen"]), outcome["seen"]
    print(f"full run {duration:.0f} s; reader queries {[o['queries'] for o in outcomes]}")
