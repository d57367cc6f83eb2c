"""Members of zip archives (CEPII BACI bulk files), streamed to disk one at a time for landing.

A BACI archive (BACI_HS17_V202401.zip) holds one CSV per year, several GB uncompressed, plus the
release's country and product code files. Each member a raw table asks for (`archive_members`) is
decompressed in fixed-size blocks into a temporary file that DuckDB's parallel CSV reader then
reads: memory stays bounded whatever the member's size, and no whole archive is ever unpacked.
The member is one load, identified by `<archive path>/<member name>`; its sha256 is that of the
member's bytes as published, so an unchanged member of a re-downloaded archive is a no-op.
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath

from orchestration.ingest.registry import RawTable

COPY_BLOCK_BYTES = 4 << 20


@dataclass(frozen=True)
class ExtractedMember:
    path: Path  # temporary file, deleted when the context ends
    rel_path: str  # <archive path relative to the data dir>/<member name>
    sha256: str
    uncompressed_bytes: int


def is_archive(path: Path) -> bool:
    return path.suffix.lower() == ".zip"


def member_names(table: RawTable, archive: Path) -> list[str]:
    """The archive's members this table lands, in archive order."""
    with zipfile.ZipFile(archive) as zf:
        return [
            info.filename
            for info in zf.infolist()
            if not info.is_dir() and any(fnmatch(PurePosixPath(info.filename).name, p) for p in table.archive_members)
        ]


def member_rel_path(archive_rel_path: str, member: str) -> str:
    return f"{archive_rel_path}/{member}"


def member_sha256(archive: Path, member: str) -> str:
    """The sha256 of a member's bytes as published, decompressed in blocks and never written out."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(archive) as zf, zf.open(member) as src:
        for block in iter(lambda: src.read(COPY_BLOCK_BYTES), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def extracted_member(
    archive: Path, member: str, archive_rel_path: str, workdir: Path | None = None
) -> Iterator[ExtractedMember]:
    """Stream one member, as published, to a temporary file (the CSV reader maps renamed headers)."""
    with tempfile.TemporaryDirectory(prefix="archive-member-", dir=workdir) as tmp:
        target = Path(tmp) / PurePosixPath(member).name
        digest = hashlib.sha256()
        size = 0
        with zipfile.ZipFile(archive) as zf, zf.open(member) as src, target.open("wb") as out:
            for block in iter(lambda: src.read(COPY_BLOCK_BYTES), b""):
                digest.update(block)
                size += len(block)
                out.write(block)
        yield ExtractedMember(target, member_rel_path(archive_rel_path, member), digest.hexdigest(), size)
