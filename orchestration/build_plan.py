"""What a `make run` must rebuild: only what is downstream of a changed input.

Two inputs can change between runs: raw tables (a file landed with new bytes: audit.loads says so)
and the dbt project (a model, seed, test or macro edited: the manifest's checksums say so). Both are
compared with the state of the last fully successful build, recorded once it finishes
(`audit.builds` and a copy of its manifest under `<warehouse>/state/`), so nothing can go stale: a
run that failed records nothing, and the next run rebuilds what it did not finish.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from orchestration.dbt_window import describe, trade_window, windowed_nodes
from orchestration.ingest.registry import RAW_TABLES
from orchestration.layout import Layout

BUILDS_DDL = """
create schema if not exists audit;
create table if not exists audit.builds (
    finished_at timestamp not null,
    raw_tables varchar[] not null,   -- the raw tables whose change was built
    dbt_nodes integer not null,      -- dbt nodes selected (0 when the dbt project was unchanged)
    full_build boolean not null
);
"""

DBT_NODE_TYPES = ("model", "seed", "snapshot", "test")


@dataclass(frozen=True)
class BuildPlan:
    first_build: bool
    changed_raw_tables: frozenset[str] = frozenset()
    modified_dbt_nodes: frozenset[str] = frozenset()  # unique ids
    last_build_at: datetime | None = None
    reasons: tuple[str, ...] = field(default=())
    # The (source, year) partitions of trade_flows the new loads change; None: build in full.
    trade_window: dict[str, list[int]] | None = None
    # The published dbt docs page is there, and every relation has the columns the last build left
    # (raw tables included, whose columns come from the registry, not from dbt): with no dbt node
    # modified, the page would be generated the same.
    docs_current: bool = False

    @property
    def docs_unchanged(self) -> bool:
        """dbt docs (project and catalog) as the last build left them: they need not be generated again."""
        return not self.first_build and not self.modified_dbt_nodes and self.docs_current

    @property
    def nothing_to_do(self) -> bool:
        return not self.first_build and not self.changed_raw_tables and not self.modified_dbt_nodes


def _checksums(manifest: dict[str, Any]) -> dict[str, str]:
    return {
        uid: node.get("checksum", {}).get("checksum", "")
        for uid, node in manifest.get("nodes", {}).items()
        if node.get("resource_type") in DBT_NODE_TYPES
    }


def _macro_checksums(manifest: dict[str, Any]) -> dict[str, str]:
    out = {}
    for uid, macro in manifest.get("macros", {}).items():
        if macro.get("package_name") == manifest.get("metadata", {}).get("project_name", "chipchain"):
            out[uid] = macro.get("macro_sql", "")
    return out


def modified_dbt_nodes(previous: dict[str, Any] | None, current: dict[str, Any]) -> set[str]:
    """dbt nodes whose file, config or macros differ from the previous manifest's (all when none).

    A node is modified when it is new, its file's checksum changed, its config changed, or a project
    macro it calls changed. (A pure function of the two manifests: unit-tested on its own.)
    """
    now = _checksums(current)
    if previous is None:
        return set(now)
    before = _checksums(previous)
    macros_before = _macro_checksums(previous)
    changed_macros = {uid for uid, sql in _macro_checksums(current).items() if macros_before.get(uid) != sql}
    out = set()
    for uid, checksum in now.items():
        node, old = current["nodes"][uid], previous.get("nodes", {}).get(uid)
        if (
            before.get(uid) != checksum
            or old is None
            or node.get("config") != old.get("config")
            or changed_macros & set(node.get("depends_on", {}).get("macros", []))
        ):
            out.add(uid)
    return out


def models_to_select(manifest: dict[str, Any], unique_ids: set[str]) -> set[str]:
    """The models and seeds whose assets run for these nodes: a test selects the nodes it tests."""
    out = set()
    for uid in unique_ids:
        node = manifest["nodes"].get(uid, {})
        if node.get("resource_type") == "test":
            out.update(n for n in node.get("depends_on", {}).get("nodes", []) if n in manifest["nodes"])
        else:
            out.add(uid)
    return out


def trade_fact_tables() -> frozenset[str]:
    return frozenset(t.name for t in RAW_TABLES if t.trade_facts)


def windowed_relations(manifest: dict[str, Any], fact: str = "trade_flows") -> tuple[str, list[str]]:
    """The fact model's relation and those of its windowed parents (the per-source flows), as schema.name."""
    nodes = manifest["nodes"]
    fact_node = next(n for n in nodes.values() if n.get("resource_type") == "model" and n["name"] == fact)
    windowed = windowed_nodes(manifest)

    def relation(node: dict[str, Any]) -> str:
        return f'"{node["schema"]}"."{node.get("alias") or node["name"]}"'

    parents = [relation(windowed[uid]) for uid in fact_node["depends_on"]["nodes"] if uid in windowed]
    return relation(fact_node), sorted(parents)


def changed_partitions(
    con: duckdb.DuckDBPyConnection, manifest: dict[str, Any], since: datetime
) -> dict[str, list[int]]:
    """(source, year) partitions of the loads that landed since `since`, and of the loads they replaced.

    New rows are read through the per-source flow views (the same SQL the build runs, over raw as it
    is now); replaced rows through the fact as the last build left it (they are gone from raw)."""
    fact, parents = windowed_relations(manifest)
    flows = " union ".join(
        [f"select distinct source, year from {p} where load_id in (select load_id from new)" for p in parents]
        + [f"select distinct source, year from {fact} where load_id in (select load_id from gone)"]
    )
    rows = con.execute(
        f"""
        with new as (
            select load_id from audit.loads where landed_at > ? and status in ('promoted', 'superseded')
        ),
        gone as (
            select load_id from audit.loads where status = 'superseded' and superseded_by in (select load_id from new)
        )
        {flows}
        """,
        [since],
    ).fetchall()
    return trade_window(rows)


def columns_digest(con: duckdb.DuckDBPyConnection) -> str:
    """One digest of every column (schema, relation, name, type) of the warehouse: what dbt's docs
    catalog reads."""
    return con.execute(
        """
        select coalesce(sha256(string_agg(concat_ws('|', schema_name, table_name, column_name, data_type), chr(10)
            order by schema_name, table_name, column_index)), '')
        from duckdb_columns() where database_name = current_database()
        """
    ).fetchone()[0]


def read_manifest(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text()) if path.exists() else None


def plan_build(con: duckdb.DuckDBPyConnection, layout: Layout, manifest_path: Path) -> BuildPlan:
    """Compare the raw loads and the dbt project with the last fully successful build."""
    con.execute(BUILDS_DDL)
    last = con.execute("select max(finished_at) from audit.builds").fetchone()[0]
    previous = read_manifest(layout.build_manifest)
    if last is None or previous is None:
        return BuildPlan(first_build=True, reasons=("no successful build recorded yet: everything is built",))
    changed = {
        r[0]
        for r in con.execute(
            "select distinct raw_table from audit.loads where status in ('promoted', 'superseded') and landed_at > ?",
            [last],
        ).fetchall()
    }
    current = read_manifest(manifest_path) or {}
    modified = modified_dbt_nodes(previous, current)
    reasons = []
    if changed:
        reasons.append(f"raw tables with new loads since {last:%Y-%m-%d %H:%M:%S}: {', '.join(sorted(changed))}")
    if modified:
        reasons.append(f"dbt nodes changed since the last build: {len(modified)}")
    window = None
    if changed and not modified and changed <= trade_fact_tables():
        # only trade facts changed: their partitions are rebuilt, and what reads them
        try:
            window = changed_partitions(con, current, last)
        except (ValueError, duckdb.Error) as exc:
            # a partition that cannot be told (a row without a year, a flow view the last build did
            # not leave) is no reason to fail: the build is then full, and says why
            reasons.append(f"the changed partitions could not be read ({str(exc).splitlines()[0]})")
    if changed or modified:
        reasons.append(f"trade window: {describe(window)}")
    recorded = layout.build_columns.read_text() if layout.build_columns.exists() else None
    docs_current = (layout.dbt_docs_dir / "index.html").exists() and recorded == columns_digest(con)
    return BuildPlan(False, frozenset(changed), frozenset(modified), last, tuple(reasons), window, docs_current)


def record_build(
    con: duckdb.DuckDBPyConnection, layout: Layout, manifest_path: Path, plan: BuildPlan, finished_at: datetime
) -> None:
    """After a fully successful build only: what the next run compares against."""
    con.execute(BUILDS_DDL)
    target = layout.build_manifest
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.tmp")
    shutil.copyfile(manifest_path, tmp)
    tmp.replace(target)
    layout.build_columns.write_text(columns_digest(con))
    con.execute(
        "insert into audit.builds values (?, ?, ?, ?)",
        [finished_at, sorted(plan.changed_raw_tables), len(plan.modified_dbt_nodes), plan.first_build],
    )
