"""Run a raw table's Great Expectations suite over one load, in bounded memory.

GX 1.x validates pandas batches (its SQL datasource over duckdb-engine is broken in 1.24, see README).
A load is split into chunks of at most `chunk_rows` rows by a hash of the table's grain columns, so a
duplicated key always falls in one chunk and compound-uniqueness stays exact. Per-chunk results are
combined: counts are summed, row counts added, and the `mostly` threshold is applied to the totals.
Every expectation's combined result is written to `audit.validation_results`.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

SUITES_DIR = Path(__file__).resolve().parent / "suites"
DEFAULT_CHUNK_ROWS = int(os.environ.get("GX_CHUNK_ROWS", "500000"))
ROW_COUNT_TYPES = {"expect_table_row_count_to_be_between"}
# Expectations on the table's columns as a whole: validating a subset of columns would change them.
TABLE_SHAPE_TYPES = {
    "expect_table_columns_to_match_ordered_list",
    "expect_table_columns_to_match_set",
    "expect_table_column_count_to_equal",
    "expect_table_column_count_to_be_between",
}
CHUNK_COLUMN = "__gx_chunk"


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


@cache
def _gx_batch_definition():
    """One ephemeral GX context per process; importing GX costs seconds, so only when validating."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("raw_loads")
    asset = source.add_dataframe_asset("load_chunk")
    return gx, asset.add_batch_definition_whole_dataframe("whole_chunk")


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
    grain: tuple[str, ...],
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> SuiteOutcome:
    """Validate every row of `relation` (a table name) against the suite, chunk by chunk."""
    gx, batch_definition = _gx_batch_definition()
    suite = gx.ExpectationSuite(**suite_dict)
    row_count = con.execute(f"select count(*) from {relation}").fetchone()[0]
    chunks = max(1, math.ceil(row_count / chunk_rows))
    outcomes = [ExpectationOutcome(e["type"], dict(e.get("kwargs", {}))) for e in suite_dict["expectations"]]
    # GX does not return results in suite order: match each to its expectation by content.
    by_key = {_key(o.expectation_type, o.kwargs): o for o in outcomes}
    columns = columns_to_validate(con, relation, suite_dict)
    for frame in chunk_frames(con, relation, columns, grain, chunks):
        result = batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(suite)
        del frame
        for item in result.results:
            as_dict = item.to_json_dict()
            config = as_dict["expectation_config"]
            _merge(by_key[_key(config["type"], config.get("kwargs", {}))], as_dict)
    for outcome in outcomes:
        _finalise(outcome)
    return SuiteOutcome(suite_dict["name"], outcomes, row_count, chunks)


def columns_to_validate(con: duckdb.DuckDBPyConnection, relation: str, suite_dict: dict[str, Any]) -> list[str]:
    """The relation's columns the suite reads; all of them if any expectation looks at the table's shape.

    Provenance columns (file path, sha256, load id...) are half a landing table's width and no
    expectation reads them: leaving them in DuckDB halves the memory of each pandas chunk.
    """
    present = [d[0] for d in con.execute(f"select * from {relation} limit 0").description]
    wanted: set[str] = set()
    for expectation in suite_dict["expectations"]:
        kwargs = expectation.get("kwargs", {})
        if expectation["type"] in TABLE_SHAPE_TYPES or "row_condition" in kwargs:
            return present
        for name in ("column", "column_A", "column_B"):
            if name in kwargs:
                wanted.add(kwargs[name])
        wanted.update(kwargs.get("column_list", []))
    chosen = [c for c in present if c in wanted]
    return chosen or present


def chunk_frames(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    columns: list[str],
    grain: tuple[str, ...],
    chunks: int,
    rows_per_batch: int = 65_536,
) -> Iterator[Any]:
    """Yield the relation as pandas frames, one per hash bucket of the grain.

    One query streams the rows ordered by bucket (DuckDB sorts out of core within its memory limit)
    and the buckets are cut from the Arrow stream as they pass: one scan of the relation whatever the
    number of chunks, and one bucket in pandas at a time. Text columns stay Arrow-backed
    (`string[pyarrow]`): a fifth of the memory of Python str objects and a third faster in GX, with
    the same results (checked on BACI flows with bad and missing values).
    """
    select_list = ", ".join(f'"{c}"' for c in columns)
    if chunks == 1:
        yield _to_pandas(con.execute(f"select {select_list} from {relation}").to_arrow_table())
        return
    import pyarrow as pa

    key = ", ".join(f"coalesce(\"{c}\"::varchar, '')" for c in grain) or "1"
    con.execute(
        f"select {select_list}, hash({key}) % {chunks} as {CHUNK_COLUMN} from {relation} order by {CHUNK_COLUMN}"
    )
    pending: list[Any] = []
    current = None
    for batch in con.to_arrow_reader(rows_per_batch):
        ids = batch.column(CHUNK_COLUMN).to_numpy()
        # the stream is sorted by bucket: cut where the bucket number changes
        starts = [0, *(np.flatnonzero(ids[1:] != ids[:-1]) + 1).tolist()]
        for start, end in zip(starts, [*starts[1:], len(ids)], strict=True):
            if current is not None and ids[start] != current:
                yield _to_pandas(pa.Table.from_batches(pending).drop_columns([CHUNK_COLUMN]))
                pending = []
            current = ids[start]
            pending.append(batch.slice(start, end - start))
    if pending:
        yield _to_pandas(pa.Table.from_batches(pending).drop_columns([CHUNK_COLUMN]))


def _to_pandas(table: Any) -> Any:
    import pandas as pd
    import pyarrow as pa

    text = pd.StringDtype("pyarrow")
    return table.to_pandas(types_mapper={pa.string(): text, pa.large_string(): text}.get)


def _key(expectation_type: str, kwargs: dict[str, Any]) -> str:
    clean = {k: v for k, v in kwargs.items() if k != "batch_id"}
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
