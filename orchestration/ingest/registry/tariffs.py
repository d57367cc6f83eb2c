"""US tariff raw tables: Section 301, IEEPA, MFN base rates, Annex II exemptions, Section 232 lines."""

from __future__ import annotations

from orchestration.ingest.registry.tables import CHAPTER_99, DECIMAL, DIGITS, ISO_DATE, ColumnFormat, RawTable

HTS8 = ColumnFormat("^[0-9]{8}$", "HTS8 with leading zeros kept")

TABLES: tuple[RawTable, ...] = (
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
        row="one row per HTS8 line, chapter 99 heading and start date",
        not_null=("duty_rate", "role", "list_name"),
        formats=(
            ("hts_8digit", HTS8),
            ("chapter_99_code", CHAPTER_99.because("Section 301 headings are in chapter 99 subchapter III")),
            ("duty_rate", DECIMAL.because("ad valorem rate as a decimal (0.25 = 25%)")),
            ("duty_rate", ColumnFormat(r"^(0(\.[0-9]+)?|1(\.0+)?)$", "Section 301 rates lie between 0 and 100%")),
            ("effective_start", ISO_DATE),
            ("effective_end", ISO_DATE),
        ),
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
        row="one row per programme, country, chapter 99 heading and start date",
        not_null=("duty_rate", "rate_type"),
        formats=(
            ("country_code", ColumnFormat("^[A-Z]{2}$", "ISO 3166 alpha-2")),
            ("chapter_99_code", CHAPTER_99),
            ("duty_rate", DECIMAL.because("ad valorem rate as a decimal (0.25 = 25%)")),
            ("duty_rate", ColumnFormat(r"^(0(\.[0-9]+)?|1(\.[0-9]+)?|2(\.[0-9]+)?)$", "no IEEPA rate above 200%")),
            ("effective_start", ISO_DATE),
            ("effective_end", ISO_DATE),
        ),
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
        not_null=("edition_label",),
        formats=(
            ("hts_8digit", HTS8),
            (
                "general_ad_valorem_rate",
                DECIMAL.because("decimal ad valorem rate; null for specific or compound rates"),
            ),
            (
                "edition_label",
                ColumnFormat("^HTS 20[0-9]{2} .*Edition.*$", "the HTS edition: 'HTS 2025 Basic Edition'"),
            ),
            (
                "conflict_count_same_8digit",
                ColumnFormat("^0$", "one general rate per HTS8: a conflict would make the MFN rate ambiguous"),
            ),
        ),
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
        not_null=("exemption_code", "effective_date"),
        formats=(
            (
                "hts_prefix",
                ColumnFormat(r"^[0-9]{4}(\.?[0-9]{2}){0,3}$", "an HTS heading, subheading or line, dotted or not"),
            ),
            ("exemption_code", ColumnFormat(r"^9903\.01\.[0-9]{2}$", "the Annex II headings are 9903.01.xx")),
            ("effective_date", ISO_DATE),
        ),
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
        not_null=("line",),
        formats=(
            ("line_number", DIGITS),
            (
                "line",
                ColumnFormat(
                    "^(|#.*|hts_code,material,article_type,chapter_99_claim,chapter_99_disclaim,duty_rate|"
                    r"[0-9]{4}\.[0-9]{2}(\.[0-9]{2,4})?,[a-z_]+,[a-z_]+,9903\.[0-9]{2}\.[0-9]{2},"
                    r"9903\.[0-9]{2}\.[0-9]{2},[0-9]+(\.[0-9]+)?)$",
                    "every line is blank, a '#' section comment, the header, or "
                    "hts_code,material,article_type,claim,disclaim,rate",
                ),
            ),
        ),
        licence="US government documents (public domain); luv91/Laynes compilation (no licence file)",
    ),
)
