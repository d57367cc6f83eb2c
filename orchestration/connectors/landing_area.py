"""The raw landing area: every payload as it arrived, by source, dataset and period, with a manifest.

Layout: `<WAREHOUSE_DIR>/landing/<source>/<dataset>/<period>/<payload file>` plus `_manifest.json` in
each partition folder (url with keys redacted, sha256, bytes, rows, fetched_at, the query that asked
for it) and one append-only `_manifest.jsonl` at the root recording every payload ever stored.

A partition is complete when every payload its plan needs is present with the recorded size: a rerun
then makes no call at all. When a refetch brings different bytes for the same request (a revised
figure), the new payload takes the file's place and the old one moves to `_history/` under its
sha256, so every row that ever reached the warehouse still traces to the bytes it came from.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MANIFEST = "_manifest.json"
HISTORY = "_history"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def safe_name(text: str, limit: int = 120) -> str:
    """A file-name-safe rendering of a request label (no path separators, bounded length)."""
    return re.sub(r"[^A-Za-z0-9._=+-]+", "_", text)[:limit].strip("_") or "payload"


@dataclass(frozen=True)
class Payload:
    name: str
    rel_path: str  # relative to the landing root: the identity a reload replaces in raw
    path: Path
    sha256: str
    bytes: int
    rows: int | None
    url: str
    fetched_at: str
    changed: bool = True  # False when the same bytes were already there


class LandingArea:
    def __init__(self, root: Path):
        self.root = Path(root)

    def partition(self, source: str, dataset: str, period: str) -> PartitionLanding:
        return PartitionLanding(self, source, dataset, period)

    def log(self, record: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / "_manifest.jsonl").open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, sort_keys=True) + "\n")


class PartitionLanding:
    """One source x dataset x period folder and its manifest."""

    def __init__(self, area: LandingArea, source: str, dataset: str, period: str):
        self.area = area
        self.source = source
        self.dataset = dataset
        self.period = period
        self.dir = area.root / source / dataset / period
        self.manifest_path = self.dir / MANIFEST
        self.manifest = self._load()

    # -- manifest --------------------------------------------------------------------------------
    def _load(self) -> dict[str, Any]:
        if self.manifest_path.exists():
            return json.loads(self.manifest_path.read_text(encoding="utf-8"))
        return {
            "source": self.source,
            "dataset": self.dataset,
            "period": self.period,
            "complete": False,
            "plan": None,
            "payloads": {},
            "splits": {},
            "history": [],
        }

    def save(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.manifest_path.with_name(f".{MANIFEST}.{uuid.uuid4().hex}")
        tmp.write_text(json.dumps(self.manifest, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.manifest_path)

    def rel(self, name: str) -> str:
        return f"{self.source}/{self.dataset}/{self.period}/{name}"

    # -- reading ---------------------------------------------------------------------------------
    def current(self, name: str) -> Payload | None:
        """The payload stored under `name`, if its file is there with the recorded size."""
        entry = self.manifest["payloads"].get(name)
        path = self.dir / name
        if not entry or not path.exists() or path.stat().st_size != entry["bytes"]:
            return None
        return Payload(
            name,
            self.rel(name),
            path,
            entry["sha256"],
            entry["bytes"],
            entry.get("rows"),
            entry["url"],
            entry["fetched_at"],
            changed=False,
        )

    def payloads(self) -> list[Payload]:
        found = [self.current(name) for name in sorted(self.manifest["payloads"])]
        return [p for p in found if p is not None]

    def is_complete(self, plan: str) -> bool:
        """Complete for this plan (the scope that produced it) with every payload in place."""
        if not self.manifest.get("complete") or self.manifest.get("plan") != plan:
            return False
        return all(self.current(name) is not None for name in self.manifest["payloads"])

    def split_of(self, request_id: str) -> list[str] | None:
        return self.manifest["splits"].get(request_id)

    # -- writing ---------------------------------------------------------------------------------
    def store(
        self, name: str, body: bytes, *, url: str, rows: int | None, query: dict[str, Any] | None = None
    ) -> Payload:
        """Write one response body as it arrived (atomically); keep a replaced one in _history."""
        import hashlib

        sha = hashlib.sha256(body).hexdigest()
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.dir / f".{name}.{uuid.uuid4().hex}.tmp"
        tmp.write_bytes(body)
        return self.adopt(name, tmp, sha, url=url, rows=rows, query=query)

    def adopt(
        self,
        name: str,
        file: Path,
        sha256: str,
        *,
        url: str,
        rows: int | None,
        query: dict[str, Any] | None = None,
    ) -> Payload:
        """Move a finished file (a download) into place under `name` and record it."""
        self.dir.mkdir(parents=True, exist_ok=True)
        target = self.dir / name
        previous = self.manifest["payloads"].get(name)
        if previous and previous["sha256"] == sha256 and target.exists():
            if file != target:
                file.unlink(missing_ok=True)
            self.manifest["payloads"][name]["checked_at"] = _now()
            self.save()
            return self.current(name)  # type: ignore[return-value]
        if previous and target.exists() and file != target:
            self._retire_file(name, previous, reason="revised")
        size = file.stat().st_size
        if file != target:
            os.replace(file, target)
        entry = {
            "sha256": sha256,
            "bytes": size,
            "rows": rows,
            "url": url,
            "fetched_at": _now(),
            "query": query or {},
        }
        self.manifest["payloads"][name] = entry
        self.save()
        self.area.log({"event": "stored", **self._where(name), **{k: v for k, v in entry.items() if k != "query"}})
        return Payload(name, self.rel(name), target, sha256, size, rows, url, entry["fetched_at"], changed=True)

    def record_split(self, request_id: str, children: list[str], reason: str) -> None:
        self.manifest["splits"][request_id] = children
        self.save()
        self.area.log({"event": "split", **self._where(request_id), "children": children, "reason": reason})

    def start(self, plan: str) -> None:
        """A fetch of this partition begins: it is not complete until `finish`."""
        self.manifest["complete"] = False
        self.manifest["plan"] = plan
        self.save()

    def finish(self, plan: str, leaves: list[str]) -> list[Payload]:
        """Mark complete; payloads no longer asked for by the plan move to _history (returned)."""
        retired = []
        for name in sorted(set(self.manifest["payloads"]) - set(leaves)):
            entry = self.manifest["payloads"][name]
            retired.append(
                Payload(
                    name,
                    self.rel(name),
                    self.dir / name,
                    entry["sha256"],
                    entry["bytes"],
                    entry.get("rows"),
                    entry["url"],
                    entry["fetched_at"],
                )
            )
            self._retire_file(name, entry, reason="no longer requested")
            del self.manifest["payloads"][name]
        self.manifest["complete"] = True
        self.manifest["plan"] = plan
        self.manifest["completed_at"] = _now()
        self.save()
        return retired

    def _retire_file(self, name: str, entry: dict[str, Any], reason: str) -> None:
        path = self.dir / name
        stem, dot, suffix = name.partition(".")
        moved = self.dir / HISTORY / f"{stem}.{entry['sha256'][:16]}{dot}{suffix}"
        if path.exists():
            moved.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, moved)
        record = {
            **{k: v for k, v in entry.items() if k != "query"},
            "name": name,
            "moved_to": moved.relative_to(self.dir).as_posix(),
            "reason": reason,
            "at": _now(),
        }
        self.manifest["history"].append(record)
        self.area.log({"event": "superseded", **self._where(name), **record})

    def _where(self, name: str) -> dict[str, str]:
        return {"source": self.source, "dataset": self.dataset, "period": self.period, "name": name}


@dataclass
class FetchReport:
    """What one partition fetch did: calls, splits, payloads stored or reused, rows."""

    partition: str
    calls: int = 0
    retries: int = 0
    splits: int = 0
    reused: int = 0
    skipped_complete: bool = False
    stored: list[Payload] = field(default_factory=list)
    payloads: list[Payload] = field(default_factory=list)
    retired: list[Payload] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(p.rows or 0 for p in self.payloads)
