"""Run a raw table's Great Expectations suite over one load, computed inside DuckDB.

GX 1.x's SQL execution engine runs every expectation as SQL on the loader's own DuckDB connection
(`data_quality/gx_duckdb.py`), inside the transaction that writes the load: no row leaves DuckDB,
memory stays DuckDB's, and a failed suite rolls the load back. Each expectation's result is written
to `audit.validation_results`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from data_quality.gx_duckdb import batch_for_query, expectation_suite

SUITES_DIR = Path(__file__).resolve().parent / "suites"
ROW_COUNT_TYPES = {"expect_table_row_count_to_be_between"}


@dataclass
class ExpectationOutcome:
    expectation_type: str
    kwargs: dict[str, Any]
    success: bool = True
    observed_value: Any = None
    element_count: int = 0
    missing_count: int = 0
    unexpected_count: int = 0
    partial_unexpected: list[Any] = field(default_factory=list)
    chunks: int = 0

    @property
    def column(self) -> str | None:
        col = self.kwargs.get("column")
        if col is None and "column_list" in self.kwargs:
            col = ",".join(self.kwargs["column_list"])
        return col

    @property
    def unexpected_percent(self) -> float | None:
        denominator = self.element_count - self.missing_count
        if self.element_count == 0 or denominator <= 0:
            return None
        return 100.0 * self.unexpected_count / denominator

    def describe(self) -> str:
        where = f" on column {self.column!r}" if self.column else ""
        if self.unexpected_count:
            pct = self.unexpected_percent or 0.0
            examples = ", ".join(repr(v) for v in self.partial_unexpected[:5])
            return (
                f"{self.expectation_type} failed{where}: {self.unexpected_count} of "
                f"{self.element_count} rows ({pct:.2f}%), e.g. {examples}"
            )
        return f"{self.expectation_type} failed{where}: observed {self.observed_value!r} ({self.kwargs})"


@dataclass
class SuiteOutcome:
    suite_name: str
    outcomes: list[ExpectationOutcome]
    row_count: int
    chunks: int

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]

    @property
    def evaluated(self) -> int:
        return len(self.outcomes)


def load_suite_dict(suite_name: str) -> dict[str, Any]:
    path = SUITES_DIR / f"{suite_name}.json"
    if not path.exists():
        raise FileNotFoundError(f"no expectation suite {path}")
    return json.loads(path.read_text())


def gx_version() -> str:
    from importlib.metadata import version

    return version("great-expectations")


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except TypeError:
        return str(value)


def validate_relation(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    suite_dict: dict[str, Any],
) -> SuiteOutcome:
    """Validate every row of `relation` (a table name or a SELECT) with the suite, in DuckDB."""
    suite = expectation_suite(suite_dict)
    outcomes = [ExpectationOutcome(e["type"], dict(e.get("kwargs", {}))) for e in suite_dict["expectations"]]
    # GX does not return results in suite order: match each to its expectation by content.
    by_key = {_key(o.expectation_type, o.kwargs): o for o in outcomes}
    query = relation if relation.lstrip().lower().startswith("select") else f"select * from {relation}"
    with batch_for_query(con, query) as batch:
        result = batch.validate(suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": 20})
    for item in result.results:
        as_dict = item.to_json_dict()
        config = as_dict["expectation_config"]
        outcome = by_key[_key(config["type"], config.get("kwargs", {}))]
        if (raised := _raised(item.exception_info)) is not None:
            outcome.success = False
            outcome.observed_value = raised[:500]
        _merge(outcome, as_dict)
    for outcome in outcomes:
        _finalise(outcome)
    row_count = next((o.observed_value for o in outcomes if o.expectation_type in ROW_COUNT_TYPES), None)
    if row_count is None:
        row_count = con.execute(f"select count(*) from ({query})").fetchone()[0]
    return SuiteOutcome(suite_dict["name"], outcomes, int(row_count), 1)


def _raised(info: Any) -> str | None:
    """The message of an exception GX caught while computing an expectation (it reports, not raises)."""
    if not isinstance(info, dict):
        return None
    for entry in [info, *info.values()]:
        if isinstance(entry, dict) and entry.get("raised_exception"):
            return str(entry.get("exception_message"))
    return None


def _normalised(value: Any) -> Any:
    """GX hands kwargs back with its own number types (min_value 1988 -> 1988.0)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list | tuple):
        return [_normalised(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalised(v) for k, v in value.items()}
    return value


def _key(expectation_type: str, kwargs: dict[str, Any]) -> str:
    clean = {k: _normalised(v) for k, v in kwargs.items() if k != "batch_id"}
    return expectation_type + json.dumps(clean, sort_keys=True, default=str)


def _merge(outcome: ExpectationOutcome, item: dict[str, Any]) -> None:
    result = item.get("result") or {}
    outcome.chunks += 1
    if outcome.expectation_type in ROW_COUNT_TYPES:
        outcome.observed_value = (outcome.observed_value or 0) + int(result.get("observed_value") or 0)
        return
    if "element_count" in result:
        outcome.element_count += int(result.get("element_count") or 0)
        outcome.missing_count += int(result.get("missing_count") or 0)
        outcome.unexpected_count += int(result.get("unexpected_count") or 0)
        room = 20 - len(outcome.partial_unexpected)
        if room > 0:
            outcome.partial_unexpected.extend(_jsonable(v) for v in result.get("partial_unexpected_list", [])[:room])
    else:
        if outcome.observed_value is None:
            outcome.observed_value = _jsonable(result.get("observed_value"))
        outcome.success = outcome.success and bool(item.get("success"))
    if "element_count" in result and not item.get("success") and not result.get("unexpected_count"):
        # e.g. a column that does not exist: no counts, but the chunk failed.
        outcome.success = False


def _finalise(outcome: ExpectationOutcome) -> None:
    kwargs = outcome.kwargs
    if outcome.expectation_type in ROW_COUNT_TYPES:
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        n = outcome.observed_value or 0
        outcome.success = (low is None or n >= low) and (high is None or n <= high)
        return
    if outcome.element_count or outcome.unexpected_count:
        mostly = float(kwargs.get("mostly", 1.0))
        pct = outcome.unexpected_percent or 0.0
        outcome.success = outcome.success and (1.0 - pct / 100.0) >= mostly - 1e-12


def record_results(
    con: duckdb.DuckDBPyConnection,
    *,
    load_id: str,
    raw_table: str,
    file_path: str,
    outcome: SuiteOutcome,
) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    version = gx_version()
    rows = [
        (
            load_id, raw_table, file_path, outcome.suite_name, o.expectation_type, o.column,
            json.dumps(o.kwargs, sort_keys=True), o.success,
            None if o.observed_value is None else json.dumps(o.observed_value)[:2000],
            o.element_count or None, o.unexpected_count if o.element_count else None,
            o.unexpected_percent, json.dumps(o.partial_unexpected)[:2000] if o.partial_unexpected else None,
            o.chunks, now, version,
        )
        for o in outcome.outcomes
    ]  # fmt: skip
    con.executemany(
        "insert into audit.validation_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
    )
