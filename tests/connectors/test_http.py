"""The HTTP client against the replay server: retries, Retry-After, timeouts, resumable downloads, redaction."""

from __future__ import annotations

import hashlib

import pytest

from orchestration.connectors.http import HttpError, Redactor, parse_retry_after
from tests.connectors.conftest import fast_client
from tests.connectors.replay_server import Fault

PREVIEW = "/public/v1/preview/C/A/HS"
PARAMS = {"reporterCode": "842", "period": "2024", "cmdCode": "280530", "flowCode": "M,X"}


def test_429_waits_at_least_retry_after_then_succeeds(replay):
    replay.state.inject(PREVIEW, Fault("status", 429, retry_after="7"))
    waits: list[float] = []
    client = fast_client(sleeps=waits)
    doc = client.get_json(replay.url + PREVIEW, params=PARAMS)
    assert doc["count"] == len(doc["data"]) == 4  # USA 280530 2024: M and X with China and World
    assert len(replay.state.calls(PREVIEW)) == 2
    assert client.stats.retries == 1 and client.stats.statuses[429] == 1
    assert 7 <= waits[0] <= 7 + 0.5  # the server's figure, plus at most the jitter


def test_retry_after_as_http_date():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == pytest.approx(10.0)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("soon") is None


def test_5xx_backoff_grows_then_gives_up(replay):
    replay.state.inject(PREVIEW, Fault("status", 503), times=3)
    waits: list[float] = []
    client = fast_client(sleeps=waits, max_attempts=3, backoff_base=1.0)
    with pytest.raises(HttpError, match="failed after 3 attempts: HTTP 503"):
        client.get_json(replay.url + PREVIEW, params=PARAMS)
    assert len(replay.state.calls(PREVIEW)) == 3
    # equal jitter: attempt n waits within [base*2^(n-1)/2, base*2^(n-1)]
    assert 0.5 <= waits[0] <= 1.0 and 1.0 <= waits[1] <= 2.0


def test_retry_after_beyond_limit_is_left_to_the_retry_policy(replay):
    replay.state.inject(PREVIEW, Fault("status", 429, retry_after="3600"))
    waits: list[float] = []
    client = fast_client(sleeps=waits, max_retry_after=60)
    with pytest.raises(HttpError, match="retry after 3600 s"):
        client.get_json(replay.url + PREVIEW, params=PARAMS)
    assert waits == []


def test_timeout_is_retried(replay):
    replay.state.inject(PREVIEW, Fault("slow", seconds=1.0))
    client = fast_client(timeout=(1.0, 0.3))
    doc = client.get_json(replay.url + PREVIEW, params=PARAMS)
    assert doc["count"] == 4
    assert client.stats.retry_reasons["timeout"] == 1


def test_truncated_json_is_retried(replay):
    replay.state.inject(PREVIEW, Fault("truncate", fraction=0.6))
    client = fast_client()
    doc = client.get_json(replay.url + PREVIEW, params=PARAMS)
    assert doc["count"] == 4
    assert client.stats.retry_reasons["invalid body"] == 1


def test_4xx_is_not_retried(replay):
    client = fast_client()
    with pytest.raises(HttpError, match="HTTP 401"):
        client.get_json(
            replay.url + "/data/v1/get/C/A/HS", params=PARAMS, headers={"Ocp-Apim-Subscription-Key": "wrong"}
        )
    assert len(replay.state.calls("/data/v1/get")) == 1


def test_keys_never_reach_logs_or_errors(replay, list_logger):
    secret = "s3cr3t-key-value"
    client = fast_client(logger=list_logger, secrets=[secret], max_attempts=2)
    replay.state.inject(PREVIEW, Fault("status", 500), times=2)
    with pytest.raises(HttpError) as failure:
        client.get_json(
            replay.url + PREVIEW,
            params={**PARAMS, "subscription-key": secret},
            headers={"Ocp-Apim-Subscription-Key": secret},
        )
    assert replay.state.calls(PREVIEW)[0].query["subscription-key"] == secret  # it was sent
    assert secret not in str(failure.value) and secret not in list_logger.text()
    assert "subscription-key=***" in str(failure.value)
    redactor = Redactor([secret])
    assert redactor.headers({"Ocp-Apim-Subscription-Key": secret, "Accept": "json"}) == {
        "Ocp-Apim-Subscription-Key": "***",
        "Accept": "json",
    }
    assert redactor.url("http://h/p?key=abc&x=1") == "http://h/p?key=***&x=1"


BACI_ZIP = "/DATA_DOWNLOAD/baci/data/BACI_HS17_V202301.zip"


def test_interrupted_download_resumes_with_range(replay, tmp_path):
    expected = replay.state.baci_zip("202301")
    replay.state.inject(BACI_ZIP, Fault("drop", fraction=0.7))
    client = fast_client()
    result = client.download(replay.url + BACI_ZIP, tmp_path / "baci.zip")
    assert result.sha256 == hashlib.sha256(expected).hexdigest()
    assert (tmp_path / "baci.zip").read_bytes() == expected
    calls = replay.state.calls(BACI_ZIP)
    assert len(calls) == 2 and "range" not in calls[0].headers
    offset = int(calls[1].headers["range"].removeprefix("bytes=").rstrip("-"))
    assert 0 < offset < len(expected) and result.resumed_from == (offset,)
    assert calls[1].headers["if-range"]  # resumes only if the file is still the same version
    assert client.stats.bytes == len(expected)  # nothing fetched twice


def test_download_left_by_a_killed_process_resumes(replay, tmp_path):
    expected = replay.state.baci_zip("202301")
    dest = tmp_path / "baci.zip"
    dest.with_name("baci.zip.part").write_bytes(expected[:50_000])
    result = fast_client().download(replay.url + BACI_ZIP, dest)
    assert result.resumed_from == (50_000,) and dest.read_bytes() == expected
    assert replay.state.calls(BACI_ZIP)[0].headers["range"] == "bytes=50000-"


def test_progress_reports_bytes(replay, tmp_path):
    seen = []
    client = fast_client(progress=seen.append, progress_every_bytes=32 << 10)
    client.download(replay.url + BACI_ZIP, tmp_path / "baci.zip", label="baci")
    done = [p for p in seen if p.event == "done"]
    assert done and done[0].bytes_done == done[0].bytes_total == len(replay.state.baci_zip("202301"))
    assert any(p.event == "progress" and 0 < p.bytes_done < done[0].bytes_total for p in seen)
