"""Which files land in which raw table, and how each is read.

One entry per raw table. Files are found by glob under SAMPLE_DATA_DIR (or a landing area for the
live connectors); every file becomes one load of its table. Column lists are the header names as
the source publishes them: the raw layer keeps them verbatim, staging renames.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ReaderKind = Literal[
    "csv", "json_results", "json_object", "csv_cells", "text_lines", "comtrade_envelope", "census_table"
]

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

    def column_type(self, column: str) -> str:
        return dict(self.column_types).get(column, "VARCHAR")

    @property
    def suite_name(self) -> str:
        return f"raw__{self.name}"

    @property
    def all_columns(self) -> tuple[str, ...]:
        return self.columns + self.optional_columns


CELL_COLUMNS = ("row_number", "column_position", "column_name", "value")

# CEPII BACI bulk archives (BACI_HS17_V202401.zip), in the sample or the live landing area.
BACI_ARCHIVE_PATTERN = "baci/**/BACI_HS*_V*.zip"

RAW_TABLES: tuple[RawTable, ...] = (
    RawTable(
        name="comtrade__v1_records",
        trade_facts=True,
        references=("comtrade__reporters", "comtrade__hs_codes"),
        source="comtrade",
        description="UN Comtrade v1 records (API rows saved as CSV, and the website's CSV exports)",
        patterns=("comtrade/rows_us_china/*.csv",),
        reader="csv",
        columns=COMTRADE_V1_FIELDS,
        optional_columns=("commodity_name", "hs_code", "query_year"),
        grain=COMTRADE_GRAIN,
        licence="UN Comtrade terms of use; PNNL cmm-data extraction (MIT)",
    ),
    RawTable(
        name="comtrade__ui_exports",
        trade_facts=True,
        references=("comtrade__reporters", "comtrade__hs_codes"),
        source="comtrade",
        description="UN Comtrade website CSV exports, v1 layout, Latin-1, quoted, trailing comma",
        patterns=("comtrade/ui_exports/*.csv",),
        reader="csv",
        encoding="latin-1",
        columns=COMTRADE_V1_FIELDS,
        grain=COMTRADE_GRAIN,
        licence="UN Comtrade terms of use",
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
        licence="UN Comtrade terms of use",
    ),
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
        licence="Public domain (US Census Bureau); tradewartracker (MIT)",
    ),
    RawTable(
        name="usgs__mcs_world_cells",
        source="usgs",
        description="USGS MCS world production/reserves tables, every cell with its header",
        patterns=(
            "usgs_mcs/*/world/*_world.csv",
            "usgs_mcs/*/world/world/*_world.csv",
            "usgs_mcs/2022/individual_commodities/*_world.csv",
            "usgs_mcs/2025_rare_earths_transcribed/*.csv",
        ),
        reader="csv_cells",
        columns=CELL_COLUMNS,
        grain=("row_number", "column_position"),
        licence="Public domain (USGS)",
    ),
    RawTable(
        name="usgs__mcs_salient_cells",
        source="usgs",
        description="USGS MCS US salient statistics tables, every cell with its header",
        patterns=(
            "usgs_mcs/*/salient/salient/*_salient.csv",
            "usgs_mcs/2022/individual_commodities/*_salient.csv",
        ),
        reader="csv_cells",
        columns=CELL_COLUMNS,
        grain=("row_number", "column_position"),
        licence="Public domain (USGS)",
    ),
    RawTable(
        name="usgs__mcs_net_import_reliance",
        source="usgs",
        description="USGS MCS figure 2: US net import reliance and major import sources",
        patterns=("usgs_mcs/*/*/MCS*_Fig2_Net_Import_Reliance.csv",),
        reader="csv_cells",
        columns=CELL_COLUMNS,
        grain=("row_number", "column_position"),
        licence="Public domain (USGS)",
    ),
    RawTable(
        name="taiwan__exports_by_destination",
        trade_facts=True,
        references=("taiwan__country_names",),
        source="taiwan_customs",
        description="Taiwan customs exports of HS 8542 (11-digit CCC) by destination, USD",
        patterns=("taiwan_customs/taiwan_exports_by_country_*.csv",),
        reader="csv",
        columns=("Year", "Country", "HS Code", "Description", "Export Value (USD)"),
        grain=("Year", "Country", "HS Code"),
        licence="Taiwan Ministry of Finance open data; data-visualization-labs extraction",
    ),
    RawTable(
        name="taiwan__country_names",
        source="taiwan_customs",
        description="Chinese to English country names for the Taiwan customs file",
        patterns=("taiwan_customs/country_name_map_full.json",),
        reader="json_object",
        columns=("name_zh", "name_en"),
        grain=("name_zh",),
        licence="data-visualization-labs (no licence file)",
    ),
    RawTable(
        name="hs__nomenclature_2022",
        source="hs",
        description="HS 2022 nomenclature: sections, chapters, headings, subheadings",
        patterns=("hs/nomenclature_hs2022/harmonized-system.csv",),
        reader="csv",
        columns=("section", "hscode", "description", "parent", "level"),
        grain=("hscode",),
        licence="ODC-PDDL 1.0 (datasets/harmonized-system)",
    ),
    RawTable(
        name="hs__concordance",
        source="hs",
        description="UNSD HS correlation, all vintages stacked (leading zeros dropped)",
        patterns=("hs/concordance/HS_consolidated_comtrade_concordances.csv",),
        reader="csv",
        columns=("code.after", "code.before", "Relationship", "adjustment"),
        grain=("code.after", "code.before", "adjustment"),
        licence="UN terms of use; harvard-growth-lab (Apache-2.0)",
    ),
    RawTable(
        name="baci__country_codes",
        source="baci",
        description="CEPII BACI country codes (reference files, and the file inside each BACI archive)",
        patterns=("baci/reference/country_codes_V*.csv", BACI_ARCHIVE_PATTERN),
        archive_members=("country_codes_V*.csv",),
        # Since V202401: country_code,country_name,country_iso2,country_iso3 (no full name).
        header_aliases=(
            ("country_name", "country_name_abbreviation"),
            ("country_iso2", "iso_2digit_alpha"),
            ("country_iso3", "iso_3digit_alpha"),
        ),
        reader="csv",
        columns=(
            "country_code",
            "country_name_abbreviation",
            "iso_2digit_alpha",
            "iso_3digit_alpha",
        ),
        # Up to V202301 only: null for later releases.
        optional_columns=("country_name_full",),
        grain=("country_code",),
        licence="Etalab Open Licence 2.0 (CEPII)",
    ),
    RawTable(
        name="baci__product_codes",
        source="baci",
        description="CEPII BACI HS6 product codes (leading zeros lost)",
        patterns=("baci/reference/product_codes_HS*.csv", BACI_ARCHIVE_PATTERN),
        archive_members=("product_codes_HS*_V*.csv",),
        reader="csv",
        columns=("code", "description"),
        grain=("code",),
        licence="Etalab Open Licence 2.0 (CEPII)",
    ),
    RawTable(
        name="baci__trade_flows",
        trade_facts=True,
        references=("baci__country_codes",),
        source="baci",
        description=(
            "CEPII BACI bilateral trade flows, one CSV per year inside each bulk archive: t year, "
            "i exporter, j importer (BACI codes), k HS6 (leading zeros lost), v thousand USD (FOB), "
            "q tonnes (NA when unknown)"
        ),
        patterns=(BACI_ARCHIVE_PATTERN,),
        archive_members=("BACI_HS*_Y*_V*.csv",),
        reader="csv",
        columns=("t", "i", "j", "k", "v", "q"),
        grain=("t", "i", "j", "k"),
        # Parsed on read (10M rows a year). k stays text (its leading zero is restored in staging);
        # q stays text: BACI right-aligns its NA marker ('         NA'), which staging reads as null.
        # CEPII publishes v to three decimals (the dollar): DECIMAL(18, 3) holds it exactly.
        column_types=(("t", "INTEGER"), ("i", "INTEGER"), ("j", "INTEGER"), ("v", "DECIMAL(18,3)")),
        # Downloaded by the live connector only: the offline sample has no BACI trade flows.
        required=False,
        licence="Etalab Open Licence 2.0 (CEPII)",
    ),
    RawTable(
        name="tariffs__section_301_rates",
        source="tariffs",
        description=(
            "US Section 301 duty rates on goods of China by HTS8 over time (lists 1-4A, 2024 four-year "
            "review actions), with chapter 99 heading, effective window and impose/exclude role"
        ),
        patterns=("tariffs/us/section_301_rates_temporal.csv",),
        reader="csv",
        columns=(
            "hts_8digit",
            "chapter_99_code",
            "duty_rate",
            "effective_start",
            "effective_end",
            "list_name",
            "source",
            "role",
        ),
        grain=("hts_8digit", "chapter_99_code", "effective_start"),
        licence="US government documents (public domain); luv91/Laynes compilation (no licence file)",
    ),
    RawTable(
        name="tariffs__ieepa_rates",
        source="tariffs",
        description=(
            "US IEEPA fentanyl and reciprocal tariff rates by country (ISO2) over 2025, with exemption headings"
        ),
        patterns=("tariffs/us/ieepa_rates_temporal.csv",),
        reader="csv",
        columns=(
            "program_type",
            "country_code",
            "chapter_99_code",
            "duty_rate",
            "variant",
            "rate_type",
            "effective_start",
            "effective_end",
            "source_doc",
        ),
        grain=("program_type", "country_code", "chapter_99_code", "effective_start"),
        licence="US government documents (public domain); luv91/Laynes compilation (no licence file)",
    ),
    RawTable(
        name="tariffs__mfn_base_rates",
        source="tariffs",
        description="US HTS 2025 Basic Edition column-1 general (MFN), special and column-2 rates by HTS8",
        patterns=("tariffs/us/mfn_base_rates_8digit.csv",),
        reader="csv",
        columns=(
            "hts_8digit",
            "description",
            "unit",
            "general_rate_raw",
            "general_ad_valorem_rate",
            "special_rate_raw",
            "other_rate_raw",
            "edition_label",
            "generated_at",
            "conflict_count_same_8digit",
        ),
        grain=("hts_8digit",),
        licence="USITC HTS (public domain); luv91/Laynes compilation (no licence file)",
    ),
    RawTable(
        name="tariffs__annex_ii_exemptions",
        source="tariffs",
        description="HTS prefixes exempt from the IEEPA reciprocal tariff (EO 14257 Annex II and additions)",
        patterns=("tariffs/us/annex_ii_exemptions.csv",),
        reader="csv",
        columns=("hts_prefix", "description", "exemption_code", "category", "source", "effective_date"),
        grain=("hts_prefix",),
        licence="US government documents (public domain); luv91/Laynes compilation (no licence file)",
    ),
    RawTable(
        name="tariffs__section_232_lines",
        source="tariffs",
        description=(
            "US Section 232 HTS list (steel, aluminum, copper, auto parts, semiconductors), one row per "
            "line of the file: '#' comment lines carry each section's effective date, CRLF and LF mixed"
        ),
        patterns=("tariffs/us/section_232_hts_codes.csv",),
        reader="text_lines",
        columns=("line_number", "line"),
        grain=("line_number",),
        licence="US government documents (public domain); luv91/Laynes compilation (no licence file)",
    ),
    RawTable(
        name="eu_crm__global_supply_shares",
        source="eu_crm",
        description=(
            "EU CRM assessment 2023, Appendix 7: global supply shares by material, stage (E extraction, "
            "P processing) and country, as text ('93.8%', '<0.1%'), with the trade variable t"
        ),
        patterns=("eu_crm/fact_GlobalSupplyShares_and_t.csv",),
        reader="csv",
        encoding="latin-1",
        columns=("Material", "Stage", "Country", "Share", "t"),
        grain=("Material", "Stage", "Country"),
        licence="CC BY 4.0 (European Commission); erikemilsson extraction",
    ),
    RawTable(
        name="eu_crm__eu_supply_shares",
        source="eu_crm",
        description=(
            "EU CRM assessment 2023, Appendix 7: EU sourcing shares (>= 1%) by material, stage and "
            "country, as text ('63%'), with the trade variable t"
        ),
        patterns=("eu_crm/fact_EUSupplyShares_and_t.csv",),
        reader="csv",
        encoding="latin-1",
        columns=("Material", "Stage", "Country", "Share", "t"),
        grain=("Material", "Stage", "Country"),
        licence="CC BY 4.0 (European Commission); erikemilsson extraction",
    ),
)


def raw_table(name: str) -> RawTable:
    for table in RAW_TABLES:
        if table.name == name:
            return table
    raise KeyError(f"unknown raw table {name!r}; known: {[t.name for t in RAW_TABLES]}")
