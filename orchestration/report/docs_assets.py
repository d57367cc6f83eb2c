"""Local copies of the CSS and JavaScript GX Data Docs load from CDNs, so the docs render offline.

GX 1.24's page templates link bootstrap, bootstrap-table, jQuery, popper, font-awesome, a datepicker
and vega from five CDNs. `fetch` takes each of those exact releases from the npm registry (`npm pack`,
which checks the registry's integrity hash) into the vendor folder once, at set-up; `localise`
copies that folder into a built site and points every page at it. Without the vendor folder (no npm
registry reachable) the pages keep their CDN links, and the run says so.

    python -m orchestration.report.docs_assets fetch [DEST]
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

VENDOR_DIR = Path(__file__).resolve().parents[2] / ".cache" / "docs-vendor"
SITE_VENDOR = "vendor"  # the folder, inside a built site, that holds the copies


@dataclass(frozen=True)
class Asset:
    url: str  # as GX's templates write it
    package: str  # npm package@version it is published in
    path: str  # the file inside the package
    with_dirs: tuple[str, ...] = ()  # sibling folders the file refers to (font-awesome's webfonts)

    @property
    def local(self) -> str:
        return f"{self.package.replace('/', '__')}/{self.path}"


ASSETS = (
    Asset("https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css", "bootstrap@4.3.1",
          "dist/css/bootstrap.min.css"),
    Asset("https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js", "bootstrap@4.3.1",
          "dist/js/bootstrap.min.js"),
    Asset("https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css", "bootstrap-table@1.19.1",
          "dist/bootstrap-table.min.css"),
    Asset("https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js", "bootstrap-table@1.19.1",
          "dist/bootstrap-table.min.js"),
    Asset("https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
          "bootstrap-table@1.19.1", "dist/extensions/filter-control/bootstrap-table-filter-control.min.js"),
    Asset("https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css",
          "bootstrap-table@1.19.0", "dist/extensions/filter-control/bootstrap-table-filter-control.css"),
    Asset("https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
          "bootstrap-table@1.19.0", "dist/extensions/filter-control/bootstrap-table-filter-control.min.css"),
    Asset("https://code.jquery.com/jquery-3.7.1.min.js", "jquery@3.7.1", "dist/jquery.min.js"),
    Asset("https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js", "popper.js@1.12.9",
          "dist/umd/popper.min.js"),
    Asset("https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css",
          "@fortawesome/fontawesome-free@6.6.0", "css/all.min.css", with_dirs=("webfonts",)),
    Asset("https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css",
          "bootstrap-datepicker@1.9.0", "dist/css/bootstrap-datepicker.min.css"),
    Asset("https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js",
          "bootstrap-datepicker@1.9.0", "dist/js/bootstrap-datepicker.min.js"),
    Asset("https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css",
          "@forevolve/bootstrap-dark@1.1.0", "dist/css/bootstrap-prefers-dark.css"),
    # GX asks for the latest major releases; these are the releases of its 1.24 era, pinned
    Asset("https://cdn.jsdelivr.net/npm/vega@5", "vega@5.30.0", "build/vega.min.js"),
    Asset("https://cdn.jsdelivr.net/npm/vega-lite@5", "vega-lite@5.21.0", "build/vega-lite.min.js"),
    Asset("https://cdn.jsdelivr.net/npm/vega-embed@6", "vega-embed@6.26.0", "build/vega-embed.min.js"),
)  # fmt: skip


def fetch(dest: Path = VENDOR_DIR) -> Path:
    """Every asset from its npm tarball into `dest` (skipped when already complete)."""
    if all((dest / a.local).exists() for a in ASSETS):
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for package in sorted({a.package for a in ASSETS}):
            done = subprocess.run(
                ["npm", "pack", package, "--pack-destination", scratch, "--silent"],
                capture_output=True, text=True, timeout=300, cwd=scratch,
            )  # fmt: skip
            if done.returncode != 0:
                raise RuntimeError(f"npm pack {package} failed: {done.stderr.strip()[-500:]}")
            tarball = Path(scratch) / done.stdout.strip().splitlines()[-1]
            wanted = [a for a in ASSETS if a.package == package]
            with tarfile.open(tarball) as tar:
                for member in tar.getmembers():
                    inner = member.name.removeprefix("package/")
                    keep = any(
                        inner == a.path
                        or any(inner.startswith(f"{Path(a.path).parent.parent / d}/") for d in a.with_dirs)
                        for a in wanted
                    )
                    if keep and member.isfile():
                        target = dest / package.replace("/", "__") / inner
                        target.parent.mkdir(parents=True, exist_ok=True)
                        with tar.extractfile(member) as src, open(target, "wb") as out:
                            shutil.copyfileobj(src, out)
    missing = [a.local for a in ASSETS if not (dest / a.local).exists()]
    if missing:
        raise RuntimeError(f"not in their packages: {missing}")
    return dest


# integrity and crossorigin fit the CDN copy; a local file:// copy would be refused with them
_ATTRS = re.compile(r'\s+(integrity|crossorigin)="[^"]*"')


def localise(site: Path, vendor: Path = VENDOR_DIR) -> int:
    """Copy `vendor` into the site and point its pages at it. Returns the links rewritten (0 when the
    vendor folder is missing: the pages keep their CDN links)."""
    if not all((vendor / a.local).exists() for a in ASSETS):
        return 0
    shutil.copytree(vendor, site / SITE_VENDOR, dirs_exist_ok=True)
    rewritten = 0
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        prefix = os.path.relpath(site / SITE_VENDOR, page.parent).replace(os.sep, "/")
        new = text
        for asset in sorted(ASSETS, key=lambda a: -len(a.url)):  # vega-lite@5 before vega@5
            quoted = f'"{asset.url}"'
            count = new.count(quoted)
            if count:
                new = new.replace(quoted, f'"{prefix}/{asset.local}"')
                rewritten += count
        new = _ATTRS.sub("", new) if new != text else new
        if new != text:
            page.write_text(new, encoding="utf-8")
    return rewritten


def cdn_links(site: Path) -> set[str]:
    """External script and stylesheet addresses still in the site's pages."""
    found: set[str] = set()
    for page in site.rglob("*.html"):
        found.update(re.findall(r'(?:src|href)="(https?://[^"]+)"', page.read_text(encoding="utf-8")))
    return {u for u in found if re.search(r"\.(js|css)$|/npm/", u)}


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "fetch":
        print(fetch(Path(sys.argv[2]) if len(sys.argv) > 2 else VENDOR_DIR))
    else:
        print(__doc__)
        sys.exit(2)
