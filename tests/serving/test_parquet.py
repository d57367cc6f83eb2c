"""The Parquet export: every mart, year partitions where the mart has a year, swapped in by a symlink."""

from __future__ import annotations

import json

import duckdb
import pytest

from orchestration.serving.parquet import export_parquet, read_glob
from tests.serving.conftest import open_snapshot


def test_every_mart_is_exported_and_reads_back_identically(built_warehouse):
    export = built_warehouse.layout.parquet_dir
    assert export.is_symlink(), "published/parquet is swapped in as a whole through a symlink"
    manifest = json.loads((export / "_manifest.json").read_text())
    with open_snapshot(built_warehouse.published_path) as con:
        marts = dict(
            con.execute(
                "select table_name, list(column_name order by column_index) from duckdb_columns() "
                "where schema_name = 'marts' group by 1"
            ).fetchall()
        )
        assert set(manifest) == set(marts)
        for table, columns in marts.items():
            info = manifest[table]
            has_year = "year" in columns
            assert info["partitioned_by"] == (["year"] if has_year else [])
            assert info["rows"] == con.execute(f'select count(*) from marts."{table}"').fetchone()[0]
            got = con.execute(
                f"select count(*) from read_parquet('{read_glob(export, table)}', hive_partitioning = {has_year})"
            ).fetchone()[0]
            assert got == info["rows"], table
            if has_year:
                years = con.execute(f'select distinct year from marts."{table}" where year is not null').fetchall()
                dirs = {p.name for p in (export / table).iterdir() if p.is_dir()}
                assert {f"year={y}" for (y,) in years} <= dirs

        # values, not just counts: per-year sums of trade value and the partition column itself
        snapshot = con.execute(
            "select year, sum(value_usd), count(*) from marts.trade_flows group by 1 order by 1"
        ).fetchall()
        parquet = con.execute(
            f"select year, sum(value_usd), count(*) from read_parquet('{read_glob(export, 'trade_flows')}', "
            "hive_partitioning = true) group by 1 order by 1"
        ).fetchall()
    assert [(y, n) for y, _, n in parquet] == [(y, n) for y, _, n in snapshot]
    for (_, got, _), (_, want, _) in zip(parquet, snapshot, strict=True):
        assert got == pytest.approx(want, rel=1e-12)


def test_a_re_export_swaps_the_link_and_keeps_only_the_previous_version(built_warehouse, tmp_path):
    snapshot = built_warehouse.published_path
    export = tmp_path / "published" / "parquet"
    first = export_parquet(snapshot, export)
    second = export_parquet(snapshot, export)
    # a reader that listed the previous version a moment ago still finds its files
    assert second.version_dir != first.version_dir and first.version_dir.exists()
    third = export_parquet(snapshot, export)
    assert export.resolve() == third.version_dir.resolve()
    versions = sorted(p.name for p in export.parent.iterdir() if p.name.startswith(".parquet-"))
    assert versions == sorted([second.version_dir.name, third.version_dir.name])
    with duckdb.connect() as con:
        got = con.execute(f"select count(*) from read_parquet('{read_glob(export, 'dim_country')}')").fetchone()[0]
    assert got == third.tables["dim_country"]["rows"] > 0


def test_a_windowed_re_export_writes_only_the_rebuilt_years_and_links_the_rest(built_warehouse, tmp_path):
    """After a windowed build only the window's years of the windowed marts are written again; the
    other partitions are hard links to the previous export's files, and every mart reads back whole."""
    snapshot = built_warehouse.published_path
    export = tmp_path / "published" / "parquet"
    first = export_parquet(snapshot, export)
    with duckdb.connect(str(snapshot), read_only=True) as con:
        years = [r[0] for r in con.execute("select distinct year from marts.trade_flows order by 1").fetchall()]
    rebuilt = {years[-1]}
    second = export_parquet(snapshot, export, {"trade_flows": rebuilt, "unit_values": set()})
    flows_before, flows_after = first.version_dir / "trade_flows", second.version_dir / "trade_flows"
    for partition in sorted(flows_after.iterdir()):
        (before,) = (flows_before / partition.name).iterdir()
        (after,) = partition.iterdir()
        same_file = before.stat().st_ino == after.stat().st_ino
        assert same_file == (partition.name != f"year={years[-1]}"), partition.name
    assert second.tables["trade_flows"]["partitions_linked"] == len(years) - 1
    assert second.tables["unit_values"]["partitions_linked"] == len(list((first.version_dir / "unit_values").iterdir()))
    # a mart the window does not name is written in full
    assert second.tables["import_dependency"]["partitions_linked"] == 0
    with duckdb.connect() as con:
        for table in ("trade_flows", "unit_values", "import_dependency"):
            got = con.execute(
                f"select count(*) from read_parquet('{read_glob(export, table)}', hive_partitioning = true)"
            ).fetchone()[0]
            assert got == second.tables[table]["rows"] == first.tables[table]["rows"]
