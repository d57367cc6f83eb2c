"""Publish the working warehouse as a read-only snapshot, replaced atomically.

Readers (ad-hoc SQL, BI tools) open `published/warehouse.duckdb` read-only and never touch the
working database, so a run can write while they read. The new snapshot is written beside the old
one and renamed over it: a reader sees the old file or the new one, never a half-written one, and a
failed run never gets here, so the previous snapshot stays.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class PublishResult:
    path: Path
    bytes: int
    mart_tables: dict[str, int]


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish_snapshot(working_path: Path, published_path: Path) -> PublishResult:
    if not working_path.exists():
        raise FileNotFoundError(f"no working warehouse at {working_path}")
    con = duckdb.connect(str(working_path))
    try:
        con.execute("checkpoint")  # fold the WAL into the file we are about to copy
    finally:
        con.close()

    published_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = published_path.parent / f".{published_path.name}.{uuid.uuid4().hex}.tmp"
    try:
        shutil.copyfile(working_path, tmp)
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        mart_tables = _verify(tmp, catalog=published_path.stem)
        tmp.chmod(0o444)
        os.replace(tmp, published_path)
        _fsync_dir(published_path.parent)
    finally:
        if tmp.exists():
            tmp.unlink()
    return PublishResult(published_path, published_path.stat().st_size, mart_tables)


def _verify(path: Path, catalog: str) -> dict[str, int]:
    """Open the copy the way readers will and count every mart; refuse a snapshot without marts."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{path}' as \"{catalog}\" (read_only)")
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = ? and table_schema = 'marts' and table_type = 'BASE TABLE' "
                "order by 1",
                [catalog],
            ).fetchall()
        ]
        if not tables:
            raise RuntimeError(f"{path}: no tables in schema marts; refusing to publish")
        return {t: con.execute(f'select count(*) from "{catalog}".marts."{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()
