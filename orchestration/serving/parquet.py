"""Export every mart of the published snapshot to Parquet, for engines that read files (Spark, polars, BI).

Layout: `published/parquet/<mart>/year=<y>/data_0.parquet` for marts with a `year` column (hive
partitioning: the year lives in the path, readers get it back with hive_partitioning), and
`published/parquet/<mart>/data_0.parquet` otherwise, plus `_manifest.json` with row counts.

`published/parquet` is a symlink to a versioned directory. A new export is written beside the
current one, checked, and the symlink is replaced in one rename, so a reader resolving the path sees
one complete export. The previous version is kept (a reader may still be listing it); older ones go.

After a windowed build (orchestration/dbt_window.py) only the year partitions of the windowed marts
that the window rebuilt are written again: the other partitions' files are hard links to the current
export's (Parquet files are never modified, so a link is the same file, at no cost). Every other
mart is written in full.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Mapping, Set
from dataclasses import dataclass
from pathlib import Path

from orchestration.duckdb_connection import connect
from orchestration.publish import MANIFEST_SCHEMA

VERSION_PREFIX = ".parquet-"
KEEP_VERSIONS = 2


@dataclass(frozen=True)
class ParquetExport:
    path: Path
    version_dir: Path
    tables: dict[str, dict]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_glob(export_dir: Path, table: str) -> str:
    """The glob that reads one mart back, e.g. read_parquet(<glob>, hive_partitioning = true)."""
    return str(export_dir / table / "**" / "*.parquet")


def export_parquet(
    snapshot_path: Path, export_dir: Path, rewrite_years: Mapping[str, Set[int]] | None = None
) -> ParquetExport:
    """Export every mart. `rewrite_years`: for the marts it names, only those year partitions are
    written and the others are linked from the current export; None (or no current export): all."""
    parent = export_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    current = export_dir.resolve() if export_dir.is_symlink() else None
    current = current if current is not None and current.is_dir() else None
    version_dir = parent / f"{VERSION_PREFIX}{uuid.uuid4().hex[:12]}"
    version_dir.mkdir()
    try:
        tables = _write(snapshot_path, version_dir, current, rewrite_years if current else None)
        _check(version_dir, tables)
        (version_dir / "_manifest.json").write_text(json.dumps(tables, indent=2, sort_keys=True) + "\n")
        _swap_symlink(export_dir, version_dir)
    except BaseException:
        shutil.rmtree(version_dir, ignore_errors=True)
        raise
    _prune(parent, keep=version_dir)
    return ParquetExport(export_dir, version_dir, tables)


def _link_unchanged(previous: Path, target: Path, years: Set[int]) -> int:
    """Hard-link the previous export's partitions of years not in `years`; returns how many."""
    linked, rewritten = 0, {f"year={y}" for y in years}
    for partition in sorted(previous.glob("year=*")):
        if partition.name in rewritten:
            continue
        (target / partition.name).mkdir(parents=True)
        for file in partition.iterdir():
            os.link(file, target / partition.name / file.name)
        linked += 1
    return linked


def _write(
    snapshot_path: Path, out: Path, previous: Path | None = None, rewrite_years: Mapping[str, Set[int]] | None = None
) -> dict[str, dict]:
    con = connect(snapshot_path, read_only=True)
    try:
        publish_id = con.execute(f"select publish_id from {MANIFEST_SCHEMA}.snapshot").fetchone()[0]
        marts = con.execute(
            "select table_name, list(column_name order by column_index) from duckdb_columns() "
            "where schema_name = 'marts' group by table_name order by table_name"
        ).fetchall()
        tables: dict[str, dict] = {}
        for table, columns in marts:
            target = out / table
            rows = con.execute(f"select count(*) from marts.{_ident(table)}").fetchone()[0]
            linked = 0
            if "year" in columns:
                years = (rewrite_years or {}).get(table)
                source = f"marts.{_ident(table)}"
                if years is not None and previous is not None and (previous / table).is_dir():
                    linked = _link_unchanged(previous / table, target, years)
                    in_window = ", ".join(str(int(y)) for y in sorted(years)) or "null"
                    source = f"(select * from marts.{_ident(table)} where year in ({in_window}))"
                # written beside the linked partitions, then moved in (COPY wants an empty folder)
                staging = out / f".{table}.new"
                con.execute(
                    f"copy {source} to '{staging}' "
                    "(format parquet, compression zstd, partition_by (year), write_partition_columns false)"
                )
                target.mkdir(exist_ok=True)
                if staging.exists():
                    for partition in staging.iterdir():
                        partition.rename(target / partition.name)
                    staging.rmdir()
                partitioned_by = ["year"]
            else:
                target.mkdir()
                con.execute(
                    f"copy marts.{_ident(table)} to '{target / 'data_0.parquet'}' (format parquet, compression zstd)"
                )
                partitioned_by = []
            tables[table] = {
                "rows": rows,
                "partitioned_by": partitioned_by,
                "glob": f"{table}/**/*.parquet",
                "duckdb_snapshot_id": publish_id,
                "partitions_linked": linked,
            }
        return tables
    finally:
        con.close()


def _check(out: Path, tables: dict[str, dict]) -> None:
    con = connect()
    try:
        for table, info in tables.items():
            hive = "true" if info["partitioned_by"] else "false"
            got = con.execute(
                f"select count(*) from read_parquet('{read_glob(out, table)}', hive_partitioning = {hive})"
            ).fetchone()[0]
            if got != info["rows"]:
                raise RuntimeError(f"parquet export of marts.{table}: {got} rows read back, {info['rows']} expected")
    finally:
        con.close()


def _swap_symlink(link: Path, target: Path) -> None:
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)  # a plain directory from an older layout: nothing can swap it atomically
    tmp_link = link.parent / f".{link.name}.{uuid.uuid4().hex[:8]}.link"
    tmp_link.symlink_to(target.name, target_is_directory=True)
    os.replace(tmp_link, link)


def _prune(parent: Path, keep: Path) -> None:
    versions = sorted(
        (p for p in parent.glob(f"{VERSION_PREFIX}*") if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True
    )
    survivors = {keep, *versions[:KEEP_VERSIONS]}
    for old in versions:
        if old not in survivors:
            shutil.rmtree(old, ignore_errors=True)
