"""Shared fixtures: the real sample data, and one warehouse built end to end per test session."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.layout import Layout, layout_from_env

TEST_PG_SCHEMA = "marts_test_session"


@pytest.fixture(scope="session")
def sample_data_dir() -> Path:
    path = layout_from_env().sample_data_dir
    if not (path / "README.md").exists():
        pytest.fail(f"sample data not found at {path}: set SAMPLE_DATA_DIR")
    return path


@pytest.fixture(autouse=True)
def project_manifest_left_alone() -> Iterator[None]:
    """No test may rewrite the dbt project's own manifest (`make` parses it for the embedded target):
    `make run` plans against it, and a manifest parsed elsewhere (a lake target, other vars) reads as
    every dbt node edited, so later tests would rebuild in full. dbt runs in tests take a target path."""
    from orchestration.layout import DBT_PROJECT_DIR

    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"

    def stamp() -> tuple[int, int] | None:
        return (manifest.stat().st_mtime_ns, manifest.stat().st_size) if manifest.exists() else None

    before = stamp()
    yield
    assert stamp() == before, f"{manifest} was rewritten during this test: give its dbt command a --target-path"


@dataclass
class BuiltWarehouse:
    warehouse_dir: Path
    data_dir: Path
    result: object  # dagster ExecuteInProcessResult

    @property
    def layout(self) -> Layout:
        return layout_from_env(warehouse_dir=self.warehouse_dir, sample_data_dir=self.data_dir)

    @property
    def working_path(self) -> Path:
        return self.layout.working_db

    @property
    def published_path(self) -> Path:
        return self.layout.published_db

    def published(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.published_path), read_only=True)


def run_warehouse_job():
    """Run the `warehouse` Dagster job in-process; directories come from WAREHOUSE_DIR/SAMPLE_DATA_DIR."""
    from dagster import DagsterInstance

    from orchestration.definitions import defs

    job = defs.resolve_job_def("warehouse")
    return job.execute_in_process(instance=DagsterInstance.ephemeral(), raise_on_error=False)


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory, sample_data_dir) -> Iterator[BuiltWarehouse]:
    """The whole pipeline on the offline sample, once, in a temporary WAREHOUSE_DIR."""
    warehouse_dir = tmp_path_factory.mktemp("warehouse")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("WAREHOUSE_DIR", str(warehouse_dir))
        env.setenv("WAREHOUSE_TARGET", "duckdb")  # the embedded build, whatever a lake test has set
        env.delenv("WAREHOUSE_WORKERS", raising=False)
        # When PostgreSQL is configured the run serves to it: into a test schema, never the `marts` BI tools use.
        env.setenv("CHIPCHAIN_PG_SCHEMA", TEST_PG_SCHEMA)
        env.setenv("SAMPLE_DATA_DIR", str(sample_data_dir))
        result = run_warehouse_job()
        assert result.success, "the pipeline failed on the real sample data"
        built = BuiltWarehouse(warehouse_dir, sample_data_dir, result)
        _record_as_last_build(built.layout)
        yield built


def _record_as_last_build(layout: Layout) -> None:
    """The whole job's build, recorded as `make run` records its builds: `run_pipeline.main` on this
    warehouse (or a copy) then plans against it, and rebuilds only what changed since."""
    from datetime import UTC, datetime

    from orchestration.build_plan import BuildPlan, record_build
    from orchestration.dbt_project import get_dbt_project

    with duckdb.connect(str(layout.working_db)) as con:
        now = datetime.now(UTC).replace(tzinfo=None)
        record_build(con, layout, get_dbt_project().manifest_path, BuildPlan(first_build=True), now)


def load_references(con: duckdb.DuckDBPyConnection, table, data_dir: Path) -> None:
    """Land the reference raw tables `table`'s suite reads (as the raw assets' deps do in a run)."""
    from orchestration.ingest.ingest import ingest_table
    from orchestration.ingest.registry import raw_table

    for name in table.references:
        assert ingest_table(con, raw_table(name), data_dir).ok, name
