"""Harmonized System raw tables: the HS 2022 nomenclature and the UNSD correlation tables."""

from __future__ import annotations

from orchestration.ingest.registry.tables import ColumnFormat, RawTable

TABLES: tuple[RawTable, ...] = (
    RawTable(
        name="hs__nomenclature_2022",
        source="hs",
        description="HS 2022 nomenclature: sections, chapters, headings, subheadings",
        patterns=("hs/nomenclature_hs2022/harmonized-system.csv",),
        reader="csv",
        columns=("section", "hscode", "description", "parent", "level"),
        grain=("hscode",),
        not_null=("description", "level", "section"),
        formats=(
            (
                "hscode",
                ColumnFormat(
                    "^([0-9]{2}|[0-9]{4}|[0-9]{6}|TOTAL)$",
                    "codes keep their leading zeros; one TOTAL row for all commodities",
                ),
            ),
            ("section", ColumnFormat("^([IVXL]+|TOTAL)$", "sections are Roman numerals; TOTAL for the TOTAL row")),
        ),
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
        row="one row per code pair and vintage adjustment",
        not_null=("Relationship",),
        formats=(
            (
                "code.after",
                ColumnFormat(
                    "^[0-9]{1,6}$", "leading zeros dropped (10111 = 010111); SITC-era slices have shorter codes"
                ),
            ),
            (
                "code.before",
                ColumnFormat(
                    "^[0-9]{1,6}$",
                    "leading zeros dropped; two rows of the 1992->1988 slice carry 'I' and 'II' instead of a code "
                    "(staging keeps only HS1996+ slices)",
                    mostly=0.9999,
                ),
            ),
            ("adjustment", ColumnFormat("^(19|20)[0-9]{2} to (19|20)[0-9]{2}$", "a vintage pair: '2017 to 2022'")),
        ),
        licence="UN terms of use; harvard-growth-lab (Apache-2.0)",
    ),
)
