"""Dagster resources: the working DuckDB warehouse and where the sample data lives."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource

from orchestration.settings import get_settings


class WarehouseResource(ConfigurableResource):
    """The read-write working database. Empty settings fall back to SAMPLE_DATA_DIR / WAREHOUSE_DIR."""

    data_dir: str = ""
    warehouse_dir: str = ""

    def resolved_data_dir(self) -> Path:
        return Path(self.data_dir).resolve() if self.data_dir else get_settings().sample_data_dir

    def resolved_warehouse_dir(self) -> Path:
        return Path(self.warehouse_dir).resolve() if self.warehouse_dir else get_settings().warehouse_dir

    @property
    def path(self) -> Path:
        return self.resolved_warehouse_dir() / "warehouse.duckdb"

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        # Opened per asset and closed before dbt runs: DuckDB allows one writing process at a time.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(self.path))
        try:
            yield con
        finally:
            con.close()
