"""UN Comtrade raw tables: v1 records (sample CSVs, website exports, live API and bulk files), the
pre-2023 legacy layouts, and the reporter and HS reference lists.

The five v1 tables share the 47 fields, the grain and the code formats defined once here; their
rules shared beyond that (flow codes, reference lists) are in data_quality/rules/_comtrade_v1.yaml.
"""

from __future__ import annotations

from orchestration.ingest.registry.tables import NON_NEGATIVE, YEAR, ColumnFormat, RawTable, formats

# The 47 fields of a UN Comtrade v1 record (data API, bulk files and the website's CSV export).
COMTRADE_V1_FIELDS: tuple[str, ...] = (
    "typeCode", "freqCode", "refPeriodId", "refYear", "refMonth", "period", "reporterCode",
    "reporterISO", "reporterDesc", "flowCode", "flowDesc", "partnerCode", "partnerISO",
    "partnerDesc", "partner2Code", "partner2ISO", "partner2Desc", "classificationCode",
    "classificationSearchCode", "isOriginalClassification", "cmdCode", "cmdDesc", "aggrLevel",
    "isLeaf", "customsCode", "customsDesc", "mosCode", "motCode", "motDesc", "qtyUnitCode",
    "qtyUnitAbbr", "qty", "isQtyEstimated", "altQtyUnitCode", "altQtyUnitAbbr", "altQty",
    "isAltQtyEstimated", "netWgt", "isNetWgtEstimated", "grossWgt", "isGrossWgtEstimated",
    "cifvalue", "fobvalue", "primaryValue", "legacyEstimationFlag", "isReported", "isAggregate",
)  # fmt: skip
# What identifies one Comtrade record: reporter, partner, flow, period, product and the breakdowns.
COMTRADE_GRAIN: tuple[str, ...] = (
    "typeCode", "freqCode", "period", "reporterCode", "flowCode", "partnerCode", "partner2Code",
    "classificationCode", "cmdCode", "customsCode", "motCode",
)  # fmt: skip

# The labels the data API adds to a Comtrade record; "final" bulk files carry the other fields only
# (isInBulkFileFinal in Comtrade's data-item dictionary, reference/TradeDataItems.json). The dictionary
# spells four of those differently (cifValue, fobValue, isnetWgtEstimated, isgrossWgtEstimated): the
# bulk table matches header names to the API's without regard to case.
COMTRADE_BULK_LABELS = (
    "reporterISO", "reporterDesc", "flowDesc", "partnerISO", "partnerDesc", "partner2ISO", "partner2Desc",
    "cmdDesc", "aggrLevel", "isLeaf", "customsDesc", "motDesc", "qtyUnitAbbr", "altQtyUnitAbbr",
)  # fmt: skip
COMTRADE_BULK_FIELDS = tuple(f for f in COMTRADE_V1_FIELDS if f not in COMTRADE_BULK_LABELS)
COMTRADE_LICENCE = "UN Comtrade terms of use (fetched from the v1 API)"

# Formats of the v1 fields, shared by the five v1 tables.
REPORTER_CODE = ColumnFormat("^[0-9]{1,3}$", "Comtrade M49-like numeric codes (not ISO)")
HS_CODE = ColumnFormat("^(TOTAL|[0-9]{2}|[0-9]{4}|[0-9]{6})$", "HS chapter, heading or subheading, or TOTAL")
# The legacy layouts' spelling of the same pattern.
LEGACY_HS_CODE = ColumnFormat("^([0-9]{2}|[0-9]{4}|[0-9]{6}|TOTAL)$", "HS chapter, heading or subheading, or TOTAL")
HS_VINTAGE = ColumnFormat("^H[0-6]$", "HS vintage as reported: H0 (1988) .. H6 (2022)")
V1_CODE_FORMATS = (
    ("reporterCode", REPORTER_CODE),
    ("partnerCode", REPORTER_CODE.because("Comtrade M49-like numeric codes; 0 = World")),
    ("partner2Code", REPORTER_CODE.because("Comtrade M49-like numeric codes; 0 = World (second partner)")),
    ("classificationCode", HS_VINTAGE),
    ("cmdCode", HS_CODE),
    ("customsCode", ColumnFormat("^C[0-9A-Z]{2}$", "customs procedure codes: C00 (total), C01.., CXX")),
    ("motCode", ColumnFormat("^[0-9]+$", "mode of transport: a number (0 = all modes)")),
    *formats(NON_NEGATIVE, "primaryValue", "netWgt", "cifvalue", "fobvalue", "qty", "altQty", "grossWgt"),
)
MONTH_OR_YEAR = "months 1-12; 52 means the whole year"
ANNUAL_FORMATS = (
    ("refMonth", ColumnFormat("^52$", "52 marks an annual figure; months are 1-12")),
    ("period", ColumnFormat("^(19|20)[0-9]{2}$", "YYYY for annual, YYYYMM for monthly")),
)
MONTHLY_FORMATS = (
    ("refMonth", ColumnFormat("^([1-9]|1[0-2])$", "52 marks an annual figure; months are 1-12")),
    ("period", ColumnFormat("^(19|20)[0-9]{2}(0[1-9]|1[0-2])$", "YYYY for annual, YYYYMM for monthly")),
)
MIXED_FORMATS = (
    ("refMonth", ColumnFormat("^([1-9]|1[0-2]|52)$", MONTH_OR_YEAR)),
    ("period", ColumnFormat("^(19|20)[0-9]{2}((0[1-9])|(1[0-2]))?$", "YYYY or YYYYMM")),
)
# What a v1 table asks beyond its grain and formats.
V1_SUITE = {
    "grain": COMTRADE_GRAIN,
    "row": "one record per reporter, partner, flow, period, product and breakdown within a load",
    "not_null": ("refYear", "refMonth", "primaryValue"),
    "references": ("comtrade__reporters", "comtrade__hs_codes"),
    "trade_facts": True,
}
# What the annual and monthly data API tables share (the live connector's JSON envelopes).
API_RECORDS = {
    "live": True,
    "source": "comtrade",
    "reader": "comtrade_envelope",
    "columns": COMTRADE_V1_FIELDS,
    "licence": COMTRADE_LICENCE,
    **V1_SUITE,
}

TABLES: tuple[RawTable, ...] = (
    RawTable(
        name="comtrade__v1_records",
        source="comtrade",
        description="UN Comtrade v1 records (API rows saved as CSV, and the website's CSV exports)",
        patterns=("comtrade/rows_us_china/*.csv",),
        reader="csv",
        columns=COMTRADE_V1_FIELDS,
        optional_columns=("commodity_name", "hs_code", "query_year"),
        formats=V1_CODE_FORMATS + MIXED_FORMATS,
        licence="UN Comtrade terms of use; PNNL cmm-data extraction (MIT)",
        **V1_SUITE,
    ),
    RawTable(
        name="comtrade__ui_exports",
        source="comtrade",
        description="UN Comtrade website CSV exports, v1 layout, Latin-1, quoted, trailing comma",
        patterns=("comtrade/ui_exports/*.csv",),
        reader="csv",
        encoding="latin-1",
        columns=COMTRADE_V1_FIELDS,
        formats=V1_CODE_FORMATS + MIXED_FORMATS,
        licence="UN Comtrade terms of use",
        **V1_SUITE,
    ),
    RawTable(
        name="comtrade__legacy_classic",
        trade_facts=True,
        references=("comtrade__reporters",),
        source="comtrade",
        description="Pre-2023 Comtrade website CSV download (classic layout)",
        patterns=("comtrade/legacy/comtrade_*.csv",),
        reader="csv",
        encoding="latin-1",
        columns=(
            "Classification",
            "Year",
            "Period",
            "Period Desc.",
            "Aggregate Level",
            "Is Leaf Code",
            "Trade Flow Code",
            "Trade Flow",
            "Reporter Code",
            "Reporter",
            "Reporter ISO",
            "Partner Code",
            "Partner",
            "Partner ISO",
            "2nd Partner Code",
            "2nd Partner",
            "2nd Partner ISO",
            "Customs Proc. Code",
            "Customs",
            "Mode of Transport Code",
            "Mode of Transport",
            "Commodity Code",
            "Commodity",
            "Qty Unit Code",
            "Qty Unit",
            "Qty",
            "Alt Qty Unit Code",
            "Alt Qty Unit",
            "Alt Qty",
            "Netweight (kg)",
            "Gross weight (kg)",
            "Trade Value (US$)",
            "CIF Trade Value (US$)",
            "FOB Trade Value (US$)",
            "Flag",
        ),
        grain=(
            "Classification",
            "Period",
            "Trade Flow Code",
            "Reporter Code",
            "Partner Code",
            "Commodity Code",
        ),
        # never required non-null (the hand-written suite did not); the sample fills it in every row
        nullable_grain=("Classification",),
        row="one row per classification, period, flow, reporter, partner and commodity",
        not_null=("Year", "Trade Value (US$)"),
        formats=(
            ("Classification", HS_VINTAGE),
            ("Year", YEAR),
            ("Reporter Code", REPORTER_CODE),
            ("Partner Code", REPORTER_CODE.because("Comtrade M49-like numeric codes; 0 = World")),
            ("Commodity Code", LEGACY_HS_CODE),
            *formats(NON_NEGATIVE, "Trade Value (US$)", "Netweight (kg)", "Qty"),
        ),
        licence="UN Comtrade terms of use; andre-barbe/semiconductor-trade (MIT)",
    ),
    RawTable(
        name="comtrade__legacy_api",
        trade_facts=True,
        references=("comtrade__reporters",),
        source="comtrade",
        description="Retired comtrade.un.org/api/get fields as written by R",
        patterns=("comtrade/legacy/data_comtrade_legacy_api.csv",),
        reader="csv",
        encoding="latin-1",
        columns=(
            "column00",
            "pfCode",
            "yr",
            "period",
            "periodDesc",
            "aggrLevel",
            "IsLeaf",
            "rgCode",
            "rgDesc",
            "rtCode",
            "rtTitle",
            "rt3ISO",
            "ptCode",
            "ptTitle",
            "pt3ISO",
            "ptCode2",
            "ptTitle2",
            "pt3ISO2",
            "cstCode",
            "cstDesc",
            "motCode",
            "motDesc",
            "cmdCode",
            "cmdDescE",
            "qtCode",
            "qtDesc",
            "qtAltCode",
            "qtAltDesc",
            "TradeQuantity",
            "AltQuantity",
            "NetWeight",
            "GrossWeight",
            "TradeValue",
            "CIFValue",
            "FOBValue",
            "estCode",
        ),
        grain=("pfCode", "period", "rgCode", "rtCode", "ptCode", "cmdCode"),
        # never required non-null (the hand-written suite did not); the sample fills it in every row
        nullable_grain=("pfCode",),
        row="one row per classification, period, flow, reporter, partner and commodity",
        not_null=("yr", "TradeValue"),
        formats=(
            ("yr", YEAR),
            ("rtCode", REPORTER_CODE),
            ("ptCode", REPORTER_CODE.because("Comtrade M49-like numeric codes; 0 = World")),
            ("cmdCode", LEGACY_HS_CODE),
            ("TradeValue", NON_NEGATIVE.because("R may write 1e+05")),
            (
                "NetWeight",
                ColumnFormat(
                    r"^([0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?|NA)$", "R writes missing as NA and large numbers as 1e+05"
                ),
            ),
        ),
        licence="UN Comtrade terms of use; andre-barbe/semiconductor-trade (MIT)",
    ),
    RawTable(
        name="comtrade__reporters",
        source="comtrade",
        description="Comtrade reference: reporters (M49-like codes, ISO2/ISO3, isGroup)",
        patterns=("comtrade/reference/reference_Reporters.json",),
        reader="json_results",
        columns=(
            "id",
            "text",
            "reporterCode",
            "reporterDesc",
            "reporterNote",
            "reporterCodeIsoAlpha2",
            "reporterCodeIsoAlpha3",
            "entryEffectiveDate",
            "isGroup",
        ),
        optional_columns=("entryExpiredDate",),
        grain=("reporterCode",),
        not_null=("reporterDesc", "isGroup"),
        formats=(
            ("reporterCode", REPORTER_CODE),
            (
                "reporterCodeIsoAlpha3",
                ColumnFormat(
                    "^[A-Z0-9_]{2,3} ?$",
                    "ISO3 for countries; 'R4 ', 'S19', '_PM' style codes for groups and special areas",
                ),
            ),
        ),
        licence="UN Comtrade terms of use",
    ),
    RawTable(
        name="comtrade__hs_codes",
        source="comtrade",
        description="Comtrade reference: combined HS codes with parent, level and standard unit",
        patterns=("comtrade/reference/reference_HS.json",),
        reader="json_results",
        columns=("id", "text", "parent", "isLeaf", "aggrLevel", "standardUnitAbbr"),
        grain=("id",),
        not_null=("text", "aggrLevel"),
        formats=(("id", HS_CODE),),
        licence="UN Comtrade terms of use",
    ),
    RawTable(
        name="comtrade__api_annual",
        description="UN Comtrade v1 API annual records (freq A), JSON envelopes as fetched",
        patterns=("comtrade/C_A_HS/*/*.json",),
        formats=V1_CODE_FORMATS + ANNUAL_FORMATS,
        **API_RECORDS,
    ),
    RawTable(
        name="comtrade__api_monthly",
        description="UN Comtrade v1 API monthly records (freq M), JSON envelopes as fetched",
        patterns=("comtrade/C_M_HS/*/*.json",),
        formats=V1_CODE_FORMATS + MONTHLY_FORMATS,
        **API_RECORDS,
    ),
    RawTable(
        name="comtrade__bulk_annual",
        live=True,
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
        formats=V1_CODE_FORMATS
        + ANNUAL_FORMATS
        + formats(
            ColumnFormat(
                "^(?i:true|false)$",
                "booleans as text; the bulk files' spelling (True/False or true/false) is not documented, "
                "so either case is accepted",
            ),
            "isOriginalClassification",
            "isReported",
            "isAggregate",
            "isQtyEstimated",
            "isNetWgtEstimated",
        ),  # fmt: skip
        licence=COMTRADE_LICENCE,
        **V1_SUITE,
    ),
)
