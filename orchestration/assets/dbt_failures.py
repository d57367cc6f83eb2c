"""Evidence for a failed dbt test: a few of the rows it returns, and the source files they came from.

The generic tests return the offending rows whole (dbt_project/macros/failing_rows.sql), so once
`dbt build` has finished (it holds the warehouse's write lock while it runs) the compiled test is
run again with a limit, and its provenance columns name the files and loads behind each row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestration.duckdb_connection import connect_warehouse
from orchestration.settings import Settings

# Provenance columns, in the order they are reported: the file, then the load.
PROVENANCE = ("source_file", "_file_path", "load_id", "_load_id")
# Columns that identify a row in most models, shown right after the tested column and provenance.
KEYS = ("year", "month", "period", "hs_code", "hs6", "hs10", "reporter_source_code", "partner_source_code",
        "reporter_iso3", "partner_iso3", "importer_iso3", "flow", "regime", "event_id")  # fmt: skip
SAMPLE_ROWS = 5
SHOWN_COLUMNS = 10


@dataclass(frozen=True)
class Evidence:
    test: str
    model: str
    columns: list[str]
    rows: list[tuple]
    files: list[str]

    def describe(self) -> str:
        files = ", ".join(self.files) if self.files else "no provenance column on this model"
        shown = "; ".join(
            ", ".join(
                f"{c}={v!r}" for i, (c, v) in enumerate(zip(self.columns, row, strict=False)) if i == 0 or v is not None
            )
            for row in self.rows
        )
        return f"dbt test {self.test} on {self.model} failed. Source files: {files}. Rows: {shown}"


def compiled_test_sql(target_path: Path, node: dict[str, Any]) -> str | None:
    """The compiled SQL dbt wrote for the test in this invocation's target folder."""
    name = Path(node.get("path") or "").name
    if not name:
        return None
    for path in (target_path / "compiled").rglob(name):
        return path.read_text()
    return None


def _shown_columns(columns: list[str], node: dict[str, Any]) -> list[str]:
    """The tested column first, then provenance, the usual keys, the rest (SHOWN_COLUMNS at most)."""
    kwargs = (node.get("test_metadata") or {}).get("kwargs") or {}
    first = [c for c in [kwargs.get("column_name")] if c in columns]
    first += [c for c in (*PROVENANCE, *KEYS) if c in columns and c not in first]
    return (first + [c for c in columns if c not in first])[:SHOWN_COLUMNS]


def gather(settings: Settings, sql: str, node: dict[str, Any]) -> Evidence:
    """Run the failing test's SQL (read-only, on the target's working warehouse) and keep a few rows
    and every source file behind them."""
    con = connect_warehouse(settings, read_only=True)
    try:
        cursor = con.execute(f"select * from ({sql}) as failing limit 1000")
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    finally:
        con.close()
    shown = _shown_columns(columns, node)
    index = [columns.index(c) for c in shown]
    file_col = next((columns.index(c) for c in ("source_file", "_file_path") if c in columns), None)
    files = sorted({str(r[file_col]) for r in rows if r[file_col] is not None}) if file_col is not None else []
    model = (node.get("attached_node") or node.get("depends_on", {}).get("nodes", ["?"])[-1]).split(".")[-1]
    return Evidence(node["name"], model, shown, [tuple(r[i] for i in index) for r in rows[:SAMPLE_ROWS]], files)
