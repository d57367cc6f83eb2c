"""Fixtures for the connector tests: the replay server on 127.0.0.1 and an environment pointing at it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestration.connectors.http import HttpClient
from orchestration.connectors.landing_area import LandingArea
from orchestration.connectors.settings import ConnectorSettings, get_connector_settings
from tests.connectors.replay_server import ReplayServer

BASE_VARS = ("COMTRADE_API_BASE", "CENSUS_API_BASE", "USGS_BASE", "BACI_BASE")


@pytest.fixture
def replay(sample_data_dir: Path) -> Iterator[ReplayServer]:
    """A fresh replay server per test (random port), stopped afterwards."""
    with ReplayServer(sample_data_dir) as server:
        yield server


@dataclass
class LiveEnv:
    server: ReplayServer
    warehouse_dir: Path
    landing: LandingArea

    @property
    def key(self) -> str:
        return self.server.state.comtrade_key

    def settings(self) -> ConnectorSettings:
        return get_connector_settings()


@pytest.fixture
def live_env(replay: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LiveEnv:
    """Every live source pointed at the replay server, a temporary warehouse, no waiting between calls."""
    for name in BASE_VARS:
        monkeypatch.setenv(name, replay.url)
    monkeypatch.setenv("COMTRADE_API_KEY", replay.state.comtrade_key)
    monkeypatch.delenv("CENSUS_API_KEY", raising=False)
    monkeypatch.setenv("COMTRADE_MIN_INTERVAL", "0")
    monkeypatch.setenv("CENSUS_MIN_INTERVAL", "0")
    monkeypatch.setenv("LIVE_BACKOFF_BASE", "0.01")
    monkeypatch.setenv("LIVE_BACKOFF_MAX", "0.05")
    monkeypatch.setenv("LIVE_READ_TIMEOUT", "2")
    monkeypatch.setenv("LIVE_CONNECT_TIMEOUT", "2")
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    monkeypatch.setenv("WAREHOUSE_DIR", str(warehouse))
    monkeypatch.delenv("LANDING_DIR", raising=False)
    for name in ("LIVE_SCOPE_FILE", "LIVE_YEARS", "LIVE_MONTHS", "LIVE_REPORTERS", "LIVE_HS_CODES",
                 "LIVE_BULK_REPORTERS", "LIVE_MCS_EDITIONS", "LIVE_BACI_RELEASES"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    return LiveEnv(replay, warehouse, LandingArea(warehouse / "landing"))


class ListLogger:
    """Collects log lines like Dagster's context.log (for checking that no key is ever written)."""

    def __init__(self):
        self.lines: list[str] = []

    def _add(self, msg: str, *args, **kwargs) -> None:
        self.lines.append(str(msg))

    debug = info = warning = error = _add

    def text(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture
def list_logger() -> ListLogger:
    return ListLogger()


def fast_client(logger=None, sleeps: list[float] | None = None, **kwargs) -> HttpClient:
    """An HttpClient that records its waits instead of sleeping."""
    waits = sleeps if sleeps is not None else []
    return HttpClient(
        timeout=kwargs.pop("timeout", (2.0, 2.0)),
        backoff_base=kwargs.pop("backoff_base", 0.5),
        sleep=waits.append,
        logger=logger or logging.getLogger("test.connectors"),
        **kwargs,
    )
