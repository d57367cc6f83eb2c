"""Run settings, read from the environment when asked for (never at import time); paths are the layout's."""

from __future__ import annotations

import os
from dataclasses import dataclass

from orchestration.layout import Layout, layout_from_env


@dataclass(frozen=True)
class Settings:
    layout: Layout
    memory_limit: str = "3GB"  # per DuckDB connection (WAREHOUSE_MEMORY_LIMIT)
    threads: int = 0  # DuckDB threads per connection; 0: all cores (WAREHOUSE_THREADS)


def get_settings(layout: Layout | None = None) -> Settings:
    return Settings(
        layout=layout or layout_from_env(),
        memory_limit=os.environ.get("WAREHOUSE_MEMORY_LIMIT", "3GB"),
        threads=int(os.environ.get("WAREHOUSE_THREADS", "0")),
    )
