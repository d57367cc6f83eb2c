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


def rename_header(header: bytes, aliases: tuple[tuple[str, str], ...]) -> bytes:
    """Rewrite a CSV header line's names by `aliases`, keeping quoting, BOM and line ending."""
    if not aliases:
        return header
    mapping = dict(aliases)
    bom = b"\xef\xbb\xbf" if header.startswith(b"\xef\xbb\xbf") else b""
    body = header[len(bom) :]
    ending = b"\r\n" if body.endswith(b"\r\n") else b"\n" if body.endswith(b"\n") else b""
    body = body[: len(body) - len(ending)]
    names = []
    for raw_name in body.decode("utf-8").split(","):
        quoted = len(raw_name) >= 2 and raw_name[0] == raw_name[-1] == '"'
        name = raw_name[1:-1] if quoted else raw_name
        new = mapping.get(name.strip(), name)
        names.append(f'"{new}"' if quoted else new)
    return bom + ",".join(names).encode("utf-8") + ending


@contextmanager
def extracted_member(
    table: RawTable, archive: Path, member: str, archive_rel_path: str, workdir: Path | None = None
) -> Iterator[ExtractedMember]:
    """Stream one member to a temporary file (header renamed per the table's aliases)."""
    with tempfile.TemporaryDirectory(prefix="archive-member-", dir=workdir) as tmp:
        target = Path(tmp) / PurePosixPath(member).name
        digest = hashlib.sha256()
        size = 0
        with zipfile.ZipFile(archive) as zf, zf.open(member) as src, target.open("wb") as out:
            header_pending = bool(table.header_aliases)
            pending = b""
            for block in iter(lambda: src.read(COPY_BLOCK_BYTES), b""):
                digest.update(block)
                size += len(block)
                if header_pending:
                    pending += block
                    end = pending.find(b"\n")
                    if end < 0:
                        continue  # header longer than one block: keep reading
                    block = rename_header(pending[: end + 1], table.header_aliases) + pending[end + 1 :]
                    header_pending, pending = False, b""
                out.write(block)
            if header_pending and pending:
                out.write(rename_header(pending, table.header_aliases))
        yield ExtractedMember(target, f"{archive_rel_path}/{member}", digest.hexdigest(), size)
