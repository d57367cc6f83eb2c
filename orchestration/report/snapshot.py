"""What the report reads: the published snapshot, opened read-only, and which relations it holds.

Sections pick their source by what exists (information_schema), so the report renders from the issue-2
marts alone and takes up the exposure marts (production_concentration, tariff_exposure,
supply_chain_exposure) as soon as a run publishes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.duckdb_connection import connect


@dataclass
class Snapshot:
    path: Path
    con: duckdb.DuckDBPyConnection
    columns: dict[str, list[str]] = field(default_factory=dict)  # "schema.table" -> column names

    @classmethod
    def open(cls, path: Path) -> Snapshot:
        con = connect(path, read_only=True)
        rows = con.execute(
            "select table_schema || '.' || table_name, list(column_name order by ordinal_position) "
            "from information_schema.columns group by all"
        ).fetchall()
        return cls(path, con, dict(rows))

    def close(self) -> None:
        self.con.close()

    def has(self, relation: str, *required: str) -> bool:
        return relation in self.columns and all(c in self.columns[relation] for c in required)

    def pick(self, relation: str, *candidates: str) -> str | None:
        """The first candidate column the relation has (marts still in development may name them differently)."""
        present = self.columns.get(relation, [])
        return next((c for c in candidates if c in present), None)

    def df(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()

    def manifest(self) -> dict:
        if not self.has("publish.snapshot"):
            return {}
        publish_id, published_at = self.con.execute("select publish_id, published_at from publish.snapshot").fetchone()
        rows = self.con.execute("select table_name, row_count from publish.table_rows order by 1").fetchall()
        return {"publish_id": publish_id, "published_at": published_at, "tables": dict(rows)}
