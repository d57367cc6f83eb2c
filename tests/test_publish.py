"""The published snapshot: replaced atomically, verified before it replaces anything."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.publish import publish_snapshot


def _working(path, rows: int) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    con.execute("create or replace table marts.trade_flows as select range as id from range(?)", [rows])
    con.close()


def test_publish_replaces_atomically_while_a_reader_holds_the_old_snapshot(tmp_path):
    working = tmp_path / "warehouse.duckdb"
    published = tmp_path / "published" / "warehouse.duckdb"
    _working(working, 3)
    first = publish_snapshot(working, published)
    assert first.mart_tables == {"trade_flows": 3}

    reader = duckdb.connect(str(published), read_only=True)
    _working(working, 5)
    publish_snapshot(working, published)
    # the open reader still sees the file it opened; a new reader sees the new one
    assert reader.execute("select count(*) from marts.trade_flows").fetchone()[0] == 3
    reader.close()
    with duckdb.connect(str(published), read_only=True) as fresh:
        assert fresh.execute("select count(*) from marts.trade_flows").fetchone()[0] == 5
    assert not (published.stat().st_mode & 0o222), "the snapshot is read-only on disk"
    assert [p.name for p in published.parent.iterdir()] == ["warehouse.duckdb"]  # no temp files left


def test_a_snapshot_without_marts_is_refused_and_the_old_one_stays(tmp_path):
    working = tmp_path / "warehouse.duckdb"
    published = tmp_path / "published" / "warehouse.duckdb"
    _working(working, 2)
    publish_snapshot(working, published)
    before = published.read_bytes()

    con = duckdb.connect(str(working))
    con.execute("drop schema marts cascade")
    con.close()
    with pytest.raises(RuntimeError, match="no tables in schema marts"):
        publish_snapshot(working, published)
    assert published.read_bytes() == before
    assert [p.name for p in published.parent.iterdir()] == ["warehouse.duckdb"]
