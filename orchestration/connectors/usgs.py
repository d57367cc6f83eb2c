"""USGS Mineral Commodity Summaries data releases, from ScienceBase.

Each MCS edition (MCS 2024 = data for 2023) is a ScienceBase catalog item whose files are the data
release: zipped CSV bundles (world production and reserves, US salient statistics) and their
metadata. The client finds the edition's item (`/catalog/items?q=...&format=json`, or a configured
item id), downloads its CSV and zip files into the landing area as they are (resumable), and unpacks
the CSVs of each zip beside them under `extracted/` for the raw reader.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from orchestration.checksums import file_sha256
from orchestration.connectors.http import HttpClient, ProgressCallback
from orchestration.connectors.landing_area import FetchReport, PartitionLanding, safe_name
from orchestration.connectors.settings import ConnectorSettings

DEFAULT_FILE_PATTERNS = ("*.zip", "*.csv")
EXTRACTED = "extracted"


class UsgsError(Exception):
    """No release found for an edition, or a release this client cannot use."""


@dataclass(frozen=True)
class ReleaseFile:
    name: str
    url: str
    size: int | None


@dataclass(frozen=True)
class Release:
    edition: int
    item_id: str
    title: str
    files: tuple[ReleaseFile, ...]


def edition_title_pattern(edition: int) -> re.Pattern:
    return re.compile(rf"^Mineral Commodity Summaries {edition}\b(?!\s*[-–:]\s*\w)", re.IGNORECASE)


class UsgsClient:
    def __init__(
        self,
        settings: ConnectorSettings,
        *,
        http: HttpClient | None = None,
        progress: ProgressCallback | None = None,
        logger: Any = None,
        item_ids: dict[int, str] | None = None,
        file_patterns: tuple[str, ...] = DEFAULT_FILE_PATTERNS,
    ):
        self.base = settings.usgs_base
        self.http = http or settings.http_client("usgs", progress=progress, logger=logger)
        self.item_ids = item_ids or {}
        self.file_patterns = file_patterns

    def find_release(self, edition: int) -> Release | None:
        """The edition's data release item, or None when it is not published yet."""
        if edition in self.item_ids:
            doc = self.http.get_json(f"{self.base}/catalog/item/{self.item_ids[edition]}", params={"format": "json"})
            return self._release(edition, doc)
        doc = self.http.get_json(
            f"{self.base}/catalog/items",
            params={
                "q": f"Mineral Commodity Summaries {edition}",
                "format": "json",
                "fields": "title,files",
                "max": "20",
            },
        )
        items = doc.get("items", []) if isinstance(doc, dict) else []
        pattern = edition_title_pattern(edition)
        matches = [item for item in items if pattern.search(str(item.get("title", "")).strip())]
        if not matches:
            return None
        # the release with the most files is the data release, not a single-commodity child item
        best = max(matches, key=lambda item: len(item.get("files") or []))
        return self._release(edition, best)

    def _release(self, edition: int, item: dict[str, Any]) -> Release:
        files = []
        for entry in item.get("files") or []:
            name = str(entry.get("name", ""))
            url = entry.get("downloadUri") or entry.get("url")
            if not name or not url:
                continue
            if any(fnmatch.fnmatch(name.lower(), p) for p in self.file_patterns):
                files.append(ReleaseFile(name, self._rebase(str(url)), entry.get("size")))
        if not files:
            raise UsgsError(f"MCS {edition}: item {item.get('id')} has no files matching {self.file_patterns}")
        return Release(edition, str(item.get("id")), str(item.get("title")), tuple(files))

    def _rebase(self, url: str) -> str:
        # ScienceBase lists absolute URLs on its own host; a mirror keeps the path on its host
        parts = urlsplit(url)
        if parts.scheme and parts.netloc:
            return f"{self.base}{parts.path}" + (f"?{parts.query}" if parts.query else "")
        return f"{self.base}/{url.lstrip('/')}"

    def fetch_edition(self, landing: PartitionLanding, edition: int, *, force: bool = False) -> FetchReport:
        """Download the edition's files into the landing area and unpack the CSVs of each zip."""
        report = FetchReport(partition=landing.rel(""))
        calls0, retries0 = self.http.stats.calls, self.http.stats.retries
        plan = f"mcs-{edition}"
        if not force and landing.is_complete(plan):
            report.skipped_complete = True
            report.payloads = landing.payloads()
            return report
        release = self.find_release(edition)
        if release is None:
            raise UsgsError(f"MCS {edition}: no data release found on {self.base} yet")
        landing.start(plan)
        leaves = []
        for file in release.files:
            name = safe_name(file.name, limit=200)
            if not force and landing.current(name) is not None:
                report.reused += 1
                leaves.append(name)
                continue
            result = self.http.download(file.url, landing.dir / f".{name}.download", label=f"MCS {edition} {file.name}")
            payload = landing.adopt(
                name,
                result.path,
                result.sha256,
                url=result.url,
                rows=None,
                query={"item": release.item_id, "title": release.title},
            )
            report.stored.append(payload)
            leaves.append(name)
        report.retired = landing.finish(plan, leaves)
        report.payloads = landing.payloads()
        for payload in report.payloads:
            if payload.name.lower().endswith(".zip"):
                unpack_csvs(payload.path, landing.dir / EXTRACTED / Path(payload.name).stem)
        report.calls = self.http.stats.calls - calls0
        report.retries = self.http.stats.retries - retries0
        return report


def unpack_csvs(archive: Path, target: Path) -> list[Path]:
    """Write every CSV member of `archive` under `target` (streamed, never the whole zip in memory).

    Files already there with the same content are left alone, so their loads stay unchanged.
    """
    written = []
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            if info.is_dir() or not info.filename.lower().endswith(".csv"):
                continue
            parts = [p for p in Path(info.filename).parts if p not in ("..", "/", "")]
            if not parts or parts[0] == "__MACOSX":
                continue
            dest = target.joinpath(*parts)
            dest.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            tmp = dest.with_name(f".{dest.name}.tmp")
            with zf.open(info) as src, tmp.open("wb") as out:
                for block in iter(lambda: src.read(1 << 20), b""):
                    digest.update(block)
                    out.write(block)
            if dest.exists() and file_sha256(dest) == digest.hexdigest():
                tmp.unlink()
            else:
                tmp.replace(dest)
            written.append(dest)
    return written


def extracted_csvs(landing: PartitionLanding) -> list[Path]:
    root = landing.dir / EXTRACTED
    return sorted(p for p in root.rglob("*.csv") if p.is_file()) if root.exists() else []


def latest_published_edition(client: UsgsClient, known: int, horizon: int = 2) -> int | None:
    """The newest edition after `known` that ScienceBase has (checks up to `horizon` editions ahead)."""
    newest = None
    for edition in range(known + 1, known + 1 + horizon):
        if client.find_release(edition) is None:
            break
        newest = edition
    return newest
