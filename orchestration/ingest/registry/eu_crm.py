"""EU critical raw materials assessment 2023 raw tables: global and EU supply shares (Appendix 7)."""

from __future__ import annotations

from orchestration.ingest.registry.tables import DECIMAL, ColumnFormat, RawTable

SHARE_FORMATS = (
    ("Share", ColumnFormat(r"^<?[0-9]+(\.[0-9]+)?%$", "shares as published: '93.8%', '<0.1%'", mostly=0.995)),
    ("Share", ColumnFormat(r"^<?[0-9]+(\.[0-9]+)?%?$", "a number, at most one missing '%' sign (read as percent)")),
    ("t", DECIMAL.because("trade-related variable of the supply-risk formula")),
)

# Both tables of Appendix 7 share their layout, and their suite's formats.
APPENDIX_7 = {
    "source": "eu_crm",
    "reader": "csv",
    "encoding": "latin-1",
    "columns": ("Material", "Stage", "Country", "Share", "t"),
    "grain": ("Material", "Stage", "Country"),
    "row": "one row per material, stage and country",
    "not_null": ("Share",),
    "formats": SHARE_FORMATS,
    "licence": "CC BY 4.0 (European Commission); erikemilsson extraction",
}

TABLES: tuple[RawTable, ...] = (
    RawTable(
        name="eu_crm__global_supply_shares",
        description=(
            "EU CRM assessment 2023, Appendix 7: global supply shares by material, stage (E extraction, "
            "P processing) and country, as text ('93.8%', '<0.1%'), with the trade variable t"
        ),
        patterns=("eu_crm/fact_GlobalSupplyShares_and_t.csv",),
        **APPENDIX_7,
    ),
    RawTable(
        name="eu_crm__eu_supply_shares",
        description=(
            "EU CRM assessment 2023, Appendix 7: EU sourcing shares (>= 1%) by material, stage and "
            "country, as text ('63%'), with the trade variable t"
        ),
        patterns=("eu_crm/fact_EUSupplyShares_and_t.csv",),
        **APPENDIX_7,
    ),
)
