"""Dagster resources: the working DuckDB warehouse and where the sample data lives."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource

from orchestration.duckdb_connection import connect_warehouse
from orchestration.layout import Layout, layout_from_env
from orchestration.settings import Settings, get_settings


class WarehouseResource(ConfigurableResource):
    """The read-write working database. Empty settings fall back to SAMPLE_DATA_DIR / WAREHOUSE_DIR."""

    data_dir: str = ""
    warehouse_dir: str = ""

    def layout(self) -> Layout:
        return layout_from_env(warehouse_dir=self.warehouse_dir or None, sample_data_dir=self.data_dir or None)

    def settings(self) -> Settings:
        return get_settings(self.layout())

    @property
    def path(self) -> Path:
        return self.layout().working_db

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        # Opened per asset and closed before dbt runs: DuckDB allows one writing process at a time
        # (on the DuckLake target, PostgreSQL's catalog admits many).
        con = connect_warehouse(self.settings())
        try:
            yield con
        finally:
            con.close()
