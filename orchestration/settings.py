"""Paths and settings, read from the environment when asked for (never at import time)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    sample_data_dir: Path
    warehouse_dir: Path
    memory_limit: str = "3GB"  # per DuckDB connection (WAREHOUSE_MEMORY_LIMIT)
    threads: int = 0  # DuckDB threads per connection; 0: all cores (WAREHOUSE_THREADS)

    @property
    def warehouse_path(self) -> Path:
        """The working read-write database: only the pipeline opens it."""
        return self.warehouse_dir / "warehouse.duckdb"

    @property
    def spill_dir(self) -> Path:
        """Where DuckDB spills beyond its memory limit (every connection, dbt's included)."""
        return self.warehouse_dir / ".spill"

    @property
    def published_dir(self) -> Path:
        return self.warehouse_dir / "published"

    @property
    def published_path(self) -> Path:
        """The read-only snapshot that SQL users and BI tools open."""
        return self.published_dir / "warehouse.duckdb"

    @property
    def dbt_project_dir(self) -> Path:
        return REPO_ROOT / "dbt_project"


def get_settings() -> Settings:
    sample = Path(os.environ.get("SAMPLE_DATA_DIR", REPO_ROOT.parent / "shared" / "data"))
    warehouse = Path(os.environ.get("WAREHOUSE_DIR", REPO_ROOT / "warehouse"))
    return Settings(
        sample_data_dir=sample.resolve(),
        warehouse_dir=warehouse.resolve(),
        memory_limit=os.environ.get("WAREHOUSE_MEMORY_LIMIT", "3GB"),
        threads=int(os.environ.get("WAREHOUSE_THREADS", "0")),
    )
