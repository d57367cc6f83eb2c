"""Raw tables fed by the live connectors, read from the landing area (paths relative to its root).

Each payload the connectors store becomes one load of its table, identified by its path in the
landing area (`comtrade/C_A_HS/2024/<request>.json`): refetching a request that was answered
differently replaces that load's rows (the old ones move to raw_history), never adds to them.
Annual and monthly data are separate tables because their Dagster partitions differ.
"""

from __future__ import annotations

from orchestration.ingest.registry import CELL_COLUMNS, COMTRADE_GRAIN, COMTRADE_V1_FIELDS, RawTable

# The labels the data API adds to a Comtrade record; "final" bulk files carry the other fields only
# (isInBulkFileFinal in Comtrade's data-item dictionary, reference/TradeDataItems.json). The dictionary
# spells four of those differently (cifValue, fobValue, isnetWgtEstimated, isgrossWgtEstimated): the
# bulk table matches header names to the API's without regard to case.
COMTRADE_BULK_LABELS = (
    "reporterISO", "reporterDesc", "flowDesc", "partnerISO", "partnerDesc", "partner2ISO", "partner2Desc",
    "cmdDesc", "aggrLevel", "isLeaf", "customsDesc", "motDesc", "qtyUnitAbbr", "altQtyUnitAbbr",
)  # fmt: skip
COMTRADE_BULK_FIELDS = tuple(f for f in COMTRADE_V1_FIELDS if f not in COMTRADE_BULK_LABELS)

CENSUS_COLUMNS = ("CTY_CODE", "CTY_NAME", "time", "COMM_LVL")
# Imports and exports name their commodity and value variables differently; a payload has one set.
CENSUS_FLOW_COLUMNS = (
    "I_COMMODITY", "I_COMMODITY_SDESC", "CON_VAL_YR", "CAL_DUT_YR", "CON_VAL_MO", "CAL_DUT_MO",
    "E_COMMODITY", "E_COMMODITY_SDESC", "ALL_VAL_YR", "ALL_VAL_MO",
)  # fmt: skip
CENSUS_GRAIN = ("CTY_CODE", "I_COMMODITY", "E_COMMODITY", "time")

COMTRADE_LICENCE = "UN Comtrade terms of use (fetched from the v1 API)"
CENSUS_LICENCE = "Public domain (US Census Bureau international trade API)"

LIVE_RAW_TABLES: tuple[RawTable, ...] = (
    RawTable(
        name="comtrade__api_annual",
        trade_facts=True,
        references=("comtrade__reporters", "comtrade__hs_codes"),
        source="comtrade",
        description="UN Comtrade v1 API annual records (freq A), JSON envelopes as fetched",
        patterns=("comtrade/C_A_HS/*/*.json",),
        reader="comtrade_envelope",
        columns=COMTRADE_V1_FIELDS,
        grain=COMTRADE_GRAIN,
        licence=COMTRADE_LICENCE,
    ),
    RawTable(
        name="comtrade__api_monthly",
        trade_facts=True,
        references=("comtrade__reporters", "comtrade__hs_codes"),
        source="comtrade",
        description="UN Comtrade v1 API monthly records (freq M), JSON envelopes as fetched",
        patterns=("comtrade/C_M_HS/*/*.json",),
        reader="comtrade_envelope",
        columns=COMTRADE_V1_FIELDS,
        grain=COMTRADE_GRAIN,
        licence=COMTRADE_LICENCE,
    ),
    RawTable(
        name="comtrade__bulk_annual",
        trade_facts=True,
        references=("comtrade__reporters", "comtrade__hs_codes"),
        source="comtrade",
        description="UN Comtrade v1 final bulk files, annual (one gzipped tab-separated file per reporter and "
        "year, every HS code and partner), as downloaded",
        patterns=("comtrade/bulk_C_A_HS/*/*.txt.gz",),
        reader="csv",
        delimiter="\t",
        columns=COMTRADE_BULK_FIELDS,
        # labels are not in bulk files (null in raw); datasetCode is kept when a file carries it
        optional_columns=(*COMTRADE_BULK_LABELS, "datasetCode"),
        headers_ignore_case=True,
        grain=COMTRADE_GRAIN,
        licence=COMTRADE_LICENCE,
    ),
    RawTable(
        name="census__api_annual",
        trade_facts=True,
        references=("census__country_codes",),
        source="census",
        description="US Census international trade API, imports and exports by HS10 and country, "
        "year to date at December (annual)",
        patterns=("census/imports_hs_A/*/*.json", "census/exports_hs_A/*/*.json"),
        reader="census_table",
        columns=CENSUS_COLUMNS,
        optional_columns=CENSUS_FLOW_COLUMNS,
        grain=CENSUS_GRAIN,
        licence=CENSUS_LICENCE,
    ),
    RawTable(
        name="census__api_monthly",
        trade_facts=True,
        references=("census__country_codes",),
        source="census",
        description="US Census international trade API, imports and exports by HS10 and country, by month",
        patterns=("census/imports_hs_M/*/*.json", "census/exports_hs_M/*/*.json"),
        reader="census_table",
        columns=CENSUS_COLUMNS,
        optional_columns=CENSUS_FLOW_COLUMNS,
        grain=CENSUS_GRAIN,
        licence=CENSUS_LICENCE,
    ),
    RawTable(
        name="usgs__mcs_release_cells",
        source="usgs",
        description="USGS Mineral Commodity Summaries data release CSVs (world and salient tables) "
        "downloaded from ScienceBase, every cell with its header",
        patterns=("usgs/mcs_release/*/extracted/**/*.csv",),
        reader="csv_cells",
        columns=CELL_COLUMNS,
        grain=("row_number", "column_position"),
        licence="Public domain (USGS)",
    ),
)


def live_raw_table(name: str) -> RawTable:
    for table in LIVE_RAW_TABLES:
        if table.name == name:
            return table
    raise KeyError(f"unknown live raw table {name!r}; known: {[t.name for t in LIVE_RAW_TABLES]}")
