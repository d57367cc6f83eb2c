"""CEPII BACI bulk archives: find the releases on CEPII's BACI page, download them resumably.

BACI ships one zip per HS revision and version (`BACI_HS17_V202501.zip`, several GB), holding one
CSV per year (`t,i,j,k,v,q`) and the country and product code files of that version. This module
only downloads, as the bytes arrived, into `landing/baci/archives/<HSxx_Vyyyymm>/`; reading the
archive into DuckDB (member by member, streamed) is the BACI ingest's job, which finds archives
there with the registry's BACI_ARCHIVE_PATTERN. Code files CEPII links separately are downloaded
beside the archive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from orchestration.connectors.http import HttpClient, ProgressCallback
from orchestration.connectors.landing_area import FetchReport, PartitionLanding, safe_name
from orchestration.connectors.settings import ConnectorSettings

BACI_PAGE = "/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37"
ARCHIVE_RE = re.compile(r"BACI_(HS\d{2})_V(\d{6}[a-z]?)\.zip", re.IGNORECASE)
CODE_FILE_RE = re.compile(r"(country_codes_V\d{6}[a-z]?\.csv|product_codes_HS\d{2}_V\d{6}[a-z]?\.csv)", re.IGNORECASE)
HREF_RE = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


class BaciError(Exception):
    """No such BACI release on the page, or an archive this client cannot use."""


@dataclass(frozen=True)
class BaciRelease:
    hs: str  # HS92 .. HS22
    version: str  # 202501 or 202401b

    @property
    def key(self) -> str:
        """The Dagster partition key and landing folder: HS17_V202501."""
        return f"{self.hs}_V{self.version}"

    @property
    def archive_name(self) -> str:
        return f"BACI_{self.hs}_V{self.version}.zip"

    @staticmethod
    def parse(key: str) -> BaciRelease:
        match = re.fullmatch(r"(HS\d{2})_V(\d{6}[a-z]?)", key)
        if not match:
            raise BaciError(f"not a BACI release key (HSxx_Vyyyymm): {key!r}")
        return BaciRelease(match.group(1), match.group(2))


@dataclass(frozen=True)
class BaciListing:
    archives: dict[str, str]  # release key -> absolute URL
    code_files: dict[str, str]  # file name -> absolute URL

    def releases(self, hs: str | None = None) -> list[BaciRelease]:
        found = [BaciRelease.parse(k) for k in self.archives]
        return sorted((r for r in found if hs is None or r.hs == hs), key=lambda r: r.version)

    def latest(self, hs: str) -> BaciRelease | None:
        releases = self.releases(hs)
        return releases[-1] if releases else None


class BaciClient:
    def __init__(
        self,
        settings: ConnectorSettings,
        *,
        http: HttpClient | None = None,
        progress: ProgressCallback | None = None,
        logger: Any = None,
    ):
        self.base = settings.baci_base
        self.http = http or settings.http_client("baci", progress=progress, logger=logger)

    def listing(self) -> BaciListing:
        """Archives and code files linked from CEPII's BACI page."""
        page_url = f"{self.base}{BACI_PAGE}"
        html = self.http.get(page_url).text
        archives: dict[str, str] = {}
        code_files: dict[str, str] = {}
        for href in HREF_RE.findall(html):
            url = self._rebase(urljoin(page_url, href))
            name = urlsplit(url).path.rsplit("/", 1)[-1]
            archive = ARCHIVE_RE.fullmatch(name)
            if archive:
                archives[f"{archive.group(1).upper()}_V{archive.group(2)}"] = url
            elif CODE_FILE_RE.fullmatch(name):
                code_files[name] = url
        return BaciListing(archives, code_files)

    def _rebase(self, url: str) -> str:
        parts = urlsplit(url)
        return f"{self.base}{parts.path}" + (f"?{parts.query}" if parts.query else "")

    def fetch_release(
        self,
        landing: PartitionLanding,
        release: BaciRelease,
        *,
        listing: BaciListing | None = None,
        force: bool = False,
    ) -> FetchReport:
        """Download the release's archive (and any code files of its version) into the landing area."""
        report = FetchReport(partition=landing.rel(""))
        calls0, retries0 = self.http.stats.calls, self.http.stats.retries
        plan = release.key
        if not force and landing.is_complete(plan):
            report.skipped_complete = True
            report.payloads = landing.payloads()
            return report
        listing = listing or self.listing()
        url = listing.archives.get(release.key)
        if url is None:
            raise BaciError(f"BACI {release.key}: not on {self.base}{BACI_PAGE} (found {sorted(listing.archives)})")
        wanted = {release.archive_name: url}
        wanted.update({n: u for n, u in listing.code_files.items() if f"_V{release.version}." in n})
        landing.start(plan)
        leaves = []
        for name, file_url in sorted(wanted.items()):
            name = safe_name(name, limit=200)
            if not force and landing.current(name) is not None:
                report.reused += 1
                leaves.append(name)
                continue
            result = self.http.download(file_url, landing.dir / f".{name}.download", label=f"BACI {name}")
            report.stored.append(
                landing.adopt(
                    name, result.path, result.sha256, url=result.url, rows=None, query={"release": release.key}
                )
            )
            leaves.append(name)
        report.retired = landing.finish(plan, leaves)
        report.payloads = landing.payloads()
        report.calls = self.http.stats.calls - calls0
        report.retries = self.http.stats.retries - retries0
        return report
