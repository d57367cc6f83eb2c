"""Run settings, read from the environment when asked for (never at import time); paths are the layout's."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from orchestration.layout import Layout, layout_from_env

# per DuckDB connection, dbt's included: every model and test downstream of a 10M-row BACI year builds
# within it, spilling (README "Benchmark")
DEFAULT_MEMORY_LIMIT = "1GB"


@dataclass(frozen=True)
class Settings:
    layout: Layout
    memory_limit: str = DEFAULT_MEMORY_LIMIT  # WAREHOUSE_MEMORY_LIMIT
    threads: int = 0  # DuckDB threads per connection; 0: all cores (WAREHOUSE_THREADS)
    # WAREHOUSE_WORKERS: processes that run a job's steps at once. The embedded file admits one writing
    # process, so 1 there; on the lake 2 by default (this machine's cores), each with its memory_limit.
    workers: int = 1

    def dbt_env(self, database: Path | None = None) -> dict[str, str]:
        """The variables dbt's profile reads: the layout's paths and target, and this memory limit."""
        return self.layout.dbt_env(database) | {"CHIPCHAIN_DBT_MEMORY_LIMIT": self.memory_limit}


def get_settings(layout: Layout | None = None) -> Settings:
    layout = layout or layout_from_env()
    workers = int(os.environ.get("WAREHOUSE_WORKERS") or (2 if layout.on_lake else 1))
    if workers < 1 or (workers > 1 and not layout.on_lake):
        raise ValueError(
            f"WAREHOUSE_WORKERS={workers}: the embedded DuckDB file admits one writing process (use 1), "
            "and parallel workers need WAREHOUSE_TARGET=ducklake"
        )
    return Settings(
        layout=layout,
        memory_limit=os.environ.get("WAREHOUSE_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT,
        threads=int(os.environ.get("WAREHOUSE_THREADS", "0")),
        workers=workers,
    )


if __name__ == "__main__":
    # `python -m orchestration.settings memory_limit`: the Makefile's value for dbt's profile
    print(getattr(get_settings(), sys.argv[1]))
