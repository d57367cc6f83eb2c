"""CEPII BACI raw tables: country and product codes, and the bilateral trade flows of the bulk archives."""

from __future__ import annotations

from orchestration.ingest.registry.tables import ColumnFormat, RawTable, ValueRange

# CEPII BACI bulk archives (BACI_HS17_V202401.zip), in the sample or the live landing area.
BACI_ARCHIVE_PATTERN = "baci/**/BACI_HS*_V*.zip"
# The fetch asset of the BACI connector (landing/baci_archives): its releases land under baci/archives/.
BACI_ARCHIVES = "baci_archives"

TABLES: tuple[RawTable, ...] = (
    RawTable(
        name="baci__country_codes",
        source="baci",
        description="CEPII BACI country codes (reference files, and the file inside each BACI archive)",
        patterns=("baci/reference/country_codes_V*.csv", BACI_ARCHIVE_PATTERN),
        fetched_by=BACI_ARCHIVES,
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
        not_null=("country_name_abbreviation",),
        formats=(
            ("country_code", ColumnFormat("^[0-9]{1,3}$", "BACI country codes: 1-3 digits (ISO 3166 numeric-like)")),
            ("iso_3digit_alpha", ColumnFormat("^([A-Z]{3}|N/A)$", "N/A for a few historical entities")),
        ),
        licence="Etalab Open Licence 2.0 (CEPII)",
    ),
    RawTable(
        name="baci__product_codes",
        source="baci",
        description="CEPII BACI HS6 product codes (leading zeros lost)",
        patterns=("baci/reference/product_codes_HS*.csv", BACI_ARCHIVE_PATTERN),
        fetched_by=BACI_ARCHIVES,
        archive_members=("product_codes_HS*_V*.csv",),
        reader="csv",
        columns=("code", "description"),
        grain=("code",),
        not_null=("description",),
        formats=(("code", ColumnFormat("^[0-9]{5,6}$", "leading zeros lost: pad to six on load")),),
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
        fetched_by=BACI_ARCHIVES,
        archive_members=("BACI_HS*_Y*_V*.csv",),
        reader="csv",
        columns=("t", "i", "j", "k", "v", "q"),
        grain=("t", "i", "j", "k"),
        row="one row per year, exporter, importer, product",
        not_null=("v",),
        formats=(
            ("k", ColumnFormat("^[0-9]{5,6}$", "HS6 with the leading zero dropped: 5 or 6 digits; padded in staging")),
            (
                "q",
                ColumnFormat(
                    r"^ *([0-9]+(\.[0-9]+)?|NA) *$",
                    "quantity in tonnes, or NA (space-padded in some releases); blank is null and allowed",
                ),
            ),
        ),
        ranges=(
            (
                "t",
                ValueRange(
                    "BACI starts in 1995 (HS92); a year outside 1988-2100 is a corrupt file "
                    "(parsed as INTEGER on read)",
                    1988,
                    2100,
                ),
            ),
            *(
                (
                    column,
                    ValueRange(
                        f"BACI {role} code: an integer of 1-3 digits (parsed on read) "
                        "(ISO 3166 numeric-like; 490 = Taiwan)",
                        0,
                        999,
                    ),
                )
                for column, role in (("i", "exporter"), ("j", "importer"))
            ),
            (
                "v",
                ValueRange(
                    "value in thousand USD: parsed as DECIMAL(18,3) on read (text that does not parse is a typed-read "
                    "reject), and never negative",
                    min=0,
                ),
            ),
        ),
        # Parsed on read (10M rows a year). k stays text (its leading zero is restored in staging);
        # q stays text: BACI right-aligns its NA marker ('         NA'), which staging reads as null.
        # CEPII publishes v to three decimals (the dollar): DECIMAL(18, 3) holds it exactly.
        column_types=(("t", "INTEGER"), ("i", "INTEGER"), ("j", "INTEGER"), ("v", "DECIMAL(18,3)")),
        # Downloaded by the live connector only: the offline sample has no BACI trade flows.
        required=False,
        licence="Etalab Open Licence 2.0 (CEPII)",
    ),
)
