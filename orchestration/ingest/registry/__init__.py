"""Which files land in which raw table, how each is read, and what its rows must look like.

One registry for every raw table, sample and live, split by source (one module each). Files are found
by glob under SAMPLE_DATA_DIR, or for the tables marked `live` under the live connectors' landing area
(paths relative to its root); every file or payload becomes one load of its table. Column lists are
the header names as the source publishes them: the raw layer keeps them verbatim, staging renames.
Each table's GX suite is derived from its entry here plus its rules file (orchestration/ingest/suites.py).
"""

from __future__ import annotations

from orchestration.ingest.registry import baci, census, comtrade, eu_crm, hs, taiwan, tariffs, usgs
from orchestration.ingest.registry.baci import BACI_ARCHIVE_PATTERN, BACI_ARCHIVES
from orchestration.ingest.registry.comtrade import COMTRADE_BULK_FIELDS, COMTRADE_GRAIN, COMTRADE_V1_FIELDS
from orchestration.ingest.registry.tables import CELL_COLUMNS, ColumnFormat, RawTable, ReaderKind, ValueRange

# Sample tables first, in the order their raw assets have always been listed, then the live ones.
_ALL = (*comtrade.TABLES, *census.TABLES, *usgs.TABLES, *taiwan.TABLES, *hs.TABLES, *baci.TABLES)
_ALL += (*tariffs.TABLES, *eu_crm.TABLES)
RAW_TABLES: tuple[RawTable, ...] = (*(t for t in _ALL if not t.live), *(t for t in _ALL if t.live))
SAMPLE_TABLES: tuple[RawTable, ...] = tuple(t for t in RAW_TABLES if not t.live)
LIVE_TABLES: tuple[RawTable, ...] = tuple(t for t in RAW_TABLES if t.live)
_BY_NAME = {t.name: t for t in RAW_TABLES}
assert len(_BY_NAME) == len(RAW_TABLES), "two raw tables share a name"


def raw_table(name: str) -> RawTable:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown raw table {name!r}; known: {sorted(_BY_NAME)}") from None


__all__ = [
    "BACI_ARCHIVES",
    "BACI_ARCHIVE_PATTERN",
    "CELL_COLUMNS",
    "COMTRADE_BULK_FIELDS",
    "COMTRADE_GRAIN",
    "COMTRADE_V1_FIELDS",
    "LIVE_TABLES",
    "RAW_TABLES",
    "SAMPLE_TABLES",
    "ColumnFormat",
    "RawTable",
    "ReaderKind",
    "ValueRange",
    "raw_table",
]
