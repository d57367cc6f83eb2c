"""A local HTTP server on 127.0.0.1 that answers like the live sources, from the real sample files.

Nothing here is invented data: every row served comes from ../shared/data, reshaped into the wire
format of the service that publishes it.

- UN Comtrade: `/data/v1/get` and `/public/v1/preview` JSON envelopes {elapsedTime, count, data[],
  error} built from the v1 rows in comtrade/rows_us_china and comtrade/ui_exports (read by column
  name), each endpoint with the key order of its recorded body in comtrade/api_v1 (or shuffled);
  row caps (500 on preview, maxRecords on data); bulk listings and gzip TSV bulk files; the release
  feed and data availability; the reporters reference file.
- US Census: `/data/timeseries/intltrade/{imports|exports}/hs` arrays of arrays (header first, then
  predicates appended) from census/us_imports_2024_hs10_by_country_chips_rare_earths.csv; 204 when
  nothing matches.
- USGS ScienceBase: catalog search and items listing MCS data releases zipped from usgs_mcs/<year>.
- CEPII BACI: the BACI page linking archives zipped from baci/reference (the code files are real;
  there are no trade-flow files offline, so none are served).

Faults are injected per path prefix: HTTP status with Retry-After, a slow answer, a truncated JSON
body, a dropped connection mid-download, a count that disagrees with the rows, an empty result.
Every request is logged (path, query, headers) so tests can count calls and check keys.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import random
import re
import signal
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from orchestration.ingest.registry import COMTRADE_GRAIN, COMTRADE_V1_FIELDS

INT_FIELDS = {
    "refPeriodId", "refYear", "refMonth", "reporterCode", "partnerCode", "partner2Code", "aggrLevel",
    "motCode", "qtyUnitCode", "altQtyUnitCode", "legacyEstimationFlag",
}  # fmt: skip
BOOL_FIELDS = {
    "isOriginalClassification", "isLeaf", "isQtyEstimated", "isAltQtyEstimated", "isNetWgtEstimated",
    "isGrossWgtEstimated", "isReported", "isAggregate",
}  # fmt: skip
NUMBER_FIELDS = {"qty", "altQty", "netWgt", "grossWgt", "cifvalue", "fobvalue", "primaryValue"}
CENSUS_AVAILABLE = (
    "CTY_CODE",
    "CTY_NAME",
    "CON_VAL_YR",
    "CAL_DUT_YR",
    "I_COMMODITY",
    "I_COMMODITY_SDESC",
    "COMM_LVL",
    "time",
)
# Variables the real API knows (a request for anything else is a 400, as there).
CENSUS_KNOWN = set(CENSUS_AVAILABLE) | {
    "CON_VAL_MO", "CAL_DUT_MO", "GEN_VAL_YR", "GEN_VAL_MO", "E_COMMODITY", "E_COMMODITY_SDESC",
    "ALL_VAL_YR", "ALL_VAL_MO", "YEAR", "MONTH", "DISTRICT",
}  # fmt: skip


def _typed(name: str, text: str | None) -> Any:
    if text is None:
        return None
    text = text.strip()
    if text == "":
        return None
    if name in BOOL_FIELDS:
        return text.lower() == "true"
    if name in INT_FIELDS:
        return int(float(text))
    if name in NUMBER_FIELDS:
        value = float(text)
        return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value
    return text


def load_comtrade_rows(data_dir: Path) -> list[dict[str, Any]]:
    """The v1 rows of the sample, by column name, JSON-typed, one per grain (first file wins)."""
    sources = [(p, "utf-8") for p in sorted((data_dir / "comtrade/rows_us_china").glob("*.csv"))]
    sources += [(p, "latin-1") for p in sorted((data_dir / "comtrade/ui_exports").glob("*.csv"))]
    seen: set[tuple] = set()
    rows: list[dict[str, Any]] = []
    for path, encoding in sources:
        with path.open(encoding=encoding, newline="") as handle:
            for raw in csv.DictReader(handle):
                row = {name: _typed(name, raw.get(name)) for name in COMTRADE_V1_FIELDS}
                row["period"] = str(row["period"])
                row["mosCode"] = None if row["mosCode"] is None else str(row["mosCode"])
                key = tuple(row[g] for g in COMTRADE_GRAIN)
                if key in seen:
                    continue
                seen.add(key)
                rows.append(row)
    return rows


def recorded_key_order(path: Path) -> tuple[str, ...]:
    body = json.loads(path.read_text(encoding="utf-8"))
    return tuple(body["data"][0].keys())


def load_census_rows(data_dir: Path) -> list[dict[str, str]]:
    path = data_dir / "census/us_imports_2024_hs10_by_country_chips_rare_earths.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [{k: raw[k] for k in CENSUS_AVAILABLE} for raw in csv.DictReader(handle)]


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, content in sorted(files.items()):
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 31, 0, 0, 0))  # fixed: same bytes every run
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, content)
    return buffer.getvalue()


@dataclass
class Fault:
    kind: str  # status | slow | truncate | drop | count_mismatch | empty
    status: int = 500
    retry_after: str | None = None
    seconds: float = 0.0
    fraction: float = 0.5
    query_contains: str = ""  # only requests whose query string holds this text


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]

    @property
    def url(self) -> str:
        return self.path + ("?" + "&".join(f"{k}={v}" for k, v in self.query.items()) if self.query else "")


@dataclass
class ReplayState:
    data_dir: Path
    comtrade_key: str = "replay-comtrade-key"
    census_key: str | None = None
    preview_cap: int = 500
    data_cap: int = 100_000
    shuffle_keys: bool = False
    bulk_publication_date: str = "2025-06-30T00:00:00Z"
    usgs_editions: tuple[int, ...] = (2023, 2024)
    baci_versions: tuple[str, ...] = ("202201", "202301")
    releases: list[dict[str, Any]] = field(default_factory=list)
    revisions: list[tuple[Callable[[dict], bool], dict[str, Any]]] = field(default_factory=list)
    faults: list[tuple[str, Fault]] = field(default_factory=list)
    log: list[LoggedRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self):
        self.comtrade_rows = load_comtrade_rows(self.data_dir)
        api = self.data_dir / "comtrade/api_v1"
        self.key_order = {
            "data": recorded_key_order(api / "data_v1_get_C_A_HS_CHN_2010_TOTAL.json"),
            "preview": recorded_key_order(api / "public_v1_preview_C_A_HS_USA_JPN_2023_TOTAL.json"),
        }
        self.bulk_template = json.loads((api / "bulk_v1_get_C_A_HS_fileinfo.json").read_text())["data"][0]
        items = json.loads((self.data_dir / "comtrade/reference/reference_TradeDataItems.json").read_text())
        self.bulk_fields = tuple(i["dataItem"] for i in items["results"] if i["isInBulkFileFinal"] == "True")
        self.census_rows = load_census_rows(self.data_dir)
        self._cache: dict[str, bytes] = {}
        self.rng = random.Random(20240101)

    # -- test controls ---------------------------------------------------------------------------
    def inject(self, path_prefix: str, fault: Fault, times: int = 1) -> None:
        with self.lock:
            self.faults.extend([(path_prefix, fault)] * times)

    def take_fault(self, path: str, query: str = "") -> Fault | None:
        with self.lock:
            for i, (prefix, fault) in enumerate(self.faults):
                if path.startswith(prefix) and fault.query_contains in query:
                    return self.faults.pop(i)[1]
        return None

    def revise(self, match: Callable[[dict], bool], changes: dict[str, Any]) -> None:
        """From now on, rows matching `match` are served with `changes` (a published revision)."""
        self.revisions.append((match, changes))

    def calls(self, prefix: str = "/") -> list[LoggedRequest]:
        with self.lock:
            return [r for r in self.log if r.path.startswith(prefix)]

    # -- comtrade --------------------------------------------------------------------------------
    def comtrade_select(self, freq: str, query: dict[str, str]) -> list[dict[str, Any]]:
        def values(name: str) -> set[str] | None:
            raw = query.get(name)
            return {v.strip() for v in raw.split(",") if v.strip()} if raw else None

        wanted = {
            "reporterCode": values("reporterCode"),
            "period": values("period"),
            "cmdCode": values("cmdCode"),
            "flowCode": values("flowCode"),
            "partnerCode": values("partnerCode"),
            "partner2Code": values("partner2Code"),
            "customsCode": values("customsCode"),
            "motCode": values("motCode"),
        }
        out = []
        for row in self.comtrade_rows:
            if row["freqCode"] != freq:
                continue
            if any(allowed is not None and str(row[name]) not in allowed for name, allowed in wanted.items()):
                continue
            revised = dict(row)
            for match, changes in self.revisions:
                if match(revised):
                    revised.update(changes)
            out.append(revised)
        return out

    def envelope(self, rows: list[dict[str, Any]], endpoint: str) -> bytes:
        order = list(self.key_order[endpoint])
        data = []
        for row in rows:
            keys = list(order)
            if self.shuffle_keys:
                self.rng.shuffle(keys)
            data.append({k: row.get(k) for k in keys})
        body = {"elapsedTime": "0.01 secs", "count": len(data), "data": data, "error": ""}
        return json.dumps(body, separators=(",", ":")).encode()

    def bulk_file(self, reporter: str, period: str, freq: str) -> bytes:
        """A final bulk file: gzipped TSV of the fields Comtrade's data-item dictionary marks
        isInBulkFileFinal, spelled as the dictionary spells them (cifValue, isnetWgtEstimated ...)."""
        rows = self.comtrade_select(freq, {"reporterCode": reporter, "period": period})
        by_lower = {k.lower(): k for k in COMTRADE_V1_FIELDS}
        # datasetCode's composition is not documented: not served rather than invented
        header = [name for name in self.bulk_fields if name.lower() in by_lower]
        text = io.StringIO()
        writer = csv.writer(text, delimiter="\t", lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            values = [row.get(by_lower[name.lower()]) for name in header]
            writer.writerow(["" if v is None else v for v in values])
        return gzip.compress(text.getvalue().encode(), mtime=0)

    # -- usgs / baci -----------------------------------------------------------------------------
    def usgs_zip(self, edition: int, part: str) -> bytes:
        key = f"usgs/{edition}/{part}"
        if key not in self._cache:
            root = self.data_dir / "usgs_mcs" / str(edition)
            suffix = "_world.csv" if part == "world" else "_salient.csv"
            files = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob(f"*{suffix}"))}
            self._cache[key] = _zip(files)
        return self._cache[key]

    def baci_zip(self, version: str) -> bytes:
        key = f"baci/{version}"
        if key not in self._cache:
            ref = self.data_dir / "baci/reference"
            files = {p.name: p.read_bytes() for p in sorted(ref.glob(f"*_V{version}*"))}
            self._cache[key] = _zip(files)
        return self._cache[key]


class ReplayHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ReplayServer/1.0"
    timeout = 10  # a stuck client cannot hold a handler thread forever

    @property
    def state(self) -> ReplayState:
        return self.server.state  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read state.log instead
        return

    # -- plumbing --------------------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        with self.state.lock:
            self.state.log.append(
                LoggedRequest("GET", parts.path, query, {k.lower(): v for k, v in self.headers.items()})
            )
        fault = self.state.take_fault(parts.path, unquote(parts.query))
        try:
            if fault and fault.kind == "status":
                headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
                return self.send_body(
                    fault.status, b'{"statusCode":%d,"message":"injected"}' % fault.status, headers=headers
                )
            if fault and fault.kind == "slow":
                time.sleep(fault.seconds)
            self.route(parts.path, query, fault)
        except (BrokenPipeError, ConnectionResetError):
            return

    def route(self, path: str, query: dict[str, str], fault: Fault | None) -> None:
        m = re.fullmatch(r"/(data/v1/get|public/v1/preview)/C/([AM])/HS", path)
        if m:
            return self.comtrade_data("data" if m.group(1).startswith("data") else "preview", m.group(2), query, fault)
        m = re.fullmatch(r"/bulk/v1/get/C/([AM])/HS", path)
        if m:
            return self.comtrade_bulk_listing(m.group(1), query)
        m = re.fullmatch(r"/bulk/v1/file/(\d+)/([0-9a-f]+)", path)
        if m:
            return self.comtrade_bulk_file(m.group(1), m.group(2), fault)
        if path == "/data/v1/getLiveUpdate":
            if not self.keyed():
                return self.send_json(
                    401, {"statusCode": 401, "message": "Access denied due to invalid subscription key."}
                )
            rel = self.state.releases
            return self.send_json(200, {"elapsedTime": "0.01 secs", "count": len(rel), "data": rel, "error": ""})
        m = re.fullmatch(r"/(data|public)/v1/getDA/C/([AM])/HS", path)
        if m:
            return self.comtrade_availability(m.group(2), query)
        if path == "/files/v1/app/reference/Reporters.json":
            return self.send_body(
                200, (self.state.data_dir / "comtrade/reference/reference_Reporters.json").read_bytes()
            )
        m = re.fullmatch(r"/data/timeseries/intltrade/(imports|exports)/hs", path)
        if m:
            return self.census(m.group(1), query, fault)
        if path == "/catalog/items":
            return self.sciencebase_search(query)
        m = re.fullmatch(r"/catalog/file/get/mcs(\d{4})", path)
        if m and query.get("part") == "meta":
            meta = sorted((self.state.data_dir / "usgs_mcs" / m.group(1)).rglob("*_meta.xml"))
            return self.send_download(meta[0].read_bytes(), fault)
        if m:
            return self.send_download(self.state.usgs_zip(int(m.group(1)), query.get("part", "world")), fault)
        if path == "/CEPII/en/bdd_modele/bdd_modele_item.asp":
            return self.baci_page()
        m = re.fullmatch(r"/DATA_DOWNLOAD/baci/data/BACI_HS17_V(\d{6})\.zip", path)
        if m and m.group(1) in self.state.baci_versions:
            return self.send_download(self.state.baci_zip(m.group(1)), fault)
        return self.send_json(404, {"statusCode": 404, "message": f"no route {path}"})

    def keyed(self) -> bool:
        return self.headers.get("Ocp-Apim-Subscription-Key") == self.state.comtrade_key

    def send_body(
        self, status: int, body: bytes, *, content_type: str = "application/json", headers: dict | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def send_json(self, status: int, payload: Any) -> None:
        self.send_body(status, json.dumps(payload).encode())

    def send_maybe_truncated(self, body: bytes, fault: Fault | None) -> None:
        if fault and fault.kind == "truncate":
            # a body cut short but delivered as complete (the proxy's Content-Length matches the cut)
            return self.send_body(200, body[: max(1, int(len(body) * fault.fraction))])
        return self.send_body(200, body)

    def send_download(self, body: bytes, fault: Fault | None) -> None:
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        start = 0
        range_header = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        status = 200
        if range_header and (if_range is None or if_range == etag):
            m = re.fullmatch(r"bytes=(\d+)-", range_header.strip())
            if m:
                start = int(m.group(1))
                if start >= len(body):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(body)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status = 206
        chunk = body[start:]
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(chunk)))
        self.send_header("ETag", etag)
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        self.end_headers()
        if fault and fault.kind == "drop":
            # announce everything, send part of it, hang up: the client must resume with Range
            self.wfile.write(chunk[: int(len(chunk) * fault.fraction)])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(chunk)

    # -- comtrade --------------------------------------------------------------------------------
    def comtrade_data(self, endpoint: str, freq: str, query: dict[str, str], fault: Fault | None) -> None:
        if endpoint == "data" and not self.keyed():
            return self.send_json(401, {"statusCode": 401, "message": "Access denied due to invalid subscription key."})
        rows = [] if fault and fault.kind == "empty" else self.state.comtrade_select(freq, query)
        cap = (
            self.state.preview_cap
            if endpoint == "preview"
            else min(int(query.get("maxRecords", "100000")), self.state.data_cap)
        )
        rows = rows[:cap]
        body = self.state.envelope(rows, endpoint)
        if fault and fault.kind == "count_mismatch":
            doc = json.loads(body)
            doc["data"] = doc["data"][: max(0, len(doc["data"]) - 1)]
            body = json.dumps(doc).encode()
        self.send_maybe_truncated(body, fault)

    def comtrade_bulk_listing(self, freq: str, query: dict[str, str]) -> None:
        rows = self.state.comtrade_select(freq, {k: v for k, v in query.items() if k in ("reporterCode", "period")})
        pairs = sorted({(r["reporterCode"], r["period"], r["classificationCode"]) for r in rows})
        host = f"http://{self.headers.get('Host')}"
        entries = []
        for reporter, period, cl in pairs:
            body = self.state.bulk_file(str(reporter), period, freq)
            digest = hashlib.sha256(body).hexdigest()
            entry = {k: self.state.bulk_template.get(k) for k in self.state.bulk_template}
            entry.update(
                fileUrl=f"{host}/bulk/v1/file/{reporter}/{digest}",
                fileSize=f"{len(body) / 1024:.2f} KB",
                reporterCode=reporter,
                freqCode=freq,
                classificationCode=cl,
                refPeriodId=int(f"{period}0101") if len(period) == 4 else int(f"{period}01"),
                period=int(period),
                publicationDate=self.state.bulk_publication_date,
                rowKey=digest,
                partitionKey=str(reporter),
            )
            entries.append(entry)
        self.send_json(200, {"elapsedTime": "0.01 secs", "count": len(entries), "data": entries, "error": ""})

    def comtrade_bulk_file(self, reporter: str, digest: str, fault: Fault | None) -> None:
        for freq in ("A", "M"):
            periods = {
                r["period"]
                for r in self.state.comtrade_rows
                if str(r["reporterCode"]) == reporter and r["freqCode"] == freq
            }
            for period in sorted(periods):
                body = self.state.bulk_file(reporter, period, freq)
                if hashlib.sha256(body).hexdigest() == digest:
                    return self.send_download(body, fault)
        return self.send_json(404, {"statusCode": 404, "message": "file not found"})

    def comtrade_availability(self, freq: str, query: dict[str, str]) -> None:
        rows = self.state.comtrade_select(freq, {k: v for k, v in query.items() if k in ("reporterCode", "period")})
        pairs = sorted({(r["reporterCode"], r["period"]) for r in rows})
        data = [
            {
                "reporterCode": rep,
                "period": per,
                "freqCode": freq,
                "classificationCode": "HS",
                "lastReleased": self.state.bulk_publication_date,
                "totalRecords": sum(1 for r in rows if r["reporterCode"] == rep and r["period"] == per),
            }
            for rep, per in pairs
        ]
        self.send_json(200, {"elapsedTime": "0.01 secs", "count": len(data), "data": data, "error": ""})

    # -- census ----------------------------------------------------------------------------------
    def census(self, flow: str, query: dict[str, str], fault: Fault | None) -> None:
        if self.state.census_key is not None and query.get("key") != self.state.census_key:
            return self.send_body(200, b"<html><body>Invalid Key</body></html>", content_type="text/html")
        variables = [v for v in query.get("get", "").split(",") if v]
        unknown = [v for v in variables if v not in CENSUS_KNOWN]
        if not variables or unknown:
            return self.send_body(
                400, f"error: unknown variable '{(unknown or ['get'])[0]}'".encode(), content_type="text/plain"
            )
        predicates = {k: v for k, v in query.items() if k not in ("get", "key")}
        rows = [] if flow == "exports" or (fault and fault.kind == "empty") else list(self.state.census_rows)
        for name, value in predicates.items():
            if value.endswith("*"):
                rows = [r for r in rows if str(r.get(name, "")).startswith(value[:-1])]
            else:
                rows = [r for r in rows if str(r.get(name, "")) == value]
        missing = [v for v in variables if v not in CENSUS_AVAILABLE]
        if rows and missing:
            return self.send_body(
                400, f"error: the replay sample has no values for {missing}".encode(), content_type="text/plain"
            )
        if not rows:
            return self.send_body(204, b"")
        header = variables + [k for k in predicates if k not in variables]
        table = [header] + [[r.get(name) for name in header] for r in rows]
        body = ("[" + ",\n".join(json.dumps(row) for row in table) + "]").encode()
        self.send_maybe_truncated(body, fault)

    # -- sciencebase / baci ----------------------------------------------------------------------
    def sciencebase_search(self, query: dict[str, str]) -> None:
        m = re.search(r"(\d{4})", query.get("q", ""))
        items = []
        if m and int(m.group(1)) in self.state.usgs_editions:
            edition = int(m.group(1))
            host = f"http://{self.headers.get('Host')}"
            files = []
            for part in ("world", "salient"):
                size = len(self.state.usgs_zip(edition, part))
                files.append(
                    {
                        "name": f"MCS{edition}_{part}_data.zip",
                        "url": f"{host}/catalog/file/get/mcs{edition}?part={part}",
                        "size": size,
                        "contentType": "application/zip",
                    }
                )
            files.append(
                {
                    "name": f"MCS{edition}_meta.xml",
                    "url": f"{host}/catalog/file/get/mcs{edition}?part=meta",
                    "size": 10,
                    "contentType": "application/xml",
                }
            )
            items = [
                {"id": f"mcs{edition}", "title": f"Mineral Commodity Summaries {edition}", "files": files},
                {
                    "id": f"mcs{edition}-lithium",
                    "title": f"Mineral Commodity Summaries {edition} - Lithium",
                    "files": files[:1],
                },
            ]
        self.send_json(200, {"total": len(items), "items": items})

    def baci_page(self) -> None:
        links = "\n".join(
            f'<li><a href="../../../DATA_DOWNLOAD/baci/data/BACI_HS17_V{v}.zip">HS17 V{v}</a></li>'
            for v in self.state.baci_versions
        )
        html = f"<html><body><h1>BACI</h1><ul>{links}</ul></body></html>".encode()
        self.send_body(200, html, content_type="text/html; charset=utf-8")


class ReplayServer:
    """Start on a random port of 127.0.0.1; `.url` is the base to put in *_API_BASE."""

    def __init__(self, data_dir: Path, **state: Any):
        self.state = ReplayState(data_dir=data_dir, **state)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), ReplayHandler)
        self.httpd.daemon_threads = True
        self.httpd.state = self.state  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> ReplayServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def main() -> None:
    """Serve the replay on a fixed port for a manual `make run SOURCE=live` against it."""
    import argparse
    import os

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--data-dir", default=os.environ.get("SAMPLE_DATA_DIR", "../shared/data"))
    parser.add_argument(
        "--inject-faults",
        action="store_true",
        help="Comtrade data API: 429 (Retry-After 1), 500, truncated body; Census: one 3 s answer "
        "(a timeout with LIVE_READ_TIMEOUT=2); the BACI archive and a Comtrade bulk file: a connection "
        "dropped part way",
    )
    args = parser.parse_args()
    server = ReplayServer(Path(args.data_dir).resolve())
    if args.inject_faults:
        server.state.inject("/data/v1/get", Fault("status", 429, retry_after="1"))
        server.state.inject("/data/v1/get", Fault("status", 500))
        server.state.inject("/data/v1/get", Fault("truncate", fraction=0.4))
        server.state.inject("/data/timeseries", Fault("slow", seconds=3.0, query_contains="I_COMMODITY=8542*"))
        server.state.inject("/DATA_DOWNLOAD/baci", Fault("drop", fraction=0.8))
        server.state.inject("/bulk/v1/file", Fault("drop", fraction=0.5))
    server.httpd.server_close()
    server.httpd = ThreadingHTTPServer(("127.0.0.1", args.port), ReplayHandler)
    server.httpd.daemon_threads = True
    server.httpd.state = server.state  # type: ignore[attr-defined]

    def stop(*_: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(f"replay server on {server.url} (COMTRADE_API_KEY={server.state.comtrade_key}); Ctrl-C stops it", flush=True)
    try:
        server.httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
        calls = {}
        for request in server.state.log:
            calls[request.path.split("/")[1]] = calls.get(request.path.split("/")[1], 0) + 1
        print(f"requests served: {len(server.state.log)} {calls}", flush=True)


if __name__ == "__main__":
    main()
