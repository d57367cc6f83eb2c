"""Census, USGS (ScienceBase) and BACI clients against the replay server serving the real sample files."""

from __future__ import annotations

import csv
import hashlib
import zipfile

import duckdb
import pytest

from orchestration.connectors.baci import BaciClient, BaciRelease
from orchestration.connectors.census import CensusClient, CensusError, CensusQuery, rows_by_name, validate_table
from orchestration.connectors.http import HttpError
from orchestration.connectors.scope import load_scope, minimal_prefixes
from orchestration.connectors.settings import get_connector_settings
from orchestration.connectors.usgs import UsgsClient, extracted_csvs
from orchestration.ingest.readers import read_sql
from orchestration.ingest.registry import raw_table
from tests.connectors.replay_server import Fault

CENSUS = "/data/timeseries/intltrade/imports/hs"
CENSUS_FILE = "census/us_imports_2024_hs10_by_country_chips_rare_earths.csv"


def test_census_annual_partition_matches_the_sample(live_env, sample_data_dir):
    scope = load_scope()
    client = CensusClient(get_connector_settings())
    queries = [q for q in scope.census_queries("A", "2024-12") if q.flow == "imports"]
    landing = live_env.landing.partition("census", "imports_hs_A", "2024")
    live_env.server.state.inject(CENSUS, Fault("truncate", fraction=0.3, query_contains="I_COMMODITY=8541*"))
    live_env.server.state.inject(CENSUS, Fault("status", 503, retry_after="0"))
    report = client.fetch_partition(landing, queries)
    assert report.calls == len(queries) + 2 and report.retries == 2

    prefixes = minimal_prefixes(scope.hs_codes)
    with (sample_data_dir / CENSUS_FILE).open(encoding="utf-8", newline="") as handle:
        sample = {
            (r["CTY_CODE"], r["I_COMMODITY"]): r["CON_VAL_YR"]
            for r in csv.DictReader(handle)
            if r["I_COMMODITY"].startswith(prefixes)
        }
    con = duckdb.connect()
    table = raw_table("census__api_annual")
    landed = {}
    for payload in report.payloads:
        if payload.rows:
            for cty, commodity, value, time in con.execute(
                f'select "CTY_CODE", "I_COMMODITY", "CON_VAL_YR", "time" from ({read_sql(table, payload.path)})'
            ).fetchall():
                assert time == "2024-12"
                assert (cty, commodity) not in landed  # no line twice across payloads
                landed[(cty, commodity)] = value
    assert landed == sample and len(landed) == report.rows == 1699

    assert client.fetch_partition(landing, queries).calls == 0


def test_census_reads_columns_by_header_name_and_204_is_empty(live_env):
    client = CensusClient(get_connector_settings())
    # the API appends predicate variables not asked for in get= after the requested ones
    query = CensusQuery(flow="imports", freq="A", time="2024-12", hs_prefix="280530")
    table, body, _ = client.fetch(query)
    assert table[0][: len(query.variables)] == list(query.variables) and table[0][-2:] == ["time", "COMM_LVL"]
    assert all(r["I_COMMODITY"].startswith("280530") for r in rows_by_name(table))
    exports = CensusQuery(flow="exports", freq="A", time="2024-12", hs_prefix="280530")
    assert client.fetch(exports)[:2] == ([], b"")  # HTTP 204: the sample has no export file
    with pytest.raises(CensusError, match="HTML instead of JSON"):
        validate_table(b"<html>Invalid Key</html>", 200, where="q", required=())
    with pytest.raises(HttpError, match="unknown variable"):
        client.http.get_json(client.url("imports"), params={"get": "NOPE", "time": "2024-12"})


def test_usgs_edition_download_unpacks_real_tables(live_env, sample_data_dir):
    client = UsgsClient(get_connector_settings())
    release = client.find_release(2024)
    assert release.item_id == "mcs2024"  # the data release, not the single-commodity item beside it
    assert [f.name for f in release.files] == ["MCS2024_world_data.zip", "MCS2024_salient_data.zip"]
    assert client.find_release(2031) is None

    live_env.server.state.inject("/catalog/file/get/mcs2024", Fault("drop", fraction=0.6))
    landing = live_env.landing.partition("usgs", "mcs_release", "2024")
    report = client.fetch_edition(landing, 2024)
    assert report.retries == 1
    csvs = extracted_csvs(landing)
    sample = sorted(
        p.relative_to(sample_data_dir / "usgs_mcs/2024").as_posix()
        for p in (sample_data_dir / "usgs_mcs/2024").rglob("*.csv")
        if p.name.endswith(("_world.csv", "_salient.csv"))
    )
    assert sorted(p.relative_to(landing.dir / "extracted").as_posix().split("/", 1)[1] for p in csvs) == sample
    raree = next(p for p in csvs if p.name == "mcs2024-raree_world.csv")
    assert raree.read_bytes() == next((sample_data_dir / "usgs_mcs/2024").rglob("mcs2024-raree_world.csv")).read_bytes()
    assert client.fetch_edition(landing, 2024).calls == 0


def test_baci_listing_and_resumable_release_download(live_env):
    client = BaciClient(get_connector_settings())
    listing = client.listing()
    assert [r.key for r in listing.releases("HS17")] == ["HS17_V202201", "HS17_V202301"]
    assert listing.latest("HS17") == BaciRelease("HS17", "202301")
    live_env.server.state.inject("/DATA_DOWNLOAD/baci/data/BACI_HS17_V202301.zip", Fault("drop", fraction=0.8))
    landing = live_env.landing.partition("baci", "archives", "HS17_V202301")
    bytes_before = client.http.stats.bytes
    report = client.fetch_release(landing, BaciRelease.parse("HS17_V202301"), listing=listing)
    (payload,) = report.payloads
    assert payload.rel_path == "baci/archives/HS17_V202301/BACI_HS17_V202301.zip"
    assert payload.sha256 == hashlib.sha256(live_env.server.state.baci_zip("202301")).hexdigest()
    with zipfile.ZipFile(payload.path) as zf:
        assert sorted(zf.namelist()) == ["country_codes_V202301.csv", "product_codes_HS17_V202301.csv"]
    assert report.retries == 1 and client.http.stats.bytes - bytes_before == payload.bytes  # resumed, not restarted
    assert client.fetch_release(landing, BaciRelease.parse("HS17_V202301")).calls == 0


def test_census_key_is_sent_but_never_stored_or_logged(live_env, monkeypatch, list_logger):
    key = "census-replay-key-123"
    live_env.server.state.census_key = key
    monkeypatch.setenv("CENSUS_API_KEY", key)
    client = CensusClient(get_connector_settings(), logger=list_logger)
    live_env.server.state.inject(CENSUS, Fault("status", 500))
    landing = live_env.landing.partition("census", "imports_hs_A", "2024")
    query = CensusQuery(flow="imports", freq="A", time="2024-12", hs_prefix="280530")
    report = client.fetch_partition(landing, [query])
    assert report.rows > 0 and report.retries == 1
    assert all(call.query["key"] == key for call in live_env.server.state.calls(CENSUS))
    stored = [p.read_text(errors="replace") for p in live_env.landing.root.rglob("*") if p.is_file()]
    assert stored and not any(key in text for text in stored)
    assert "key=***" in landing.manifest_path.read_text() and key not in list_logger.text()
