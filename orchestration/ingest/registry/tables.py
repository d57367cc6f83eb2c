"""What a raw table is: its files, how they are read, and what its rows must look like.

The suite of each table (`orchestration/ingest/suites.py`) is derived from these fields: its columns, grain,
non-null columns, formats and ranges; what no field says lives in the table's rules file
(`data_quality/rules/<table>.yaml`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

ReaderKind = Literal[
    "csv", "json_results", "json_object", "csv_cells", "text_lines", "comtrade_envelope", "census_table"
]


@dataclass(frozen=True)
class ColumnFormat:
    """A pattern every non-null value of a column matches (DuckDB `~`: anchored, whole string)."""

    regex: str
    why: str
    # Share of the values that must match, when a few known exceptions are tolerated.
    mostly: float | None = None

    def because(self, why: str) -> ColumnFormat:
        """The same pattern, with the reason it holds for one table."""
        return replace(self, why=why)


@dataclass(frozen=True)
class ValueRange:
    """Bounds of a numeric column (parsed on read): min and/or max, inclusive."""

    why: str
    min: float | int | None = None
    max: float | int | None = None


def formats(fmt: ColumnFormat, *columns: str) -> tuple[tuple[str, ColumnFormat], ...]:
    """The same format for several columns: `formats(NON_NEGATIVE, "qty", "netWgt")`."""
    return tuple((column, fmt) for column in columns)


# Formats shared by several sources.
NON_NEGATIVE = ColumnFormat(r"^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$", "values and quantities are never negative")
DIGITS = ColumnFormat("^[0-9]+$", "a position or count written by the loader: digits only")
ISO_DATE = ColumnFormat(
    "^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", "an ISO date (YYYY-MM-DD) of 1900-2099"
)
YEAR = ColumnFormat("^(19|20)[0-9]{2}$", "a four-digit year of 1900-2099")
DECIMAL = ColumnFormat(r"^[0-9]+(\.[0-9]+)?$", "a non-negative decimal, no exponent")
CHAPTER_99 = ColumnFormat(r"^9903\.[0-9]{2}\.[0-9]{2}$", "an HTS chapter 99 heading (9903.xx.xx)")


@dataclass(frozen=True)
class RawTable:
    """A raw table: its files, how to read them, and what identifies one row within a load."""

    name: str
    source: str
    description: str
    patterns: tuple[str, ...]
    reader: ReaderKind
    columns: tuple[str, ...]
    # Columns that identify a row within one load; validation partitions large loads on them
    # so a duplicate key always lands in the same chunk.
    grain: tuple[str, ...]
    encoding: str = "utf-8"
    # Declared, not sniffed: a sniffer faced with a malformed row may settle on "no delimiter" and
    # read the whole file as one column instead of failing.
    delimiter: str = ","
    optional_columns: tuple[str, ...] = ()
    json_path: str = "results"
    licence: str = ""
    extra: dict = field(default_factory=dict)
    # False for tables fed only by live downloads (BACI trade flows): no matching file is then no
    # failure, so the offline sample still builds.
    required: bool = True
    # Members to land from the zip archives matched by `patterns` (fnmatch on the member name); each
    # member is one load, identified by `<archive path>/<member name>`.
    archive_members: tuple[str, ...] = ()
    # (name in a later release's header, raw column name): a renamed header lands in the raw
    # table's existing columns, so every release is validated by the same suite.
    header_aliases: tuple[tuple[str, str], ...] = ()
    # Header names land in the declared column of the same name whatever its case (cifValue -> cifvalue).
    headers_ignore_case: bool = False
    # (column, DuckDB type) for the columns parsed as the file is read: the large tables' measures and
    # numeric codes. Undeclared columns stay text as written (codes with their leading zeros).
    column_types: tuple[tuple[str, str], ...] = ()
    # Raw tables whose rows this table's suite reads (reference lists: Comtrade reporters, Census
    # country codes, HS codes): their raw assets run first, and a load refuses to start without them.
    references: tuple[str, ...] = ()
    # Longest line a delimited file may have: the sample's longest real line is 1,828 bytes, so a longer
    # one is corruption (a lost line end, binary garbage), refused at landing with its line number.
    max_line_bytes: int = 65536
    # The table holds trade flows, partitioned in trade_flows by (source, year): a new load rebuilds
    # only its partitions (orchestration/dbt_window.py). Any other table's change rebuilds in full.
    trade_facts: bool = False
    # Fed by the live connectors, paths relative to the landing area; the others are the sample raw
    # assets (assets/raw.py). Every live source is fetch -> landing area -> raw: a partitioned fetch
    # asset landing/<name> downloads, the raw asset of the same partitions lands and validates
    # (orchestration/live/assets.py).
    live: bool = False
    # The fetch asset (landing/<fetched_by>) whose downloads a sample table also reads: BACI's raw
    # tables land the releases the BACI connector downloads beside the sample's archives.
    fetched_by: str = ""

    # What the suite expects beyond the columns (orchestration/ingest/suites.py derives the expectations).
    # What one row is, said in the grain's uniqueness expectation: "one row per ...".
    row: str = ""
    # Grain columns that may be null (one of two flow-specific codes): no not-null expectation.
    nullable_grain: tuple[str, ...] = ()
    # Columns beyond the grain that every row must fill.
    not_null: tuple[str, ...] = ()
    # (column, format) pairs; a column may have several.
    formats: tuple[tuple[str, ColumnFormat], ...] = ()
    # (column, range) pairs for the columns parsed as numbers on read.
    ranges: tuple[tuple[str, ValueRange], ...] = ()

    def column_type(self, column: str) -> str:
        return dict(self.column_types).get(column, "VARCHAR")

    @property
    def landing_asset(self) -> str:
        """Name of the fetch asset (landing/<name>) that feeds this table, '' for none."""
        return self.fetched_by or (self.name if self.live else "")

    @property
    def suite_name(self) -> str:
        return f"raw__{self.name}"

    @property
    def all_columns(self) -> tuple[str, ...]:
        return self.columns + self.optional_columns


CELL_COLUMNS = ("row_number", "column_position", "column_name", "value")
