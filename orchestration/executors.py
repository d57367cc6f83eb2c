"""How many processes run a job's steps: the one executor every job of the code location uses.

The embedded DuckDB file admits one writing process, so there every step runs in the run's own
process. On the DuckLake target the catalog admits many writers (lake_locks.py covers what DuckLake
cannot settle itself), so the raw assets land and validate in WAREHOUSE_WORKERS processes at once.
Those processes come from a forkserver that has imported the code location once: a fresh interpreter
per step would spend 3.6 s importing it (measured on this machine).
"""

from __future__ import annotations

from dagster import ExecutorDefinition, in_process_executor, multiprocess_executor

from orchestration.settings import Settings, get_settings

CODE_LOCATION = "orchestration.definitions"


def executor_config(workers: int) -> dict | None:
    """The multiprocess executor's config for `workers` processes; None: run in process."""
    if workers <= 1:
        return None
    return {"max_concurrent": workers, "start_method": {"forkserver": {"preload_modules": [CODE_LOCATION]}}}


def warehouse_executor(settings: Settings | None = None) -> ExecutorDefinition:
    """Read when the code location loads: WAREHOUSE_TARGET and WAREHOUSE_WORKERS of its environment."""
    config = executor_config((settings or get_settings()).workers)
    return in_process_executor if config is None else multiprocess_executor.configured(config)


# The code location's executor, read once when it loads (its environment: WAREHOUSE_TARGET, _WORKERS).
EXECUTOR = warehouse_executor()
