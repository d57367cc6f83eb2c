"""The Comtrade client against the replay server serving the sample's real v1 rows."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb
import pytest

from orchestration.connectors.comtrade import (
    ComtradeClient,
    ComtradeError,
    ComtradeQuery,
    rows_by_name,
    validate_bulk_listing,
    validate_envelope,
)
from orchestration.connectors.http import RetryableResponse
from orchestration.connectors.landing_area import LandingArea
from orchestration.connectors.scope import load_scope
from orchestration.connectors.settings import get_connector_settings
from orchestration.ingest.readers import read_sql
from orchestration.ingest.registry import COMTRADE_V1_FIELDS, raw_table
from tests.connectors.replay_server import Fault

DATA = "/data/v1/get/C/A/HS"
TABLE = raw_table("comtrade__api_annual")
VALUE_COLUMNS = ("reporterCode", "partnerCode", "flowCode", "cmdCode", "classificationCode", "primaryValue", "netWgt")


def landed_rows(paths: list[Path]) -> list[tuple]:
    """Rows of the payloads as the raw reader lands them (fields by key name), sorted."""
    con = duckdb.connect()
    rows = []
    for path in paths:
        cols = ", ".join(f'"{c}"' for c in VALUE_COLUMNS)
        rows += con.execute(f"select {cols} from ({read_sql(TABLE, path)})").fetchall()
    return sorted(rows, key=str)


def expected_rows(sample_data_dir: Path, reporters, codes, period: str = "2024") -> list[tuple]:
    """The same selection straight from the sample CSVs (DuckDB's CSV reader, by column name)."""
    con = duckdb.connect()
    data = sample_data_dir / "comtrade"
    union = (
        f"select * from read_csv('{data}/rows_us_china/*.csv', all_varchar=true, union_by_name=true) union all by name "
        f"select * from read_csv('{data}/ui_exports/*.csv', all_varchar=true, encoding='latin-1', union_by_name=true)"
    )
    rows = con.execute(
        f"""
        select distinct on (typeCode, freqCode, period, reporterCode, flowCode, partnerCode, partner2Code,
                            classificationCode, cmdCode, customsCode, motCode)
               reporterCode, partnerCode, flowCode, cmdCode, classificationCode,
               primaryValue::double, netWgt::double
        from ({union})
        where freqCode = 'A' and period = ? and customsCode = 'C00' and motCode = '0' and partner2Code = '0'
          and flowCode in ('M', 'X') and list_contains(?, reporterCode) and list_contains(?, cmdCode)
        """,
        [period, list(reporters), list(codes)],
    ).fetchall()
    return sorted(rows, key=str)


def normalise(rows: list[tuple]) -> list[tuple]:
    return sorted([tuple(float(v) if i >= 5 and v is not None else v for i, v in enumerate(r)) for r in rows], key=str)


def fetch_default_scope(env, landing_root: Path | None = None, **client_kwargs):
    scope = load_scope()
    client = ComtradeClient(get_connector_settings(), **client_kwargs)
    area = LandingArea(landing_root or env.landing.root)
    landing = area.partition("comtrade", "C_A_HS", "2024")
    report = client.fetch_partition(landing, scope.comtrade_queries("A", "2024"))
    return client, landing, report


def test_partition_lands_the_real_rows_once(live_env, sample_data_dir):
    scope = load_scope()
    client, landing, report = fetch_default_scope(live_env)
    assert report.calls == 2 and report.retries == 0  # 17 reporters in batches of 10, all codes in one
    got = normalise(landed_rows([p.path for p in report.payloads]))
    assert got == normalise(expected_rows(sample_data_dir, scope.comtrade_reporters, scope.hs_codes))
    assert len(got) == report.rows == 49
    assert ("842", "156", "M", "280530") in {r[:4] for r in got}  # US imports of REE metals from China
    # the key went in the header, never in a URL
    for call in live_env.server.state.calls(DATA):
        assert call.headers["ocp-apim-subscription-key"] == live_env.key
        assert live_env.key not in call.url

    again = client.fetch_partition(landing, scope.comtrade_queries("A", "2024"))
    assert again.skipped_complete and again.calls == 0 and again.rows == 49
    assert len(live_env.server.state.calls(DATA)) == 2


def test_faults_neither_lose_nor_duplicate_rows(live_env, tmp_path, monkeypatch, list_logger):
    _, clean_landing, clean = fetch_default_scope(live_env, landing_root=tmp_path / "clean")
    monkeypatch.setenv("LIVE_READ_TIMEOUT", "0.4")
    state = live_env.server.state
    state.inject(DATA, Fault("status", 429, retry_after="0"))
    state.inject(DATA, Fault("status", 500))
    state.inject(DATA, Fault("slow", seconds=1.0))
    state.inject(DATA, Fault("truncate", fraction=0.5))
    state.inject(DATA, Fault("count_mismatch"))
    client, landing, report = fetch_default_scope(live_env, logger=list_logger)
    assert report.retries == 5 and report.calls == clean.calls + 5
    assert client.http.stats.retry_reasons == {"HTTP 429": 1, "HTTP 500": 1, "timeout": 1, "invalid body": 2}
    # the same bytes as without faults, for every request
    assert {p.name: p.sha256 for p in report.payloads} == {p.name: p.sha256 for p in clean.payloads}
    rows = landed_rows([p.path for p in report.payloads])
    assert len(rows) == len(set(rows)) == clean.rows
    assert live_env.key not in list_logger.text()


@pytest.mark.parametrize("keyed", [True, False], ids=["data-api-maxRecords", "keyless-preview"])
def test_capped_answers_are_split_until_complete(live_env, monkeypatch, keyed):
    cap = 40
    if keyed:
        monkeypatch.setenv("COMTRADE_MAX_RECORDS", str(cap))
    else:
        monkeypatch.delenv("COMTRADE_API_KEY")
        live_env.server.state.preview_cap = cap
    client = ComtradeClient(get_connector_settings(), preview_cap=cap)
    assert client.endpoint == ("data" if keyed else "preview")
    # every reporter's IC exports to World in 2024: about 150 real rows, over the cap
    query = ComtradeQuery(freq="A", periods=("2024",), cmd_codes=("8542",), reporters=(), flows=("X",))
    landing = live_env.landing.partition("comtrade", "C_A_HS", "2024")
    report = client.fetch_partition(landing, [query])
    assert report.splits > 0
    assert all(p.rows < cap for p in report.payloads)
    full = live_env.server.state.comtrade_select(
        "A",
        {
            "period": "2024",
            "cmdCode": "8542",
            "flowCode": "X",
            "partner2Code": "0",
            "customsCode": "C00",
            "motCode": "0",
        },
    )
    rows = landed_rows([p.path for p in report.payloads])
    assert len(rows) == len(set(rows)) == len(full) > cap
    # a rerun follows the recorded splits without asking again
    assert client.fetch_partition(landing, [query]).calls == 0


def test_key_order_does_not_matter(live_env, tmp_path):
    _, _, plain = fetch_default_scope(live_env, landing_root=tmp_path / "plain")
    live_env.server.state.shuffle_keys = True
    _, _, shuffled = fetch_default_scope(live_env, landing_root=tmp_path / "shuffled")
    assert {p.sha256 for p in plain.payloads}.isdisjoint({p.sha256 for p in shuffled.payloads})
    assert landed_rows([p.path for p in shuffled.payloads]) == landed_rows([p.path for p in plain.payloads])


def test_recorded_bodies_parse_by_key_name(sample_data_dir):
    api = sample_data_dir / "comtrade/api_v1"
    data = validate_envelope((api / "data_v1_get_C_A_HS_CHN_2010_TOTAL.json").read_bytes(), where="data")
    preview = validate_envelope(
        (api / "public_v1_preview_C_A_HS_USA_JPN_2023_TOTAL.json").read_bytes(), where="preview"
    )
    empty = validate_envelope((api / "data_v1_get_S_A_EB_empty.json").read_bytes(), where="empty")
    assert (len(data["data"]), len(preview["data"]), len(empty["data"])) == (4, 2, 0)
    assert list(preview["data"][0])[:30] != list(data["data"][0])[:30]  # the key orders really differ
    assert len(validate_bulk_listing((api / "bulk_v1_get_C_A_HS_fileinfo.json").read_bytes(), where="bulk")) == 1
    assert validate_bulk_listing((api / "bulk_v1_get_error.json").read_bytes(), where="bulk error") == []
    con = duckdb.connect()
    for name, envelope in (
        ("data_v1_get_C_A_HS_CHN_2010_TOTAL.json", data),
        ("public_v1_preview_C_A_HS_USA_JPN_2023_TOTAL.json", preview),
    ):
        cols = ", ".join(f'"{c}"' for c in COMTRADE_V1_FIELDS)
        landed = con.execute(f"select {cols} from ({read_sql(TABLE, api / name)}) order by _row_number").fetchall()
        by_name = [
            tuple(None if v is None else json.dumps(v) if not isinstance(v, str) else v for v in r.values())
            for r in rows_by_name(envelope)
        ]
        assert landed == by_name
    preview_sql = read_sql(TABLE, api / "public_v1_preview_C_A_HS_USA_JPN_2023_TOTAL.json")
    usa_jpn_import = con.execute(f"select cifvalue, fobvalue from ({preview_sql}) where flowCode = 'M'").fetchone()
    assert usa_jpn_import == ("151580564290", None)


def test_error_field_and_truncated_body_are_told_apart():
    with pytest.raises(ComtradeError, match="Comtrade error: Invalid cmdCode"):
        validate_envelope(b'{"elapsedTime":"0.1 secs","count":0,"data":[],"error":"Invalid cmdCode"}', where="q")
    with pytest.raises(RetryableResponse, match="not complete JSON"):
        validate_envelope(b'{"elapsedTime":"0.1 secs","count":2,"data":[{"typeCode":"C"', where="q")
    with pytest.raises(ComtradeError, match=r"lacks fields \['cmdCode'"):
        body = {
            "count": 1,
            "data": [
                {
                    k: 0
                    for k in (
                        "typeCode",
                        "freqCode",
                        "period",
                        "reporterCode",
                        "flowCode",
                        "partnerCode",
                        "partner2Code",
                        "classificationCode",
                    )
                }
            ],
            "error": "",
        }
        validate_envelope(json.dumps(body).encode(), where="q")


def test_empty_result_is_stored_not_lost(live_env):
    live_env.server.state.inject(DATA, Fault("empty"))
    client = ComtradeClient(get_connector_settings())
    query = ComtradeQuery(freq="A", periods=("2024",), cmd_codes=("280530",), reporters=("842",))
    report = client.fetch_partition(live_env.landing.partition("comtrade", "C_A_HS", "2024"), [query])
    assert report.rows == 0 and len(report.payloads) == 1
    assert json.loads(report.payloads[0].path.read_bytes()) == {
        "elapsedTime": "0.01 secs",
        "count": 0,
        "data": [],
        "error": "",
    }


def test_refetch_of_a_revised_figure_keeps_the_old_payload(live_env):
    client, landing, first = fetch_default_scope(live_env)
    live_env.server.state.revise(
        lambda r: (r["reporterCode"], r["partnerCode"], r["flowCode"], r["cmdCode"]) == (842, 156, "M", "280530"),
        {"primaryValue": 1234567.0},
    )
    scope = load_scope()
    revised = client.fetch_partition(landing, scope.comtrade_queries("A", "2024"), force=True)
    changed = [p for p in revised.stored if p.sha256 not in {q.sha256 for q in first.payloads}]
    assert len(changed) == 1
    history = landing.manifest["history"]
    assert [h["reason"] for h in history] == ["revised"]
    old = landing.dir / history[0]["moved_to"]
    assert old.exists() and json.loads(old.read_bytes())["count"] == json.loads(changed[0].path.read_bytes())["count"]


def test_bulk_listing_and_file(live_env):
    client = ComtradeClient(get_connector_settings())
    listing = client.bulk_listing("A", reporter="842", period="2024")
    assert [e["reporterCode"] for e in listing] == [842]
    landing = live_env.landing.partition("comtrade", "bulk_C_A_HS", "2024")
    payload = client.download_bulk_file(listing[0], landing)
    lines = gzip.decompress(payload.path.read_bytes()).decode().splitlines()
    header = lines[0].split("\t")
    assert "cifValue" in header and "cmdDesc" not in header  # the dictionary's spelling, no labels
    assert payload.rows == len(lines) - 1
    served = live_env.server.state.comtrade_select("A", {"reporterCode": "842", "period": "2024"})
    assert len(lines) - 1 == len(served) > 0
    assert live_env.key not in landing.manifest_path.read_text()


BULK = raw_table("comtrade__bulk_annual")
BULK_COLUMNS = ("reporterCode", "partnerCode", "flowCode", "cmdCode", "customsCode", "motCode", "primaryValue",
                "cifvalue", "fobvalue", "isNetWgtEstimated")  # fmt: skip


def sample_reporter_year(sample_data_dir: Path, reporter: str, period: str) -> list[tuple]:
    """Every record of a reporter and year in the sample CSVs (one per grain), read by DuckDB."""
    data = sample_data_dir / "comtrade"
    union = (
        f"select * from read_csv('{data}/rows_us_china/*.csv', all_varchar=true, union_by_name=true) union all by name "
        f"select * from read_csv('{data}/ui_exports/*.csv', all_varchar=true, encoding='latin-1', union_by_name=true)"
    )
    cols = ", ".join(f"{c}::double" if c in ("primaryValue", "cifvalue", "fobvalue") else c for c in BULK_COLUMNS)
    con = duckdb.connect()
    rows = con.execute(
        f"""
        select distinct on (typeCode, freqCode, period, reporterCode, flowCode, partnerCode, partner2Code,
                            classificationCode, cmdCode, customsCode, motCode) {cols}
        from ({union}) where freqCode = 'A' and period = ? and reporterCode = ?
        """,
        [period, reporter],
    ).fetchall()
    return sorted([tuple(str(v).lower() if isinstance(v, str) else v for v in r) for r in rows], key=str)


def landed_bulk_rows(paths: list[Path]) -> list[tuple]:
    con = duckdb.connect()
    cols = ", ".join(f"{c}::double" if c in ("primaryValue", "cifvalue", "fobvalue") else c for c in BULK_COLUMNS)
    rows = []
    for path in paths:
        rows += con.execute(f"select {cols} from ({read_sql(BULK, path)})").fetchall()
    return sorted([tuple(str(v).lower() if isinstance(v, str) else v for v in r) for r in rows], key=str)


def test_bulk_field_list_is_comtrades_dictionary(sample_data_dir):
    """The raw table's bulk fields are those Comtrade's data-item dictionary marks isInBulkFileFinal."""
    from orchestration.ingest.registry import COMTRADE_BULK_FIELDS

    items = json.loads((sample_data_dir / "comtrade/reference/reference_TradeDataItems.json").read_text())["results"]
    documented = {i["dataItem"].lower() for i in items if i["isInBulkFileFinal"] == "True"}
    assert documented - {f.lower() for f in COMTRADE_BULK_FIELDS} == {"datasetcode"}
    assert {f.lower() for f in COMTRADE_BULK_FIELDS} <= documented
    # four are spelled differently from the data API: they land in the API's columns
    assert {"cifValue", "fobValue", "isnetWgtEstimated", "isgrossWgtEstimated"} <= {
        i["dataItem"] for i in items if i["isInBulkFileFinal"] == "True"
    }


def test_bulk_partition_downloads_each_file_once_and_again_when_republished(live_env, sample_data_dir):
    client = ComtradeClient(get_connector_settings())
    landing = live_env.landing.partition("comtrade", "bulk_C_A_HS", "2024")
    state = live_env.server.state
    state.inject("/bulk/v1/file/842", Fault("drop", fraction=0.5))  # the connection dies mid-download

    first = client.fetch_bulk_partition(landing, "A", "2024", ("842", "156"))
    files = [p for p in first.payloads]
    assert sorted(p.name.split("_")[2] for p in files) == ["156", "842"]
    assert first.calls == 1 + 2 + 1 and first.retries == 1  # listing, two files, one resumed download
    for payload in files:
        reporter = payload.name.split("_")[2]
        assert landed_bulk_rows([payload.path]) == sample_reporter_year(sample_data_dir, reporter, "2024")
        assert payload.rows == len(sample_reporter_year(sample_data_dir, reporter, "2024")) > 0

    calls = len(state.calls("/"))
    again = client.fetch_bulk_partition(landing, "A", "2024", ("842", "156"))
    assert again.skipped_complete and len(state.calls("/")) == calls  # complete: no call at all
    forced = client.fetch_bulk_partition(landing, "A", "2024", ("842", "156"), force=True)
    assert forced.calls == 1 and forced.reused == 2 and not forced.stored  # listed, same publication dates

    state.bulk_publication_date = "2026-01-15T00:00:00Z"
    state.revise(lambda r: r["reporterCode"] == 842 and r["cmdCode"] == "280530", {"primaryValue": 1.0})
    republished = client.fetch_bulk_partition(landing, "A", "2024", ("842", "156"), force=True)
    assert republished.calls == 1 + 2
    changed = [p for p in republished.stored if p.changed]
    assert [p.name.split("_")[2] for p in changed] == ["842"]  # 156's bytes came back identical
    history = landing.manifest["history"]
    assert len(history) == 1 and (landing.dir / history[0]["moved_to"]).exists()
    assert live_env.key not in landing.manifest_path.read_text()


def test_bulk_needs_a_key(live_env, monkeypatch):
    monkeypatch.delenv("COMTRADE_API_KEY")
    client = ComtradeClient(get_connector_settings())
    landing = live_env.landing.partition("comtrade", "bulk_C_A_HS", "2024")
    with pytest.raises(ComtradeError, match="COMTRADE_API_KEY"):
        client.fetch_bulk_partition(landing, "A", "2024", ("842",))
    assert live_env.server.state.calls("/") == []


def test_bulk_file_lands_with_dictionary_or_api_spelling(tmp_path, sample_data_dir, live_env):
    """Headers are matched to the raw columns without regard to case; a datasetCode column is kept."""
    client = ComtradeClient(get_connector_settings())
    listing = client.bulk_listing("A", reporter="842", period="2024")
    payload = client.download_bulk_file(listing[0], live_env.landing.partition("comtrade", "bulk_C_A_HS", "2024"))
    text = gzip.decompress(payload.path.read_bytes()).decode()
    header, body = text.split("\n", 1)
    api_spelling = tmp_path / "api_spelling.txt.gz"
    names = [{"cifValue": "cifvalue", "fobValue": "fobvalue"}.get(h, h) for h in header.split("\t")]
    api_spelling.write_bytes(
        gzip.compress(("datasetCode\t" + "\t".join(names) + "\n" + "\n".join(
            f"C-A-842-2024\t{line}" for line in body.splitlines()) + "\n").encode())
    )  # fmt: skip
    expected = sample_reporter_year(sample_data_dir, "842", "2024")
    assert landed_bulk_rows([payload.path]) == expected
    assert landed_bulk_rows([api_spelling]) == expected
    con = duckdb.connect()
    assert con.execute(f'select distinct "datasetCode" from ({read_sql(BULK, api_spelling)})').fetchall() == [
        ("C-A-842-2024",)
    ]
