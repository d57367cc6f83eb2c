"""The live scope: which years, months, reporters and HS codes to fetch, and how to cut it into requests.

Read from `scope.toml` beside this module (or LIVE_SCOPE_FILE), with single keys overridable from the
environment (LIVE_YEARS, LIVE_MONTHS, LIVE_REPORTERS, LIVE_HS_CODES, LIVE_MCS_EDITIONS,
LIVE_BACI_RELEASES). Pure functions only: no I/O besides reading that file.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from orchestration.connectors.census import CensusQuery
from orchestration.connectors.comtrade import ComtradeQuery

SCOPE_FILE = Path(__file__).resolve().parent / "scope.toml"


def _batches(values: tuple[str, ...], size: int) -> list[tuple[str, ...]]:
    if not values:
        return [()]
    size = max(1, size)
    return [values[i : i + size] for i in range(0, len(values), size)]


def expand_months(items: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """'2025-01..2025-03' and '2025-05' -> ('2025-01', '2025-02', '2025-03', '2025-05')."""
    out: list[str] = []
    for item in items:
        item = item.strip()
        if not item:
            continue
        if ".." in item:
            start, end = (s.strip() for s in item.split("..", 1))
            y, m = (int(x) for x in start.split("-"))
            ey, em = (int(x) for x in end.split("-"))
            if (y, m) > (ey, em):
                raise ValueError(f"month range runs backwards: {item!r}")
            while (y, m) <= (ey, em):
                out.append(f"{y:04d}-{m:02d}")
                y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        else:
            if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", item):
                raise ValueError(f"not a month (YYYY-MM): {item!r}")
            out.append(item)
    return tuple(dict.fromkeys(out))


def minimal_prefixes(codes: tuple[str, ...]) -> tuple[str, ...]:
    """Drop codes that a shorter code in the list already covers (8486 covers 848610)."""
    kept: list[str] = []
    for code in sorted(set(codes), key=lambda c: (len(c), c)):
        if not any(code.startswith(k) for k in kept):
            kept.append(code)
    return tuple(sorted(kept))


@dataclass(frozen=True)
class LiveScope:
    years: tuple[int, ...]
    months: tuple[str, ...]
    hs_codes: tuple[str, ...]
    comtrade_reporters: tuple[str, ...]
    comtrade_partners: tuple[str, ...] = ()
    comtrade_flows: tuple[str, ...] = ("M", "X")
    bulk_reporters: tuple[str, ...] = ()
    reporters_per_call: int = 10
    codes_per_call: int = 40
    census_flows: tuple[str, ...] = ("imports", "exports")
    census_comm_lvl: str = "HS10"
    mcs_editions: tuple[int, ...] = ()
    baci_releases: tuple[str, ...] = ()
    baci_hs: str = "HS17"

    # -- requests --------------------------------------------------------------------------------
    def comtrade_queries(self, freq: str, period: str) -> list[ComtradeQuery]:
        """A partition's first cut: reporter batches x code batches, one period (split later if capped)."""
        return [
            ComtradeQuery(
                freq=freq,
                periods=(period,),
                cmd_codes=codes,
                reporters=reporters,
                flows=self.comtrade_flows,
                partners=self.comtrade_partners,
            )
            for reporters in _batches(self.comtrade_reporters, self.reporters_per_call)
            for codes in _batches(self.hs_codes, self.codes_per_call)
        ]

    def census_queries(self, freq: str, time: str) -> list[CensusQuery]:
        return [
            CensusQuery(flow=flow, freq=freq, time=time, hs_prefix=prefix, comm_lvl=self.census_comm_lvl)
            for flow in self.census_flows
            for prefix in minimal_prefixes(self.hs_codes)
        ]


def comtrade_period(partition_key: str) -> str:
    """Dagster partition key -> Comtrade period: '2024' -> '2024', '2025-03-01' -> '202503'."""
    if re.fullmatch(r"\d{4}", partition_key):
        return partition_key
    match = re.fullmatch(r"(\d{4})-(\d{2})(-\d{2})?", partition_key)
    if not match:
        raise ValueError(f"not a yearly or monthly partition key: {partition_key!r}")
    return match.group(1) + match.group(2)


def census_time(partition_key: str) -> str:
    """Dagster partition key -> Census `time`: a year is its December year to date."""
    if re.fullmatch(r"\d{4}", partition_key):
        return f"{partition_key}-12"
    match = re.fullmatch(r"(\d{4})-(\d{2})(-\d{2})?", partition_key)
    if not match:
        raise ValueError(f"not a yearly or monthly partition key: {partition_key!r}")
    return f"{match.group(1)}-{match.group(2)}"


def landing_period(partition_key: str) -> str:
    """Folder name for a partition in the landing area: '2024' or '2025-03'."""
    return partition_key if re.fullmatch(r"\d{4}", partition_key) else partition_key[:7]


def _env_list(name: str) -> list[str] | None:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return None
    return [item.strip() for item in raw.split(",") if item.strip()]


def load_scope(path: Path | None = None) -> LiveScope:
    path = Path(os.environ.get("LIVE_SCOPE_FILE", "") or path or SCOPE_FILE)
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    comtrade = doc.get("comtrade", {})
    census = doc.get("census", {})
    years = _env_list("LIVE_YEARS") or [str(y) for y in doc.get("years", [])]
    months = _env_list("LIVE_MONTHS") or doc.get("months", [])
    codes = _env_list("LIVE_HS_CODES") or doc.get("hs_codes", [])
    reporters = _env_list("LIVE_REPORTERS")
    if reporters is None:
        reporters = [str(r) for r in comtrade.get("reporters", [])]
    bulk = _env_list("LIVE_BULK_REPORTERS")
    if bulk is None:
        bulk = [str(r) for r in comtrade.get("bulk_reporters", [])]
    editions = _env_list("LIVE_MCS_EDITIONS") or [str(e) for e in doc.get("usgs", {}).get("editions", [])]
    releases = _env_list("LIVE_BACI_RELEASES") or doc.get("baci", {}).get("releases", [])
    for code in codes:
        if not re.fullmatch(r"\d{2}(\d{2}){0,2}", code):
            raise ValueError(f"{path}: HS code {code!r} is not 2, 4 or 6 digits")
    return LiveScope(
        years=tuple(int(y) for y in years),
        months=expand_months(months),
        hs_codes=tuple(dict.fromkeys(codes)),
        comtrade_reporters=tuple(dict.fromkeys(reporters)),
        comtrade_partners=tuple(str(p) for p in comtrade.get("partners", [])),
        comtrade_flows=tuple(comtrade.get("flows", ["M", "X"])),
        bulk_reporters=tuple(dict.fromkeys(bulk)),
        reporters_per_call=int(comtrade.get("reporters_per_call", 10)),
        codes_per_call=int(comtrade.get("codes_per_call", 40)),
        census_flows=tuple(census.get("flows", ["imports", "exports"])),
        census_comm_lvl=str(census.get("comm_lvl", "HS10")),
        mcs_editions=tuple(int(e) for e in editions),
        baci_releases=tuple(releases),
        baci_hs=str(doc.get("baci", {}).get("hs", "HS17")),
    )
