"""UN Comtrade v1: data and preview endpoints, bulk file listing and download, release feed.

- With COMTRADE_API_KEY (sent only as the `Ocp-Apim-Subscription-Key` header): `/data/v1/get/{type}/
  {freq}/{cl}`, up to `maxRecords` rows a call. Without: the keyless `/public/v1/preview/...`, which
  returns at most 500 rows.
- A partition's scope (reporters x periods x HS codes x flows) is cut into requests; a response whose
  `count` reaches the cap may be truncated, so it is not kept: the request is split in two along its
  largest dimension and both halves are asked (recursively), and the split is recorded in the
  partition manifest so a rerun goes straight to the halves.
- Every body is checked before it is stored: it must parse as JSON (a body cut off in transit is
  retried), carry an empty `error`, and hold exactly `count` rows, each with the v1 key fields. Rows
  are never read by position: key order differs between endpoints (see SOURCE.txt of api_v1); the
  raw reader extracts every field by name.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from orchestration.connectors.http import HttpClient, HttpError, Progress, ProgressCallback, RetryableResponse
from orchestration.connectors.landing_area import FetchReport, PartitionLanding, Payload, safe_name
from orchestration.connectors.settings import ConnectorSettings
from orchestration.ingest.registry import COMTRADE_GRAIN, COMTRADE_V1_FIELDS

PREVIEW_CAP = 500
KEY_HEADER = "Ocp-Apim-Subscription-Key"
# Fields every data row must carry (by name): they identify the record.
REQUIRED_ROW_KEYS = (*COMTRADE_GRAIN, "primaryValue")


class ComtradeError(Exception):
    """Comtrade answered with an error, or with data this client cannot use; names the request."""


@dataclass(frozen=True)
class ComtradeQuery:
    """One request to the data API. Empty `reporters`/`partners` mean all of them."""

    freq: str  # A annual, M monthly
    periods: tuple[str, ...]
    cmd_codes: tuple[str, ...]
    reporters: tuple[str, ...] = ()
    flows: tuple[str, ...] = ("M", "X")
    partners: tuple[str, ...] = ()
    type_code: str = "C"
    cl_code: str = "HS"
    partner2: str | None = "0"
    customs: str | None = "C00"
    mot: str | None = "0"

    def params(self) -> dict[str, str]:
        params = {
            "reporterCode": ",".join(self.reporters) or None,
            "period": ",".join(self.periods),
            "cmdCode": ",".join(self.cmd_codes),
            "flowCode": ",".join(self.flows) or None,
            "partnerCode": ",".join(self.partners) or None,
            "partner2Code": self.partner2,
            "customsCode": self.customs,
            "motCode": self.mot,
            "includeDesc": "true",
        }
        return {k: v for k, v in params.items() if v is not None}

    def canonical(self) -> str:
        return json.dumps(
            {"type": self.type_code, "freq": self.freq, "cl": self.cl_code, **self.params()}, sort_keys=True
        )

    @property
    def request_id(self) -> str:
        return hashlib.sha256(self.canonical().encode()).hexdigest()[:12]

    @property
    def file_name(self) -> str:
        def part(values: tuple[str, ...], word: str) -> str:
            if not values:
                return f"{word}all"
            head = "-".join(values[:3])
            return f"{word}{head}" + (f"+{len(values) - 3}" if len(values) > 3 else "")

        label = "_".join(
            [part(self.reporters, "r"), part(self.periods, "p"), part(self.cmd_codes, "c"), part(self.flows, "f")]
        )
        return safe_name(f"{label}_{self.request_id}") + ".json"

    def split(self, all_reporters: tuple[str, ...] = ()) -> list[ComtradeQuery] | None:
        """Two disjoint halves along the largest dimension, or None when nothing can be split."""
        reporters = self.reporters or all_reporters
        dims = [
            ("cmd_codes", self.cmd_codes),
            ("reporters", reporters),
            ("periods", self.periods),
            ("flows", self.flows),
            ("partners", self.partners),
        ]
        name, values = max(dims, key=lambda d: len(d[1]))
        if len(values) < 2:
            return None
        mid = len(values) // 2
        return [replace(self, **{name: tuple(values[:mid])}), replace(self, **{name: tuple(values[mid:])})]


def validate_envelope(body: bytes, *, where: str) -> dict[str, Any]:
    """Parse and check a Comtrade JSON envelope {elapsedTime, count, data[], error}."""
    try:
        envelope = json.loads(body)
    except ValueError as exc:
        raise RetryableResponse(f"body of {len(body)} bytes is not complete JSON ({exc})") from exc
    if not isinstance(envelope, dict) or "data" not in envelope:
        shape = sorted(envelope)[:8] if isinstance(envelope, dict) else type(envelope).__name__
        raise ComtradeError(f"{where}: not a Comtrade envelope ({shape})")
    error = envelope.get("error")
    if error:
        raise ComtradeError(f"{where}: Comtrade error: {str(error)[:300]}")
    data = envelope.get("data")
    if data is None:
        data = []
    if not isinstance(data, list):
        raise ComtradeError(f"{where}: data is {type(data).__name__}, not a list")
    count = envelope.get("count")
    if count is not None and count != len(data):
        # the body parsed, but rows are missing: a cut-off or inconsistent answer
        raise RetryableResponse(f"count says {count} rows, data holds {len(data)}")
    for i, row in enumerate(data):
        if not isinstance(row, dict):
            raise ComtradeError(f"{where}: row {i} is {type(row).__name__}, not an object")
        missing = [k for k in REQUIRED_ROW_KEYS if k not in row]
        if missing:
            raise ComtradeError(f"{where}: row {i} lacks fields {missing}")
    return envelope


def rows_by_name(envelope: dict[str, Any]) -> list[dict[str, Any]]:
    """The data rows as dicts over the 47 v1 field names (absent keys -> None), whatever the key order."""
    return [{name: row.get(name) for name in COMTRADE_V1_FIELDS} for row in envelope.get("data") or []]


class ComtradeClient:
    def __init__(
        self,
        settings: ConnectorSettings,
        *,
        http: HttpClient | None = None,
        progress: ProgressCallback | None = None,
        logger: Any = None,
        preview_cap: int = PREVIEW_CAP,
    ):
        self.settings = settings
        self.base = settings.comtrade_api_base
        self.key = settings.comtrade_api_key
        self.http = http or settings.http_client(
            "comtrade", min_interval=settings.comtrade_min_interval, progress=progress, logger=logger
        )
        if self.key:
            self.http.redactor.add(self.key)
        self.preview_cap = preview_cap
        self._all_reporters: tuple[str, ...] | None = None

    @property
    def keyed(self) -> bool:
        return bool(self.key)

    @property
    def cap(self) -> int:
        return self.settings.comtrade_max_records if self.keyed else self.preview_cap

    @property
    def endpoint(self) -> str:
        return "data" if self.keyed else "preview"

    def _headers(self) -> dict[str, str]:
        return {KEY_HEADER: self.key} if self.key else {}

    def data_url(self, query: ComtradeQuery) -> str:
        prefix = "/data/v1/get" if self.keyed else "/public/v1/preview"
        return f"{self.base}{prefix}/{query.type_code}/{query.freq}/{query.cl_code}"

    def fetch(self, query: ComtradeQuery) -> tuple[dict[str, Any], bytes, str]:
        """One call: (checked envelope, body as arrived, redacted URL)."""
        url = self.data_url(query)
        params = query.params()
        if self.keyed:
            params["maxRecords"] = str(self.cap)
        shown = self.http.redactor.url(url, params)

        def check(response):
            return validate_envelope(response.content, where=shown), response.content

        envelope, body = self.http.get(url, params=params, headers=self._headers(), validate=check)
        return envelope, body, shown

    def all_reporters(self) -> tuple[str, ...]:
        """Reporter codes (no groups) from Comtrade's reference file: what `all reporters` splits into."""
        if self._all_reporters is None:
            doc = self.http.get_json(f"{self.base}/files/v1/app/reference/Reporters.json")
            results = doc.get("results", []) if isinstance(doc, dict) else []
            self._all_reporters = tuple(
                str(r["reporterCode"]) for r in results if not r.get("isGroup") and r.get("reporterCode") is not None
            )
        return self._all_reporters

    def plan_fingerprint(self, queries: Iterable[ComtradeQuery]) -> str:
        text = json.dumps([self.endpoint, self.cap, sorted(q.canonical() for q in queries)])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def fetch_partition(
        self,
        landing: PartitionLanding,
        queries: list[ComtradeQuery],
        *,
        force: bool = False,
    ) -> FetchReport:
        """Fetch every request of a partition into the landing area; reuse what is there unless forced."""
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
        pending = list(queries)
        while pending:
            query = pending.pop(0)
            if not force:
                if landing.split_of(query.request_id) is not None:
                    halves = query.split(self._reporters_for_split(query))
                    if halves:
                        pending[0:0] = halves
                        continue
                existing = landing.current(query.file_name)
                if existing is not None:
                    report.reused += 1
                    leaves.append(query.file_name)
                    continue
            envelope, body, shown = self.fetch(query)
            rows = len(envelope.get("data") or [])
            if rows >= self.cap:
                halves = query.split(self._reporters_for_split(query))
                if not halves:
                    raise ComtradeError(
                        f"{shown}: {rows} rows reach the {self.endpoint} cap of {self.cap} and the request "
                        "cannot be split further (one reporter, period, code, flow and partner)"
                    )
                report.splits += 1
                landing.record_split(query.request_id, [h.request_id for h in halves], f"{rows} rows = cap {self.cap}")
                pending[0:0] = halves
                continue
            payload = landing.store(query.file_name, body, url=shown, rows=rows, query=json.loads(query.canonical()))
            report.stored.append(payload)
            leaves.append(query.file_name)
            fetched_rows += rows
            fetched_bytes += payload.bytes
            self.http.report(Progress(label=f"comtrade {landing.rel('')}", bytes_done=fetched_bytes, rows=fetched_rows))
        report.retired = landing.finish(plan, leaves)
        report.payloads = landing.payloads()
        report.calls = self.http.stats.calls - calls0
        report.retries = self.http.stats.retries - retries0
        return report

    def _reporters_for_split(self, query: ComtradeQuery) -> tuple[str, ...]:
        if query.reporters:
            return ()
        return self.all_reporters()

    # -- bulk files ------------------------------------------------------------------------------
    def bulk_listing(
        self,
        freq: str,
        *,
        type_code: str = "C",
        cl_code: str = "HS",
        reporter: str | None = None,
        period: str | None = None,
        published_from: str | None = None,
    ) -> list[dict[str, Any]]:
        """The bulk files on offer (one per reporter x period), with their publication dates."""
        url = f"{self.base}/bulk/v1/get/{type_code}/{freq}/{cl_code}"
        params = {"reporterCode": reporter, "period": period, "publishedDateFrom": published_from}
        shown = self.http.redactor.url(url, params)

        def check(response):
            return validate_bulk_listing(response.content, where=shown)

        return self.http.get(url, params=params, headers=self._headers(), validate=check)

    def bulk_file_url(self, entry: dict[str, Any]) -> str:
        """Where to download a listed file. Absolute URLs keep their path but use the configured host."""
        file_url = str(entry["fileUrl"])
        if file_url.startswith(("http://", "https://")):
            parts = urlsplit(file_url)
            return f"{self.base}{parts.path}" + (f"?{parts.query}" if parts.query else "")
        return f"{self.base}/bulk/v1/file/{entry['reporterCode']}/{file_url}"

    def download_bulk_file(self, entry: dict[str, Any], landing: PartitionLanding) -> Payload:
        """Download one listed bulk file (gzip TSV) into the partition, resumable; as it arrived."""
        name = bulk_file_name(entry)
        url = self.bulk_file_url(entry)
        partial = landing.dir / name
        result = self.http.download(url, partial.with_name(f".{name}.download"), headers=self._headers(), label=name)
        query = {
            k: entry.get(k) for k in ("reporterCode", "period", "classificationCode", "publicationDate", "fileSize")
        }
        try:
            rows = gzip_data_lines(result.path)
        except (EOFError, OSError) as exc:
            result.path.unlink(missing_ok=True)  # the next attempt downloads it whole
            raise ComtradeError(f"{name} from {result.url}: not a complete gzip file ({exc})") from exc
        self.http.report(Progress(label=name, bytes_done=result.path.stat().st_size, rows=rows))
        return landing.adopt(name, result.path, result.sha256, url=result.url, rows=rows, query=query)

    def fetch_bulk_partition(
        self,
        landing: PartitionLanding,
        freq: str,
        period: str,
        reporters: tuple[str, ...] = (),
        *,
        force: bool = False,
    ) -> FetchReport:
        """Download the bulk files of one period (one per reporter) into the partition.

        One listing call says which files exist and when each was published; a file already landed
        with the same publication date is not downloaded again, a republished one replaces it (the old
        bytes move to the partition's history). A complete partition costs no call unless forced.
        """
        if not self.keyed:
            raise ComtradeError("Comtrade bulk files need COMTRADE_API_KEY (a subscription); none is set")
        report = FetchReport(partition=landing.rel(""))
        calls0, retries0 = self.http.stats.calls, self.http.stats.retries
        plan = hashlib.sha256(json.dumps(["bulk", freq, period, sorted(reporters)]).encode()).hexdigest()[:16]
        if not force and landing.is_complete(plan):
            report.skipped_complete = True
            report.payloads = landing.payloads()
            return report
        landing.start(plan)
        wanted = set(reporters)
        listing = [e for e in self.bulk_listing(freq, period=period) if not wanted or str(e["reporterCode"]) in wanted]
        leaves: list[str] = []
        for entry in sorted(listing, key=lambda e: (str(e["reporterCode"]), str(e.get("classificationCode")))):
            name = bulk_file_name(entry)
            existing = landing.current(name)
            landed_date = (landing.manifest["payloads"].get(name) or {}).get("query", {}).get("publicationDate")
            if existing is not None and landed_date == entry.get("publicationDate"):
                report.reused += 1
            else:
                report.stored.append(self.download_bulk_file(entry, landing))
            leaves.append(name)
        report.retired = landing.finish(plan, leaves)
        report.payloads = landing.payloads()
        report.calls = self.http.stats.calls - calls0
        report.retries = self.http.stats.retries - retries0
        return report

    # -- release feed ----------------------------------------------------------------------------
    def release_feed(self) -> list[dict[str, Any]]:
        """Recent releases (`/data/v1/getLiveUpdate`, keyed): what was published or revised lately."""
        if not self.keyed:
            raise ComtradeError("the release feed needs COMTRADE_API_KEY; use data_availability() without one")
        doc = self.http.get(f"{self.base}/data/v1/getLiveUpdate", headers=self._headers(), validate=_envelope_rows)
        return doc

    def data_availability(
        self, freq: str, period: str, reporters: tuple[str, ...] = (), cl_code: str = "HS"
    ) -> list[dict[str, Any]]:
        """Which reporter x period datasets exist and when each was last released (getDA)."""
        prefix = "/data/v1/getDA" if self.keyed else "/public/v1/getDA"
        url = f"{self.base}{prefix}/C/{freq}/{cl_code}"
        params = {"reporterCode": ",".join(reporters) or None, "period": period}
        return self.http.get(url, params=params, headers=self._headers(), validate=_envelope_rows)


def gzip_data_lines(path: Path) -> int:
    """Rows of a gzipped text file with a header line, counted while streaming (the file is never held whole).
    A file cut short fails here, before it reaches the landing area."""
    lines = 0
    ended_with_newline = True
    with gzip.open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            ended_with_newline = chunk.endswith(b"\n")
    if not ended_with_newline:
        lines += 1
    return max(lines - 1, 0)


def bulk_file_name(entry: dict[str, Any]) -> str:
    """Landing name of a listed bulk file: one per type, frequency, reporter, period and classification."""
    label = (
        f"{entry.get('typeCode', 'C')}_{entry.get('freqCode', '')}_{entry['reporterCode']}_"
        f"{entry.get('period', '')}_{entry.get('classificationCode', '')}"
    )
    return safe_name(label) + ".txt.gz"


def _envelope_rows(response) -> list[dict[str, Any]]:
    envelope = validate_envelope_loose(response.content, where=response.url)
    return list(envelope.get("data") or [])


def validate_envelope_loose(body: bytes, *, where: str) -> dict[str, Any]:
    """An envelope whose rows are not trade records (listings, feeds): parse, error, count."""
    try:
        envelope = json.loads(body)
    except ValueError as exc:
        raise RetryableResponse(f"body of {len(body)} bytes is not complete JSON ({exc})") from exc
    if not isinstance(envelope, dict):
        raise ComtradeError(f"not a Comtrade envelope: {type(envelope).__name__}")
    if envelope.get("error"):
        raise ComtradeError(f"Comtrade error: {str(envelope['error'])[:300]}")
    data = envelope.get("data") or []
    if envelope.get("count") is not None and envelope["count"] != len(data):
        raise RetryableResponse(f"count says {envelope['count']} rows, data holds {len(data)}")
    return envelope


def validate_bulk_listing(body: bytes, *, where: str) -> list[dict[str, Any]]:
    envelope = validate_envelope_loose(body, where=where)
    entries = list(envelope.get("data") or [])
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or "fileUrl" not in entry or "reporterCode" not in entry:
            raise ComtradeError(f"{where}: bulk listing entry {i} lacks fileUrl/reporterCode")
    return entries


__all__ = [
    "ComtradeClient",
    "ComtradeError",
    "ComtradeQuery",
    "FetchReport",
    "HttpError",
    "rows_by_name",
    "validate_envelope",
]
