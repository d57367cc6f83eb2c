"""US Census raw tables: the sample's HS10 imports and country map, and the international trade API
payloads the live connector fetches (annual and monthly: their Dagster partitions differ)."""

from __future__ import annotations

from orchestration.ingest.registry.tables import NON_NEGATIVE, ColumnFormat, RawTable, formats

CENSUS_COLUMNS = ("CTY_CODE", "CTY_NAME", "time", "COMM_LVL")
# Imports and exports name their commodity and value variables differently; a payload has one set.
CENSUS_FLOW_COLUMNS = (
    "I_COMMODITY", "I_COMMODITY_SDESC", "CON_VAL_YR", "CAL_DUT_YR", "CON_VAL_MO", "CAL_DUT_MO",
    "E_COMMODITY", "E_COMMODITY_SDESC", "ALL_VAL_YR", "ALL_VAL_MO",
)  # fmt: skip
CENSUS_GRAIN = ("CTY_CODE", "I_COMMODITY", "E_COMMODITY", "time")
CENSUS_LICENCE = "Public domain (US Census Bureau international trade API)"

MONTH = ColumnFormat("^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$", "one month")
VALUE = NON_NEGATIVE.because("values are never negative")
# What the two API tables ask beyond their period and value columns.
API_SUITE = {
    "columns": CENSUS_COLUMNS,
    "optional_columns": CENSUS_FLOW_COLUMNS,
    "grain": CENSUS_GRAIN,
    # a payload is either imports (I_COMMODITY) or exports (E_COMMODITY): the other one is null
    "nullable_grain": ("I_COMMODITY", "E_COMMODITY"),
    "row": "one row per country, commodity and month within a payload",
    "not_null": ("CTY_NAME", "COMM_LVL"),
    "trade_facts": True,
    "references": ("census__country_codes",),
    "reader": "census_table",
    "licence": CENSUS_LICENCE,
}
API_FORMATS = (
    (
        "CTY_CODE",
        ColumnFormat(
            "^([0-9]{4}|[0-9]XXX|-)$",
            "Census country codes are four digits; 0003, 1XXX.. are groups, '-' the all-country total",
        ),
    ),
    *formats(
        ColumnFormat("^[0-9]{2,10}$", "HS/Schedule B numbers (null in the other flow's payloads)"),
        "I_COMMODITY",
        "E_COMMODITY",
    ),
)

TABLES: tuple[RawTable, ...] = (
    RawTable(
        name="census__imports_hs10",
        trade_facts=True,
        references=("census__country_codes", "hs__nomenclature_2022"),
        source="census",
        description="US Census imports for consumption by HS10 and country (API column names)",
        patterns=("census/us_imports_*.csv",),
        reader="csv",
        columns=(
            "CTY_NAME",
            "CON_VAL_YR",
            "CAL_DUT_YR",
            "I_COMMODITY",
            "I_COMMODITY_SDESC",
            "COMM_LVL",
            "CTY_CODE",
            "imports",
            "duty",
            "share",
            "HS10",
            "HS8",
            "HS6",
            "time",
        ),
        grain=("CTY_CODE", "I_COMMODITY", "time"),
        row="one row per country, HS10 commodity and month",
        not_null=("CTY_NAME", "CON_VAL_YR"),
        formats=(
            ("CTY_CODE", ColumnFormat("^[0-9]{4}$", "Census country codes are four digits; 0003 etc. are groups")),
            ("I_COMMODITY", ColumnFormat("^[0-9]{10}$", "HS10 statistical reporting number")),
            ("HS6", ColumnFormat("^[0-9]{6}$", "the HS subheading: six digits, leading zeros kept")),
            ("time", MONTH),
            *formats(NON_NEGATIVE, "CON_VAL_YR", "CAL_DUT_YR", "imports", "duty"),
        ),
        licence="Public domain (US Census Bureau); extract from tradewartracker (MIT)",
    ),
    RawTable(
        name="census__country_codes",
        source="census",
        description="Census CTY_CODE to ISO3 map (Federal Reserve Bank of Atlanta)",
        patterns=("census/CensusCountryMapping_*.csv",),
        reader="csv",
        columns=("CTY_CODE", "ISO3", "country"),
        grain=("CTY_CODE",),
        not_null=("ISO3", "country"),
        formats=(
            ("CTY_CODE", ColumnFormat("^[0-9]{4}$", "Census country codes are four digits")),
            ("ISO3", ColumnFormat("^[A-Z]{3}$", "ISO 3166 alpha-3")),
        ),
        licence="Public domain (US Census Bureau); tradewartracker (MIT)",
    ),
    RawTable(
        name="census__api_annual",
        live=True,
        source="census",
        description="US Census international trade API, imports and exports by HS10 and country, "
        "year to date at December (annual)",
        patterns=("census/imports_hs_A/*/*.json", "census/exports_hs_A/*/*.json"),
        formats=(
            *API_FORMATS,
            ("time", ColumnFormat("^(19|20)[0-9]{2}-12$", "annual figures are year to date at December")),
            *formats(VALUE, "CON_VAL_YR", "CAL_DUT_YR", "ALL_VAL_YR"),
        ),
        **API_SUITE,
    ),
    RawTable(
        name="census__api_monthly",
        live=True,
        source="census",
        description="US Census international trade API, imports and exports by HS10 and country, by month",
        patterns=("census/imports_hs_M/*/*.json", "census/exports_hs_M/*/*.json"),
        formats=(*API_FORMATS, ("time", MONTH), *formats(VALUE, "CON_VAL_MO", "CAL_DUT_MO", "ALL_VAL_MO")),
        **API_SUITE,
    ),
)
