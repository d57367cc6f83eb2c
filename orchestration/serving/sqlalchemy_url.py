"""SQLAlchemy URLs (duckdb-engine) for tools that open DuckDB directly: Superset, Metabase's Python side,
pandas.read_sql, Jupyter SQL magics. Read-only, on the published snapshot, never the working database."""

from __future__ import annotations

from pathlib import Path

from orchestration.layout import layout_from_env


def duckdb_sqlalchemy_url(snapshot_path: Path | None = None) -> str:
    # duckdb-engine passes URL query parameters to duckdb.connect as configuration.
    path = (snapshot_path or layout_from_env().published_db).resolve()
    return f"duckdb:///{path}?access_mode=read_only"


if __name__ == "__main__":
    print(duckdb_sqlalchemy_url())
