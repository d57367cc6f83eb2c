"""Dagster resources: the working DuckDB warehouse and where the sample data lives."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource

from orchestration.duckdb_connection import connect
from orchestration.settings import Settings, get_settings


class WarehouseResource(ConfigurableResource):
    """The read-write working database. Empty settings fall back to SAMPLE_DATA_DIR / WAREHOUSE_DIR."""

    data_dir: str = ""
    warehouse_dir: str = ""

    def resolved_data_dir(self) -> Path:
        return Path(self.data_dir).resolve() if self.data_dir else get_settings().sample_data_dir

    def resolved_warehouse_dir(self) -> Path:
        return Path(self.warehouse_dir).resolve() if self.warehouse_dir else get_settings().warehouse_dir

    def settings(self) -> Settings:
        return dataclasses.replace(
            get_settings(), sample_data_dir=self.resolved_data_dir(), warehouse_dir=self.resolved_warehouse_dir()
        )

    @property
    def path(self) -> Path:
        return self.resolved_warehouse_dir() / "warehouse.duckdb"

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        # Opened per asset and closed before dbt runs: DuckDB allows one writing process at a time.
        con = connect(self.path, settings=self.settings())
        try:
            yield con
        finally:
            con.close()
