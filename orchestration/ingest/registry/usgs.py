"""USGS Mineral Commodity Summaries raw tables: every cell of each CSV with its header (sample
tables, and the data release CSVs the live connector downloads from ScienceBase)."""

from __future__ import annotations

from orchestration.ingest.registry.tables import CELL_COLUMNS, DIGITS, RawTable

CELLS = {
    "reader": "csv_cells",
    "columns": CELL_COLUMNS,
    "grain": ("row_number", "column_position"),
    "row": "one cell per row number and column position of the file",
    "not_null": ("value", "column_name"),
    "formats": (("row_number", DIGITS), ("column_position", DIGITS)),
    "licence": "Public domain (USGS)",
}

TABLES: tuple[RawTable, ...] = (
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
        **CELLS,
    ),
    RawTable(
        name="usgs__mcs_salient_cells",
        source="usgs",
        description="USGS MCS US salient statistics tables, every cell with its header",
        patterns=(
            "usgs_mcs/*/salient/salient/*_salient.csv",
            "usgs_mcs/2022/individual_commodities/*_salient.csv",
        ),
        **CELLS,
    ),
    RawTable(
        name="usgs__mcs_net_import_reliance",
        source="usgs",
        description="USGS MCS figure 2: US net import reliance and major import sources",
        patterns=("usgs_mcs/*/*/MCS*_Fig2_Net_Import_Reliance.csv",),
        **CELLS,
    ),
    RawTable(
        name="usgs__mcs_release_cells",
        live=True,
        source="usgs",
        description="USGS Mineral Commodity Summaries data release CSVs (world and salient tables) "
        "downloaded from ScienceBase, every cell with its header",
        patterns=("usgs/mcs_release/*/extracted/**/*.csv",),
        **CELLS,
    ),
)
