"""Taiwan customs raw tables: HS 8542 exports by destination and the Chinese-English country names."""

from __future__ import annotations

from orchestration.ingest.registry.tables import NON_NEGATIVE, ColumnFormat, RawTable

TABLES: tuple[RawTable, ...] = (
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
        row="one row per year, destination and CCC code",
        formats=(
            ("Year", ColumnFormat("^20[0-9]{2}$", "Gregorian years in this file (the totals file uses ROC years)")),
            ("HS Code", ColumnFormat("^8542[0-9]{7}$", "11-digit CCC codes under HS 8542")),
            ("Export Value (USD)", NON_NEGATIVE.because("export values are never negative")),
        ),
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
        not_null=("name_en",),
        licence="data-visualization-labs (no licence file)",
    ),
)
