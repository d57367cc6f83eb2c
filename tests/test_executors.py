"""Which executor runs a job's steps, and the lake's advisory-lock keys: pure helpers, no services."""

from __future__ import annotations

import pytest
from dagster import in_process_executor

from orchestration.executors import CODE_LOCATION, executor_config, warehouse_executor
from orchestration.lake_locks import lock_key
from orchestration.settings import get_settings


def test_one_worker_runs_in_process_and_more_fork_from_a_preloaded_server():
    assert executor_config(1) is None
    config = executor_config(3)
    assert config["max_concurrent"] == 3
    assert config["start_method"] == {"forkserver": {"preload_modules": [CODE_LOCATION]}}


def test_the_embedded_file_keeps_one_process(monkeypatch, tmp_path):
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path))
    monkeypatch.delenv("WAREHOUSE_TARGET", raising=False)
    monkeypatch.delenv("WAREHOUSE_WORKERS", raising=False)
    settings = get_settings()
    assert settings.workers == 1
    assert warehouse_executor(settings) is in_process_executor
    monkeypatch.setenv("WAREHOUSE_WORKERS", "2")
    with pytest.raises(ValueError, match="embedded DuckDB file admits one writing process"):
        get_settings()


def test_the_lake_defaults_to_two_workers(monkeypatch, tmp_path):
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path))
    monkeypatch.setenv("WAREHOUSE_TARGET", "ducklake")
    monkeypatch.delenv("WAREHOUSE_WORKERS", raising=False)
    settings = get_settings()
    assert settings.workers == 2
    executor = warehouse_executor(settings)
    assert executor.name == "multiprocess" and executor is not in_process_executor
    monkeypatch.setenv("WAREHOUSE_WORKERS", "1")
    assert warehouse_executor(get_settings()) is in_process_executor


def test_lock_keys_are_per_lake_and_per_name():
    key = lock_key("lake_a", "load", "raw_x", "a.csv")
    assert key == lock_key("lake_a", "load", "raw_x", "a.csv")  # stable across processes (no hash seed)
    assert -(2**63) <= key < 2**63  # PostgreSQL's bigint
    assert len({key, lock_key("lake_b", "load", "raw_x", "a.csv"), lock_key("lake_a", "load", "raw_x", "b.csv"),
                lock_key("lake_a", "load", "raw_xa", ".csv")}) == 4  # fmt: skip
