"""Fixtures for the exposure marts: the published warehouse of the session's single pipeline run,
and the raw sample files the expected figures are recomputed from."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

# Census country codes of the partners the figures name (census/CensusCountryMapping_FRBAtl_short.csv).
CENSUS_CHINA = "5700"
CENSUS_TAIWAN = "5830"
CENSUS_EU_GROUP = "0003"


@pytest.fixture(scope="session")
def marts(built_warehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    """Read-only connection to the published snapshot built once per session (tests/conftest.py)."""
    con = built_warehouse.published()
    try:
        yield con
    finally:
        con.close()


@pytest.fixture(scope="session")
def raw() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB for reading the sample CSVs directly (no warehouse involved)."""
    return duckdb.connect()


def census_eu_members(data_dir: Path) -> set[str]:
    """Census codes of EU member states: listed beside the EU group (0003), they are inside it."""
    eu27 = {
        "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL",
        "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE",
    }  # fmt: skip
    codes = set()
    with open(data_dir / "census/CensusCountryMapping_FRBAtl_short.csv", newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            if row["ISO3"] in eu27:
                codes.add(row["CTY_CODE"])
    return codes
