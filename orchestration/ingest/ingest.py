"""Ingest every file of one raw table: land, validate with its GX suite, then promote or reject."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from data_quality.runner import ExpectationOutcome, SuiteOutcome, record_results, validate_relation
from orchestration.checksums import file_sha256
from orchestration.ingest import archives, landing, suites
from orchestration.ingest.registry import RawTable
from orchestration.lake_locks import lake_lock

# The rule a value breaks when it does not parse as its column's declared type (DuckDB store_rejects).
TYPED_READ_RULE = "typed_read_rejects"


@dataclass
class FileResult:
    file_path: str
    status: str  # promoted | rejected | unchanged | unreadable
    rows: int = 0
    load_id: str | None = None
    expectations: int = 0
    message: str = ""
    land_seconds: float = 0.0  # the one read into raw (and the move of the rows it replaces)
    validate_seconds: float = 0.0  # the GX suite in DuckDB, and the commit


@dataclass
class IngestReport:
    table: RawTable
    files: list[FileResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        if not self.files:
            return not self.table.required  # a live-only table (BACI flows) may have no file yet
        return all(f.status in ("promoted", "unchanged") for f in self.files)

    @property
    def failures(self) -> list[FileResult]:
        return [f for f in self.files if f.status in ("rejected", "unreadable")]

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    def seconds(self, stage: str) -> float:
        return sum(getattr(f, f"{stage}_seconds") for f in self.files)

    @property
    def rows_promoted(self) -> int:
        return sum(f.rows for f in self.files if f.status == "promoted")

    @property
    def error_message(self) -> str:
        if not self.files:
            return f"raw.{self.table.name}: no files match {list(self.table.patterns)}"
        return "\n".join(f"raw.{self.table.name} <- {f.file_path}: {f.message}" for f in self.failures)


def missing_references(con: duckdb.DuckDBPyConnection, table: RawTable) -> list[str]:
    """The reference raw tables of `table` that are absent or empty."""
    missing = []
    for name in table.references:
        exists = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = ?", [name]
        ).fetchone()[0]
        if not exists or con.execute(f'select count(*) from (select 1 from raw."{name}" limit 1)').fetchone()[0] == 0:
            missing.append(f"raw.{name}")
    return missing


def typed_read_outcomes(load: landing.Load) -> list[ExpectationOutcome]:
    """One failed outcome per column whose values DuckDB could not parse as the declared type (its
    store_rejects lines): recorded beside the GX results, and the load is rejected."""
    by_column: dict[str, list[landing.Reject]] = {}
    for reject in load.rejects:
        by_column.setdefault(reject.column or "(row)", []).append(reject)
    outcomes = []
    for column, rejects in by_column.items():
        outcome = ExpectationOutcome(
            TYPED_READ_RULE,
            {"column": column, "type": load.table.column_type(column), "error_type": rejects[0].error_type},
            success=False,
            element_count=load.row_count + len(load.rejects),
            unexpected_count=len(rejects),
            partial_unexpected=[f"line {r.line}: {r.csv_line}" for r in rejects[:20]],
            chunks=1,
        )
        outcomes.append(outcome)
    return outcomes


def failure_message(outcome: SuiteOutcome) -> str:
    return "; ".join(o.describe() for o in outcome.failures)


def ingest_table(
    con: duckdb.DuckDBPyConnection,
    table: RawTable,
    data_dir: Path,
    files: list[Path] | None = None,
) -> IngestReport:
    landing.ensure_meta(con)
    landing.ensure_raw_table(con, table)
    landing.abandon_unfinished(con, table)
    report = IngestReport(table)
    suite = suites.suite_to_run(table)
    missing = missing_references(con, table)
    for path in files if files is not None else landing.discover_files(table, data_dir):
        rel = path.relative_to(data_dir).as_posix() if path.is_relative_to(data_dir) else str(path)
        if missing:
            message = (
                f"{rel}: rule reference_loaded: {', '.join(missing)} has no rows; raw.{table.name}'s suite "
                "checks codes against it, so it must be loaded first"
            )
            report.files.append(FileResult(rel, "unreadable", message=message))
            continue
        if archives.is_archive(path):
            # one load per member: hashed as it streams out of the zip (an unchanged member costs no
            # disk write), else streamed to a temporary file, landed, and gone
            for member in archives.member_names(table, path):
                member_rel = archives.member_rel_path(rel, member)
                if landing.already_current(con, table, member_rel, archives.member_sha256(path, member)):
                    report.files.append(FileResult(member_rel, "unchanged"))
                    continue
                started = time.perf_counter()
                with archives.extracted_member(path, member, rel) as extracted:
                    extracting = time.perf_counter() - started
                    result = ingest_file(con, table, suite, extracted.path, extracted.rel_path, extracted.sha256)
                result.land_seconds += extracting
                report.files.append(result)
        else:
            report.files.append(ingest_file(con, table, suite, path, rel, file_sha256(path)))
    return report


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    table: RawTable,
    suite: dict,
    path: Path,
    rel: str,
    sha: str,
) -> FileResult:
    """Read one file into raw and validate it in one transaction: commit if its suite passes, else roll
    back and keep the rows in quarantine. On the lake, under the file's lock: a second writer of the
    same file waits, then finds it current (lake_locks.py)."""
    with lake_lock(con, "load", table.name, rel):
        return _ingest_file(con, table, suite, path, rel, sha)


def _ingest_file(
    con: duckdb.DuckDBPyConnection, table: RawTable, suite: dict, path: Path, rel: str, sha: str
) -> FileResult:
    if landing.already_current(con, table, rel, sha):
        return FileResult(rel, "unchanged")
    try:
        columns = landing.file_columns(con, table, path, rel)
    except landing.LandingError as exc:
        load_id = landing.record_unreadable(con, table, rel, sha, path, str(exc))
        return FileResult(rel, "unreadable", load_id=load_id, message=str(exc))
    started = time.perf_counter()
    con.execute("begin transaction")
    try:
        load = landing.write_load(con, table, path, rel, sha, columns)
        landed = time.perf_counter()
        outcome = validate_relation(con, load.relation, suite)
        if load.rejects:
            outcome.outcomes.extend(typed_read_outcomes(load))
        if outcome.success:
            landing.mark_promoted(con, load)
            con.execute("commit")
        else:
            con.execute("rollback")
        timings = {"land_seconds": landed - started, "validate_seconds": time.perf_counter() - landed}
    except landing.LandingError as exc:
        con.execute("rollback")
        load_id = landing.record_unreadable(con, table, rel, sha, path, str(exc))
        return FileResult(rel, "unreadable", load_id=load_id, message=str(exc))
    except BaseException:
        con.execute("rollback")
        raise
    message = None if outcome.success else failure_message(outcome)
    if message is not None:
        landing.reject(con, load, path, message)
    record_results(con, load_id=load.load_id, raw_table=table.name, file_path=rel, outcome=outcome,
                   definition=suites.stored_definition(table))  # fmt: skip
    if message is None:
        return FileResult(rel, "promoted", load.row_count, load.load_id, outcome.evaluated, **timings)
    return FileResult(rel, "rejected", load.row_count, load.load_id, outcome.evaluated, message, **timings)
