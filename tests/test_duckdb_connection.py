"""Every pipeline connection has a memory limit and a spill directory (orchestration/duckdb_connection.py)."""

from __future__ import annotations

import dataclasses

import duckdb

from orchestration.duckdb_connection import connect
from orchestration.layout import DBT_PROJECT_DIR, layout_from_env
from orchestration.settings import get_settings


def _settings(tmp_path, limit="512MB"):
    return dataclasses.replace(get_settings(layout_from_env(warehouse_dir=tmp_path)), memory_limit=limit)


def test_memory_limit_and_spill_directory_are_set(tmp_path):
    con = connect(tmp_path / "w.duckdb", settings=_settings(tmp_path))
    try:
        limit, spill = con.execute(
            "select current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchone()
        assert limit == "488.2 MiB" and spill == str(tmp_path / ".spill")
        assert (tmp_path / ".spill").is_dir()
    finally:
        con.close()


def test_a_file_already_open_in_this_process_is_joined_with_our_memory_limit(tmp_path):
    other = duckdb.connect(str(tmp_path / "w.duckdb"))  # opened without this module's configuration
    try:
        con = connect(tmp_path / "w.duckdb", settings=_settings(tmp_path, "256MB"))
        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == "244.1 MiB"
        con.close()
    finally:
        other.close()


def test_dbt_profile_sets_the_same_two_settings_at_connect():
    profile = (DBT_PROJECT_DIR / "profiles.yml").read_text()
    assert "config_options:" in profile
    # the memory limit too: the run settings' (one default, settings.py), set by Settings.dbt_env()
    assert "memory_limit: \"{{ env_var('CHIPCHAIN_DBT_MEMORY_LIMIT') }}\"" in profile
    # both paths from the layout, never restated in the profile
    assert "path: \"{{ env_var('CHIPCHAIN_DBT_DATABASE') }}\"" in profile
    assert "temp_directory: \"{{ env_var('CHIPCHAIN_DBT_SPILL_DIR') }}\"" in profile
