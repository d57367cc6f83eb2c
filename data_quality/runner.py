"""Run a raw table's Great Expectations suite over one load, computed inside DuckDB.

GX 1.x's SQL execution engine runs every expectation as SQL on the loader's own DuckDB connection
(`data_quality/gx_duckdb.py`), inside the transaction that writes the load: no row leaves DuckDB,
memory stays DuckDB's, and a failed suite rolls the load back. Each expectation's result is written
to `audit.validation_results`, the suite itself to `audit.suites` (a registry table's suite as the
caller built it, orchestration/ingest/suites.py: this package imports nothing of orchestration).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb

from data_quality.gx_duckdb import batch_for_query, expectation_suite

ROW_COUNT_TYPES = {"expect_table_row_count_to_be_between"}
# Domain and reference rules: a SQL query over the load ({batch}) returning the offending rows, each
# as (row, value) - the load's row number (1 = first data row) and the value that breaks the rule.
UNEXPECTED_ROWS = "unexpected_rows_expectation"


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
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def rule(self) -> str:
        """The expectation type, or for a domain rule its name (meta.rule: reference:comtrade_reporters)."""
        return self.meta.get("rule") or self.expectation_type

    @property
    def column(self) -> str | None:
        col = self.kwargs.get("column") or self.meta.get("column")
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
        if self.expectation_type == UNEXPECTED_ROWS and self.unexpected_count:
            # each failing row by its place in the file (meta.position: line, record) and its value
            label = self.meta.get("position", "row")
            examples = ", ".join(
                f"{label} {r}: {v!r}" if r is not None else repr(v) for r, v in self.partial_unexpected[:5]
            )
            return f"{self.rule} failed{where}: {self.unexpected_count} rows, e.g. {examples}"
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
    # The suite as run: its digest and text go to audit.suites with the results.
    suite: dict[str, Any] = field(default_factory=dict)

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]

    @property
    def evaluated(self) -> int:
        return len(self.outcomes)


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
    outcomes = [
        ExpectationOutcome(e["type"], dict(e.get("kwargs", {})), meta=dict(e.get("meta") or {}))
        for e in suite_dict["expectations"]
    ]
    # GX does not return results in suite order: match each to its expectation by content.
    by_key = {_key(o.expectation_type, o.kwargs): o for o in outcomes}
    query = relation if relation.lstrip().lower().startswith("select") else f"select * from {relation}"
    # Domain rules return their offending rows only in GX's COMPLETE format, which for column
    # expectations would list every unexpected value: they run as a suite of their own, each query
    # capped at the first rows and carrying the full count beside them.
    rules = [e for e in suite_dict["expectations"] if e["type"] == UNEXPECTED_ROWS]
    columns = {**suite_dict, "expectations": [e for e in suite_dict["expectations"] if e["type"] != UNEXPECTED_ROWS]}
    capped = {**suite_dict, "name": suite_dict["name"] + "__rules", "expectations": [_capped(e) for e in rules]}
    with batch_for_query(con, query) as batch:
        results = []
        if columns["expectations"]:
            summary = {"result_format": "SUMMARY", "partial_unexpected_count": 20}
            results += batch.validate(expectation_suite(columns), result_format=summary).results
        if rules:
            results += batch.validate(expectation_suite(capped), result_format={"result_format": "COMPLETE"}).results
    originals = {_key(UNEXPECTED_ROWS, _capped(e)["kwargs"]): _key(UNEXPECTED_ROWS, e["kwargs"]) for e in rules}
    for item in results:
        as_dict = item.to_json_dict()
        config = as_dict["expectation_config"]
        key = _key(config["type"], config.get("kwargs", {}))
        outcome = by_key[originals.get(key, key)]
        _merge(outcome, as_dict)
        # after the merge, which would put a count of 0 in its place: the reason GX could not compute it
        if (raised := _raised(item.exception_info)) is not None:
            outcome.success = False
            outcome.observed_value = raised[:500]
    for outcome in outcomes:
        _finalise(outcome)
    row_count = next((o.observed_value for o in outcomes if o.expectation_type in ROW_COUNT_TYPES), None)
    if row_count is None:
        row_count = con.execute(f"select count(*) from ({query})").fetchone()[0]
    return SuiteOutcome(suite_dict["name"], outcomes, int(row_count), 1, suite=suite_dict)


def _capped(expectation: dict[str, Any]) -> dict[str, Any]:
    """A domain rule returning at most its first 20 offending rows, each with the total count."""
    kwargs = dict(expectation["kwargs"])
    kwargs["unexpected_rows_query"] = (
        "select row, value, count(*) over () as unexpected_total "
        f"from ({kwargs['unexpected_rows_query']}) order by row limit 20"
    )
    return {**expectation, "kwargs": kwargs}


def _raised(info: Any) -> str | None:
    """The message of an exception GX caught while computing an expectation (it reports, not raises)."""
    if not isinstance(info, dict):
        return None
    # either {raised_exception, exception_message} or, for a metric that failed, {metric id: {...}}
    for entry in [info, *info.values()]:
        if isinstance(entry, dict) and (entry.get("raised_exception") or entry.get("exception_message")):
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
    if outcome.expectation_type == UNEXPECTED_ROWS:
        rows = (result.get("details") or {}).get("unexpected_rows") or []
        total = rows[0].get("unexpected_total") if rows and isinstance(rows[0], dict) else None
        outcome.unexpected_count += int(total if total is not None else result.get("observed_value") or 0)
        outcome.observed_value = outcome.unexpected_count
        outcome.partial_unexpected.extend([_jsonable(v) for v in _row_values(r)] for r in rows[:20])
        outcome.success = outcome.success and bool(item.get("success"))
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


def _row_values(row: Any) -> list[Any]:
    """A (row, value) pair from GX's unexpected_rows (dicts or sequences, depending on the engine)."""
    if isinstance(row, dict):
        return [row.get("row"), row.get("value")]
    return list(row)[:2]


def _finalise(outcome: ExpectationOutcome) -> None:
    kwargs = outcome.kwargs
    if outcome.expectation_type in ROW_COUNT_TYPES:
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        n = outcome.observed_value or 0
        if isinstance(n, str):  # GX's reason it could not count (see validate_relation)
            outcome.success = False
            return
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
    definition: tuple[str, str] | None = None,
) -> None:
    """The outcome's results, and its suite: `definition` (digest, JSON) as the caller keeps it, else
    the suite as run."""
    now = datetime.now(UTC).replace(tzinfo=None)
    version = gx_version()
    sha = record_suite(con, outcome, now, definition)
    rows = [
        (
            load_id, raw_table, file_path, outcome.suite_name, o.expectation_type, o.column,
            json.dumps(o.kwargs, sort_keys=True), o.success,
            None if o.observed_value is None else json.dumps(o.observed_value)[:2000],
            o.element_count or None,
            o.unexpected_count if o.element_count or o.expectation_type == UNEXPECTED_ROWS else None,
            o.unexpected_percent, json.dumps(o.partial_unexpected)[:2000] if o.partial_unexpected else None,
            o.chunks, now, version, sha,
        )
        for o in outcome.outcomes
    ]  # fmt: skip
    if not rows:
        return
    # one statement for all rows (executemany is one statement, and on DuckLake one commit, per row)
    columns, marks = ", ".join(RESULT_COLUMNS), "(" + ", ".join("?" * len(RESULT_COLUMNS)) + ")"
    con.execute(
        f"insert into audit.validation_results ({columns}) values {', '.join([marks] * len(rows))}",
        [value for row in rows for value in row],
    )


RESULT_COLUMNS = (
    "load_id", "raw_table", "file_path", "suite_name", "expectation_type", "column_name", "kwargs", "success",
    "observed_value", "element_count", "unexpected_count", "unexpected_percent", "partial_unexpected_list",
    "chunks", "validated_at", "gx_version", "suite_sha256",
)  # fmt: skip


def record_suite(
    con: duckdb.DuckDBPyConnection, outcome: SuiteOutcome, now: datetime, definition: tuple[str, str] | None = None
) -> str | None:
    """Store the suite the outcome ran, once per digest; its digest (None for an outcome without one)."""
    if definition is None and not outcome.suite:
        return None
    if definition is None:
        text = json.dumps(outcome.suite, indent=2, sort_keys=True, ensure_ascii=False)
        definition = (hashlib.sha256(text.encode()).hexdigest(), text)
    sha, text = definition
    con.execute(
        "insert into audit.suites select ?, ?, ?, ? where not exists "
        "(select 1 from audit.suites where suite_sha256 = ?)",
        [sha, outcome.suite_name, text, now, sha],
    )
    return sha
