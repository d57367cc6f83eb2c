"""The bad-input battery: one real sample file altered one way at a time, landed through the gate.

Every source is covered, in each of its ways of being wrong: format (negative or non-numeric values,
malformed codes, duplicates, renamed or missing columns), domain and reference (codes outside the
source's own lists, years out of coverage or in the future, shares above 100%, rates out of range),
encoding, truncation, byte-level corruption (NUL bytes, invalid UTF-8, an overlong line, UTF-16,
HTML instead of CSV, an empty file), and harmless variations (CRLF, BOM, trailing blank lines,
reordered columns) that must pass with unchanged figures.

Each case lands its file into a copy of one warehouse that holds the reference tables, exactly as a
run's raw asset does (`ingest_table`), and asserts the outcome, the file, the column and the rule in
the message, and that nothing of a refused file reached raw. The whole-run side (exit status, the
published snapshot byte-identical, the fixed file loading on the next run) is
tests/test_pipeline_end_to_end.py::test_corrupted_sample_files_fail_clearly_and_keep_the_published_snapshot.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest import landing
from orchestration.ingest.ingest import ingest_table
from orchestration.ingest.registry import raw_table

REFERENCES = (
    "comtrade__reporters", "comtrade__hs_codes", "census__country_codes", "hs__nomenclature_2022",
    "taiwan__country_names",
)  # fmt: skip

GALLIUM = "comtrade/rows_us_china/gallium_trade_data.csv"
UI_EXPORTS = "comtrade/ui_exports/ic_exports_comparison_uncomtrade_2013_2024.csv"
LEGACY = "comtrade/legacy/data_comtrade_legacy_api.csv"
CENSUS = "census/us_imports_2024_hs10_by_country_chips_rare_earths.csv"
CENSUS_CODES = "census/CensusCountryMapping_FRBAtl_short.csv"
EU_CRM = "eu_crm/fact_GlobalSupplyShares_and_t.csv"
TAIWAN = "taiwan_customs/taiwan_exports_by_country_2013_2025.csv"
MFN = "tariffs/us/mfn_base_rates_8digit.csv"
S301 = "tariffs/us/section_301_rates_temporal.csv"
USGS_NIR = "usgs_mcs/2024/mineral industry trends and salient statistics/MCS2024_Fig2_Net_Import_Reliance.csv"
USGS_WORLD = "usgs_mcs/2024/world/MCS2024-bismu_world.csv"
USGS_SALIENT = "usgs_mcs/2024/salient/salient/MCS2024-bismu_salient.csv"
HS_CONCORDANCE = "hs/concordance/HS_consolidated_comtrade_concordances.csv"

TABLE_OF = {
    GALLIUM: "comtrade__v1_records",
    UI_EXPORTS: "comtrade__ui_exports",
    LEGACY: "comtrade__legacy_api",
    CENSUS: "census__imports_hs10",
    CENSUS_CODES: "census__country_codes",
    EU_CRM: "eu_crm__global_supply_shares",
    TAIWAN: "taiwan__exports_by_destination",
    MFN: "tariffs__mfn_base_rates",
    S301: "tariffs__section_301_rates",
    USGS_NIR: "usgs__mcs_net_import_reliance",
    USGS_WORLD: "usgs__mcs_world_cells",
    USGS_SALIENT: "usgs__mcs_salient_cells",
    HS_CONCORDANCE: "hs__concordance",
}
# A figure per file that harmless variations must leave unchanged.
FIGURE = {
    GALLIUM: 'sum("primaryValue"::double)',
    CENSUS: 'sum("CON_VAL_YR"::double)',
    EU_CRM: "count(*)",
    S301: 'sum("duty_rate"::double)',
}


# --- mutations of the file's bytes -------------------------------------------------------------


def encoding_of(rel: str) -> str:
    return raw_table(TABLE_OF[rel]).encoding


def set_field(line: int, column: str, value: str) -> Callable[[bytes, str], bytes]:
    """Line `line` (1 = first data row) gets `value` in `column`, the rest of the file as written."""

    def mutate(data: bytes, rel: str) -> bytes:
        enc = encoding_of(rel)
        text = data.decode(enc)
        lines = text.splitlines(keepends=True)
        header = next(csv.reader([lines[0].lstrip("\ufeff")]))
        fields = next(csv.reader([lines[line]]))
        fields[header.index(column)] = value
        out = io.StringIO()
        csv.writer(out, lineterminator=lines[line][len(lines[line].rstrip("\r\n")) :] or "\n").writerow(fields)
        lines[line] = out.getvalue()
        return "".join(lines).encode(enc)

    return mutate


def replace_bytes(old: bytes, new: bytes, count: int = 1) -> Callable[[bytes, str], bytes]:
    return lambda data, rel: data.replace(old, new, count)


def rename_header(old: str, new: str) -> Callable[[bytes, str], bytes]:
    def mutate(data: bytes, rel: str) -> bytes:
        first, rest = data.split(b"\n", 1)
        return first.replace(old.encode(), new.encode(), 1) + b"\n" + rest

    return mutate


def drop_column(column: str) -> Callable[[bytes, str], bytes]:
    def mutate(data: bytes, rel: str) -> bytes:
        enc = encoding_of(rel)
        rows = list(csv.reader(io.StringIO(data.decode(enc))))
        at = rows[0].index(column)
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([r[:at] + r[at + 1 :] for r in rows])
        return out.getvalue().encode(enc)

    return mutate


def reorder_columns(data: bytes, rel: str) -> bytes:
    enc = encoding_of(rel)
    rows = list(csv.reader(io.StringIO(data.decode(enc))))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([list(reversed(r)) for r in rows])
    return out.getvalue().encode(enc)


def duplicate_line(line: int) -> Callable[[bytes, str], bytes]:
    def mutate(data: bytes, rel: str) -> bytes:
        lines = data.splitlines(keepends=True)
        return b"".join([*lines, lines[line] if lines[line].endswith(b"\n") else b"\n" + lines[line]])

    return mutate


def truncate(fraction: float) -> Callable[[bytes, str], bytes]:
    return lambda data, rel: data[: int(len(data) * fraction)]


def insert_at_line(line: int, payload: bytes) -> Callable[[bytes, str], bytes]:
    """`payload` written into the middle of line `line` (0 = header)."""

    def mutate(data: bytes, rel: str) -> bytes:
        lines = data.splitlines(keepends=True)
        middle = len(lines[line]) // 2
        lines[line] = lines[line][:middle] + payload + lines[line][middle:]
        return b"".join(lines)

    return mutate


def crlf(data: bytes, rel: str) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def bom(data: bytes, rel: str) -> bytes:
    return b"\xef\xbb\xbf" + data


def trailing_blank_lines(data: bytes, rel: str) -> bytes:
    return data.rstrip(b"\r\n") + b"\n\n\n"


def utf16(data: bytes, rel: str) -> bytes:
    return data.decode(encoding_of(rel)).encode("utf-16")


def html(data: bytes, rel: str) -> bytes:
    return b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>\n"


def empty(data: bytes, rel: str) -> bytes:
    return b""


# --- the cases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    file: str
    mutate: Callable[[bytes, str], bytes]
    status: str  # promoted | rejected | unreadable
    says: tuple[str, ...] = ()  # the column, the rule, the values or the place the message must name

    @property
    def table(self) -> str:
        return TABLE_OF[self.file]


CASES = (
    # Comtrade v1 records: domain and reference
    Case("comtrade_reporter_not_a_reporter", GALLIUM, set_field(1, "reporterCode", "999"), "rejected",
         ("'reporterCode'", "reference:comtrade_reporters", "line 2: '999'")),
    Case("comtrade_partner_not_an_area", GALLIUM, set_field(2, "partnerCode", "998"), "rejected",
         ("'partnerCode'", "reference:comtrade_reporters", "line 3: '998'")),
    Case("comtrade_year_2099", GALLIUM, set_field(3, "refYear", "2099"), "rejected",
         ("'refYear'", "period:within_coverage", "line 4: '2099'")),
    Case("comtrade_year_before_coverage", GALLIUM, set_field(3, "refYear", "1901"), "rejected",
         ("'refYear'", "period:within_coverage", "'1901'")),
    Case("comtrade_hs_code_not_in_reference", GALLIUM, set_field(4, "cmdCode", "999998"), "rejected",
         ("'cmdCode'", "reference:comtrade_hs_codes", "line 5: '999998'")),
    Case("comtrade_unknown_quantity_unit", GALLIUM, set_field(2, "qtyUnitCode", "99"), "rejected",
         ("'qtyUnitCode'", "reference:comtrade_quantity_units", "line 3: '99'")),
    # Comtrade v1 records: format
    Case("comtrade_negative_value", GALLIUM, set_field(1, "primaryValue", "-5.0"), "rejected",
         ("'primaryValue'", "'-5.0'")),
    Case("comtrade_non_numeric_weight", GALLIUM, set_field(2, "netWgt", "12 kg"), "rejected",
         ("'netWgt'", "'12 kg'")),
    Case("comtrade_malformed_code", GALLIUM, set_field(1, "cmdCode", "81129X"), "rejected",
         ("'cmdCode'", "expect_column_values_to_match_regex", "'81129X'")),
    Case("comtrade_duplicate_record", GALLIUM, duplicate_line(1), "rejected",
         ("expect_compound_columns_to_be_unique",)),
    Case("comtrade_renamed_column", GALLIUM, rename_header("primaryValue", "primary_value"), "rejected",
         ("expect_column_to_exist", "'primaryValue'")),
    Case("comtrade_missing_column", GALLIUM, drop_column("fobvalue"), "rejected",
         ("expect_column_to_exist", "'fobvalue'")),
    # Comtrade v1 records: truncation, encoding, corruption
    Case("comtrade_truncated_mid_line", GALLIUM, truncate(0.6), "unreadable", ("cannot be read as csv",)),
    Case("comtrade_empty_file", GALLIUM, empty, "rejected",
         ("expect_column_to_exist failed on column 'reporterCode'", "expect_table_row_count_to_be_between")),
    Case("comtrade_html_instead_of_csv", GALLIUM, html, "rejected",
         ("expect_column_to_exist failed on column 'reporterCode'",)),
    Case("comtrade_utf16", GALLIUM, utf16, "unreadable", ("rule nul_bytes", "byte offset 3", "line 1")),
    Case("comtrade_invalid_utf8", GALLIUM, insert_at_line(3, b"\xff\xfe"), "unreadable",
         ("rule encoding", "not valid utf-8", "line 4")),
    Case("comtrade_overlong_line", GALLIUM, insert_at_line(2, b"x" * 70000), "unreadable",
         ("rule max_line_bytes", "line 3", "limit 65536")),
    # Comtrade, other collections
    Case("comtrade_ui_export_reporter_not_a_reporter", UI_EXPORTS, set_field(1, "reporterCode", "12345"), "rejected",
         ("'reporterCode'", "reference:comtrade_reporters", "'12345'")),
    Case("comtrade_legacy_reporter_not_a_reporter", LEGACY, set_field(1, "rtCode", "12345"), "rejected",
         ("'rtCode'", "reference:comtrade_reporters", "line 2: '12345'")),
    # US Census
    Case("census_country_not_in_census_list", CENSUS, set_field(5, "CTY_CODE", "5799"), "rejected",
         ("'CTY_CODE'", "reference:census_country_codes", "line 6: '5799'")),
    Case("census_month_in_future", CENSUS, set_field(6, "time", "2099-12"), "rejected",
         ("'time'", "period:not_future", "line 7: '2099-12'")),
    Case("census_hs10_not_an_hs2022_line", CENSUS, set_field(7, "I_COMMODITY", "0000000000"), "rejected",
         ("'I_COMMODITY'", "reference:hs2022_subheadings", "line 8: '0000000000'")),
    Case("census_negative_value", CENSUS, set_field(8, "CON_VAL_YR", "-55679520"), "rejected",
         ("'CON_VAL_YR'", "'-55679520'")),
    Case("census_nul_bytes_mid_line", CENSUS, insert_at_line(10, b"\x00\x00"), "unreadable",
         ("rule nul_bytes", "line 11", "byte offset")),
    # cut at a field boundary the lines still parse: the row-count floor catches the lost half
    Case("census_codes_truncated", CENSUS_CODES, truncate(0.5), "rejected",
         ("expect_table_row_count_to_be_between", "observed 112")),
    # EU CRM
    Case("eu_crm_share_180_percent", EU_CRM, set_field(1, "Share", "180%"), "rejected",
         ("'Share'", "range:percent_0_100", "line 2: '180%'")),
    Case("eu_crm_unknown_stage", EU_CRM, set_field(2, "Stage", "X"), "rejected",
         ("'Stage'", "expect_column_values_to_be_in_set", "'X'")),
    # Taiwan customs
    Case("taiwan_destination_not_in_name_map", TAIWAN, set_field(1, "Country", "火星"), "rejected",
         ("'Country'", "reference:taiwan_country_names", "line 2: '火星'")),
    Case("taiwan_year_2099", TAIWAN, set_field(2, "Year", "2099"), "rejected",
         ("'Year'", "period:within_coverage", "line 3: '2099'")),
    # Tariff schedules
    Case("mfn_rate_out_of_range", MFN, set_field(1, "general_ad_valorem_rate", "9.5"), "rejected",
         ("'general_ad_valorem_rate'", "range:rate_0_5", "line 2: '9.5'")),
    Case("section_301_rate_above_100_percent", S301, set_field(1, "duty_rate", "1.5"), "rejected",
         ("'duty_rate'", "'1.5'")),
    # USGS MCS
    Case("usgs_nul_bytes", USGS_NIR, insert_at_line(2, b"\x00"), "unreadable", ("rule nul_bytes", "line 3")),
    Case("usgs_net_import_reliance_180_percent", USGS_NIR, set_field(1, "Net_Import_Reliance_pct_2023", "180"),
         "rejected", ("'value'", "range:percent_0_100", "line 2: '180'")),
    Case("usgs_header_year_in_future", USGS_NIR,
         rename_header("Net_Import_Reliance_pct_2023", "Net_Import_Reliance_pct_2099"), "rejected",
         ("'column_name'", "period:within_coverage", "'Net_Import_Reliance_pct_2099'")),
    Case("usgs_negative_production", USGS_WORLD, set_field(2, "Prod_t_est_2023", "-40"), "rejected",
         ("'value'", "value:non_negative", "line 3: '-40'")),
    Case("usgs_salient_year_2099", USGS_SALIENT, set_field(1, "Year", "2099"), "rejected",
         ("'value'", "period:within_coverage", "line 2: '2099'")),
    # HS correlation tables
    Case("hs_concordance_not_an_edition_pair", HS_CONCORDANCE, set_field(1, "adjustment", "2022 to 2023"), "rejected",
         ("'adjustment'", "domain:hs_edition_pair", "line 2: '2022 to 2023'")),
    # harmless variations: same figures
    Case("comtrade_crlf", GALLIUM, crlf, "promoted"),
    Case("comtrade_bom", GALLIUM, bom, "promoted"),
    Case("census_trailing_blank_lines", CENSUS, trailing_blank_lines, "promoted"),
    Case("census_reordered_columns", CENSUS, reorder_columns, "promoted"),
    Case("eu_crm_crlf", EU_CRM, crlf, "promoted"),
    Case("section_301_bom_and_crlf", S301, lambda d, r: bom(crlf(d, r), r), "promoted"),
)  # fmt: skip


@pytest.fixture(scope="module")
def reference_warehouse(tmp_path_factory, sample_data_dir) -> Path:
    """One warehouse file with the reference tables landed from the sample; each case copies it."""
    path = tmp_path_factory.mktemp("battery") / "references.duckdb"
    with duckdb.connect(str(path)) as con:
        for name in REFERENCES:
            assert ingest_table(con, raw_table(name), sample_data_dir).ok, name
    return path


@pytest.fixture(scope="module")
def original_figures(reference_warehouse, sample_data_dir, tmp_path_factory) -> dict[str, float]:
    """Each harmless case's figure on the file as published."""
    figures = {}
    path = tmp_path_factory.mktemp("originals") / "w.duckdb"
    shutil.copy(reference_warehouse, path)
    with duckdb.connect(str(path)) as con:
        for rel, figure in FIGURE.items():
            table = raw_table(TABLE_OF[rel])
            assert ingest_table(con, table, sample_data_dir, [sample_data_dir / rel]).ok
            figures[rel] = con.execute(f'select {figure} from raw."{table.name}"').fetchone()[0]
    return figures


def test_the_battery_covers_every_kind_of_fault_and_source():
    assert len(CASES) >= 30 and len({c.id for c in CASES}) == len(CASES)
    assert {c.status for c in CASES} == {"promoted", "rejected", "unreadable"}
    sources = {raw_table(c.table).source for c in CASES}
    assert sources >= {"comtrade", "census", "eu_crm", "taiwan_customs", "tariffs", "usgs", "hs"}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case, tmp_path, sample_data_dir, reference_warehouse, original_figures):
    data = tmp_path / "data"
    target = data / case.file
    target.parent.mkdir(parents=True)
    target.write_bytes(case.mutate((sample_data_dir / case.file).read_bytes(), case.file))
    warehouse = tmp_path / "w.duckdb"
    shutil.copy(reference_warehouse, warehouse)
    table = raw_table(case.table)

    with duckdb.connect(str(warehouse)) as con:
        landing.ensure_meta(con)
        landing.ensure_raw_table(con, table)
        before = con.execute(f'select count(*) from raw."{table.name}"').fetchone()[0]  # a reference table has rows
        report = ingest_table(con, table, data, [target])
        (result,) = report.files
        assert result.status == case.status, result.message
        rows = con.execute(f'select count(*) from raw."{table.name}"').fetchone()[0]
        status, message = con.execute(
            "select status, message from audit.loads where raw_table = ? order by landed_at desc limit 1", [table.name]
        ).fetchone()
        if case.status == "promoted":
            assert report.ok and status == "promoted" and rows > 0
            if case.file in FIGURE:
                figure = con.execute(f'select {FIGURE[case.file]} from raw."{table.name}"').fetchone()[0]
                assert figure == pytest.approx(original_figures[case.file], rel=1e-12)
            return
        # refused: nothing reached raw (the last valid rows stay), the reason is in audit.loads and the message
        assert not report.ok and rows == before and status == "rejected"
        assert message == result.message[:4000]
        said = report.error_message
        assert f"raw.{table.name} <- {case.file}" in said
        for words in case.says:
            assert words in said, (words, said)
