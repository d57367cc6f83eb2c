"""Byte-level corruption of a text file, found before DuckDB reads it: what a CSV reader would pass
over (NUL bytes) or report without the place (a line longer than any real one).

Both scans run at memchr speed over a memory map (no per-line Python on the good path); the line
number is counted only once a fault is found.
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass
from pathlib import Path

# Declared encodings in which NUL bytes are part of the text itself.
WIDE_ENCODINGS = ("utf-16", "utf-32")
COMPRESSED_SUFFIXES = (".gz", ".zip")


@dataclass(frozen=True)
class ByteFault:
    rule: str
    offset: int  # byte offset of the fault in the file
    line: int  # 1-based line number
    detail: str

    def describe(self, rel_path: str) -> str:
        return f"{rel_path}: rule {self.rule}: {self.detail} at byte offset {self.offset} (line {self.line})"


def _line_of(mm: mmap.mmap, offset: int) -> int:
    return mm[:offset].count(b"\n") + 1


def nul_byte(path: Path) -> ByteFault | None:
    """The first NUL byte of the file, if any."""
    if path.stat().st_size == 0:
        return None
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        offset = mm.find(b"\x00")
        if offset < 0:
            return None
        return ByteFault("nul_bytes", offset, _line_of(mm, offset), "NUL byte in a text file")


def long_line(path: Path, limit: int) -> ByteFault | None:
    """The first line longer than `limit` bytes (walked line end to line end with mmap.find)."""
    if path.stat().st_size == 0:
        return None
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        start, line = 0, 1
        while start < len(mm):
            end = mm.find(b"\n", start)
            end = len(mm) if end < 0 else end
            if end - start > limit:
                return ByteFault("max_line_bytes", start, line, f"line of {end - start} bytes (limit {limit})")
            start, line = end + 1, line + 1
    return None


def text_fault(path: Path, encoding: str) -> ByteFault | None:
    """Corruption worth refusing before the read: NUL bytes in a narrow-encoded, uncompressed file."""
    if encoding.lower().replace("_", "-").startswith(WIDE_ENCODINGS) or path.suffix in COMPRESSED_SUFFIXES:
        return None
    return nul_byte(path)
