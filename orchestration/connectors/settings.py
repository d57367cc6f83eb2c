"""Where the live sources are and how hard to press them, read from the environment when asked for.

Base URLs default to the real public hosts; tests and anyone behind a mirror point them elsewhere
(COMTRADE_API_BASE=http://127.0.0.1:8123 ...). Keys come only from the environment and are handed to
the HTTP client as secrets, which it scrubs from every log line, error message and manifest.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from orchestration.connectors.http import HttpClient


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "")
    return float(raw) if raw.strip() else default


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


@dataclass(frozen=True)
class ConnectorSettings:
    comtrade_api_base: str
    census_api_base: str
    usgs_base: str
    baci_base: str
    comtrade_api_key: str
    census_api_key: str
    connect_timeout: float
    read_timeout: float
    max_attempts: int
    backoff_base: float
    backoff_max: float
    max_retry_after: float
    comtrade_min_interval: float
    census_min_interval: float
    # Rows a keyed /data/v1/get call may return (its maxRecords); the keyless preview is capped at 500.
    comtrade_max_records: int

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.comtrade_api_key, self.census_api_key) if s)

    def http_client(
        self, name: str, *, min_interval: float = 0.0, progress: Any = None, logger: Any = None
    ) -> HttpClient:
        """A client with the shared timeouts, retry and backoff settings, redacting every known key."""
        return HttpClient(
            name=name,
            timeout=self.timeout,
            max_attempts=self.max_attempts,
            backoff_base=self.backoff_base,
            backoff_max=self.backoff_max,
            max_retry_after=self.max_retry_after,
            min_interval=min_interval,
            secrets=self.secrets,
            progress=progress,
            logger=logger,
        )


def get_connector_settings() -> ConnectorSettings:
    return ConnectorSettings(
        comtrade_api_base=os.environ.get("COMTRADE_API_BASE", "https://comtradeapi.un.org").rstrip("/"),
        census_api_base=os.environ.get("CENSUS_API_BASE", "https://api.census.gov").rstrip("/"),
        usgs_base=os.environ.get("USGS_BASE", "https://www.sciencebase.gov").rstrip("/"),
        baci_base=os.environ.get("BACI_BASE", "https://www.cepii.fr").rstrip("/"),
        comtrade_api_key=os.environ.get("COMTRADE_API_KEY", "").strip(),
        census_api_key=os.environ.get("CENSUS_API_KEY", "").strip(),
        connect_timeout=_float("LIVE_CONNECT_TIMEOUT", 10.0),
        read_timeout=_float("LIVE_READ_TIMEOUT", 120.0),
        max_attempts=_int("LIVE_MAX_ATTEMPTS", 6),
        backoff_base=_float("LIVE_BACKOFF_BASE", 2.0),
        backoff_max=_float("LIVE_BACKOFF_MAX", 120.0),
        max_retry_after=_float("LIVE_MAX_RETRY_AFTER", 600.0),
        # Comtrade's free tier answers about one call per second before it starts sending 429s.
        comtrade_min_interval=_float("COMTRADE_MIN_INTERVAL", 1.1),
        census_min_interval=_float("CENSUS_MIN_INTERVAL", 0.2),
        comtrade_max_records=_int("COMTRADE_MAX_RECORDS", 100_000),
    )
