"""US Census international trade API: imports and exports by HS code and country, monthly and annual.

`/data/timeseries/intltrade/{imports|exports}/hs` answers a JSON array of arrays whose first row is
the header (variables in `get=` order, then any predicate not in `get=`), or HTTP 204 with no body
when nothing matches. Annual figures are the year-to-date variables (`*_YR`) at month 12; monthly
ones are the `*_MO` variables of each month. One request per flow x HS prefix x period, at the HS10
level by default. An optional CENSUS_API_KEY travels as the `key` query parameter and is redacted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from orchestration.connectors.http import HttpClient, Progress, ProgressCallback, RetryableResponse
from orchestration.connectors.landing_area import FetchReport, PartitionLanding, safe_name
from orchestration.connectors.settings import ConnectorSettings

FLOW_VARIABLES = {
    "imports": {
        "commodity": "I_COMMODITY",
        "description": "I_COMMODITY_SDESC",
        "A": ("CON_VAL_YR", "CAL_DUT_YR"),
        "M": ("CON_VAL_MO", "CAL_DUT_MO"),
    },
    "exports": {
        "commodity": "E_COMMODITY",
        "description": "E_COMMODITY_SDESC",
        "A": ("ALL_VAL_YR",),
        "M": ("ALL_VAL_MO",),
    },
}


class CensusError(Exception):
    """The Census API answered something this client cannot use; names the request."""


@dataclass(frozen=True)
class CensusQuery:
    flow: str  # imports | exports
    freq: str  # A (year to date at December) | M
    time: str  # YYYY-MM
    hs_prefix: str  # HS2/4/6 prefix; every line under it at `comm_lvl`
    comm_lvl: str = "HS10"

    @property
    def variables(self) -> tuple[str, ...]:
        spec = FLOW_VARIABLES[self.flow]
        return ("CTY_CODE", "CTY_NAME", spec["commodity"], spec["description"], *spec[self.freq])

    def params(self) -> dict[str, str]:
        commodity = FLOW_VARIABLES[self.flow]["commodity"]
        return {
            "get": ",".join(self.variables),
            "time": self.time,
            "COMM_LVL": self.comm_lvl,
            commodity: f"{self.hs_prefix}*",
        }

    def canonical(self) -> str:
        return json.dumps({"flow": self.flow, **self.params()}, sort_keys=True)

    @property
    def file_name(self) -> str:
        digest = hashlib.sha256(self.canonical().encode()).hexdigest()[:8]
        return safe_name(f"{self.flow}_{self.hs_prefix}_{self.comm_lvl}_{self.time}_{digest}") + ".json"


def validate_table(body: bytes, status: int, *, where: str, required: tuple[str, ...]) -> list[list[Any]]:
    """Parse a Census answer: [] for 204, else header + rows, all of the header's width."""
    if status == 204 or not body.strip():
        return []
    if body.lstrip()[:1] == b"<":
        raise CensusError(f"{where}: HTML instead of JSON (an invalid or inactive key gets this page)")
    try:
        table = json.loads(body)
    except ValueError as exc:
        raise RetryableResponse(f"body of {len(body)} bytes is not complete JSON ({exc})") from exc
    if not isinstance(table, list) or not table or not isinstance(table[0], list):
        raise CensusError(f"{where}: not an array of arrays with a header row")
    header = table[0]
    missing = [name for name in required if name not in header]
    if missing:
        raise CensusError(f"{where}: header {header} lacks {missing}")
    width = len(header)
    for i, row in enumerate(table[1:], start=1):
        if not isinstance(row, list) or len(row) != width:
            raise CensusError(
                f"{where}: row {i} has {len(row) if isinstance(row, list) else '?'} cells, header has {width}"
            )
    return table


def rows_by_name(table: list[list[Any]]) -> list[dict[str, Any]]:
    """Rows as dicts by header name (first occurrence of a repeated name wins)."""
    if not table:
        return []
    header = table[0]
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        index.setdefault(name, i)
    return [{name: row[i] for name, i in index.items()} for row in table[1:]]


class CensusClient:
    def __init__(
        self,
        settings: ConnectorSettings,
        *,
        http: HttpClient | None = None,
        progress: ProgressCallback | None = None,
        logger: Any = None,
    ):
        self.settings = settings
        self.base = settings.census_api_base
        self.key = settings.census_api_key
        self.http = http or settings.http_client(
            "census", min_interval=settings.census_min_interval, progress=progress, logger=logger
        )
        if self.key:
            self.http.redactor.add(self.key)

    def url(self, flow: str) -> str:
        return f"{self.base}/data/timeseries/intltrade/{flow}/hs"

    def fetch(self, query: CensusQuery) -> tuple[list[list[Any]], bytes, str]:
        url = self.url(query.flow)
        params = query.params()
        if self.key:
            params["key"] = self.key
        shown = self.http.redactor.url(url, params)
        required = ("CTY_CODE", FLOW_VARIABLES[query.flow]["commodity"], FLOW_VARIABLES[query.flow][query.freq][0])

        def check(response):
            return validate_table(
                response.content, response.status_code, where=shown, required=required
            ), response.content

        table, body = self.http.get(url, params=params, validate=check)
        return table, body, shown

    def plan_fingerprint(self, queries: list[CensusQuery]) -> str:
        return hashlib.sha256(json.dumps(sorted(q.canonical() for q in queries)).encode()).hexdigest()[:16]

    def fetch_partition(
        self, landing: PartitionLanding, queries: list[CensusQuery], *, force: bool = False
    ) -> FetchReport:
        report = FetchReport(partition=landing.rel(""))
        calls0, retries0 = self.http.stats.calls, self.http.stats.retries
        plan = self.plan_fingerprint(queries)
        if not force and landing.is_complete(plan):
            report.skipped_complete = True
            report.payloads = landing.payloads()
            return report
        landing.start(plan)
        leaves: list[str] = []
        fetched_rows = fetched_bytes = 0
        for query in queries:
            if not force and landing.current(query.file_name) is not None:
                report.reused += 1
                leaves.append(query.file_name)
                continue
            table, body, shown = self.fetch(query)
            rows = max(0, len(table) - 1)
            payload = landing.store(query.file_name, body, url=shown, rows=rows, query=json.loads(query.canonical()))
            report.stored.append(payload)
            leaves.append(query.file_name)
            fetched_rows += rows
            fetched_bytes += payload.bytes
            self.http.report(Progress(label=f"census {landing.rel('')}", bytes_done=fetched_bytes, rows=fetched_rows))
        report.retired = landing.finish(plan, leaves)
        report.payloads = landing.payloads()
        report.calls = self.http.stats.calls - calls0
        report.retries = self.http.stats.retries - retries0
        return report
