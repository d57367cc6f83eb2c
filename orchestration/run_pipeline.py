"""`make run`: land and validate every source, then build only what is downstream of a change.

The run has two parts, both the `warehouse` job: the raw assets (every file checked; a file whose
bytes are unchanged costs its checksum), then the assets downstream of what changed since the last
fully successful build (`orchestration/build_plan.py`): raw tables with new loads and edited dbt
nodes, through dbt, the published snapshot and the serving copies. With nothing changed the second
part is skipped and the summary says so. Exits non-zero when any step or blocking check failed; the
published snapshot is then untouched.
"""

from __future__ import annotations

import argparse
import sys
import time

from orchestration.duckdb_connection import connect, connect_warehouse
from orchestration.settings import Settings, get_settings

EXAMPLE_QUERY = """\
select year, round(100 * china_share, 1) as china_share_pct, total_import_value_usd
from marts.import_dependency
where importer_iso3 = 'USA' and hs_code = '280530' and source = 'comtrade'
order by year"""


def _table(rows: list[tuple], headers: list[str]) -> str:
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    body = ["  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join([line, "  ".join("-" * w for w in widths), *body])


def _loads_summary(settings: Settings, since: float) -> str:
    """Loads landed since `since` on the settings' target, and every rejected one with its reason."""
    con = connect_warehouse(settings, read_only=True)
    try:
        rows = con.execute(
            """
            select raw_table,
                   count(*) filter (where status = 'promoted') as promoted,
                   count(*) filter (where status = 'rejected') as rejected,
                   coalesce(sum(row_count) filter (where status = 'promoted'), 0) as rows
            from audit.loads
            where landed_at >= to_timestamp(?)::timestamp
            group by raw_table order by raw_table
            """,
            [since],
        ).fetchall()
        current = con.execute(
            "select count(*), count(distinct raw_table) from audit.loads where status = 'promoted'"
        ).fetchone()
        refused = con.execute(
            """
            select raw_table, file_path, split_part(coalesce(message, ''), '; ', 1) as reason
            from audit.loads
            where landed_at >= to_timestamp(?)::timestamp and status = 'rejected'
            order by raw_table, file_path
            """,
            [since],
        ).fetchall()
        checks = con.execute(
            """
            select count(*), count(*) filter (where success) from audit.validation_results
            where validated_at >= to_timestamp(?)::timestamp
            """,
            [since],
        ).fetchone()
    finally:
        con.close()
    out = []
    if rows:
        out.append(_table(rows, ["raw table", "files promoted", "files rejected", "rows landed"]))
    else:
        out.append("No file changed since the last run: every raw table is current.")
    if refused:
        out.append("\nRejected loads (nothing of them reached raw; fix the file and run again):")
        out.append(_table([(t, f, r[:160]) for t, f, r in refused], ["raw table", "file", "first reason"]))
    out.append(
        f"{current[0]} current loads across {current[1]} raw tables. "
        f"Expectations evaluated this run: {checks[0]} ({checks[1]} passed)."
    )
    return "\n".join(out)


def _plan(settings):
    from orchestration.build_plan import plan_build
    from orchestration.dbt_project import get_dbt_project

    con = connect_warehouse(settings)
    try:
        return plan_build(con, settings.layout, get_dbt_project().manifest_path)
    finally:
        con.close()


def _record(settings, plan) -> None:
    from datetime import UTC, datetime

    from orchestration.build_plan import record_build
    from orchestration.dbt_project import get_dbt_project

    con = connect_warehouse(settings)
    try:
        finished = datetime.now(UTC).replace(tzinfo=None)
        record_build(con, settings.layout, get_dbt_project().manifest_path, plan, finished)
    finally:
        con.close()


def _downstream_selection(plan, graph, raw_keys):
    """Asset keys downstream of the changed raw tables and the edited dbt nodes (all on a first build)."""
    from dagster import AssetKey, AssetSelection

    from orchestration.assets.dbt import TRANSLATOR
    from orchestration.build_plan import models_to_select, read_manifest
    from orchestration.dbt_project import get_dbt_project

    if plan.first_build:
        return AssetSelection.all().resolve(graph) - raw_keys
    manifest = read_manifest(get_dbt_project().manifest_path) or {"nodes": {}}
    roots = {AssetKey(["raw", t]) for t in plan.changed_raw_tables}
    for uid in models_to_select(manifest, set(plan.modified_dbt_nodes)):
        roots.add(TRANSLATOR.get_asset_key(manifest["nodes"][uid]))
    roots &= graph.get_all_asset_keys()
    return AssetSelection.assets(*roots).downstream().resolve(graph) - raw_keys


def _execute(job, instance, settings: Settings, **kwargs):
    """Run the `warehouse` job: in this process, or on the lake in WAREHOUSE_WORKERS processes
    (Dagster's multiprocess executor needs the job as something a child process can import)."""
    from dagster import execute_job, reconstructable

    from orchestration.definitions import warehouse_job_def

    if settings.workers <= 1:
        return job.execute_in_process(instance=instance, raise_on_error=False, **kwargs)
    with execute_job(reconstructable(warehouse_job_def), instance, raise_on_error=False, **kwargs) as result:
        return result  # its events are read after the run, not its outputs (which need this context)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--source",
        choices=("offline", "live"),
        default="offline",
        help="live: first fetch the live scope (orchestration/connectors/scope.toml) into the landing area",
    )
    args = parser.parse_args(argv)
    settings = get_settings()
    layout = settings.layout
    started = time.time()
    working = f"DuckLake {layout.lake_catalog} / {layout.lake_data_path}" if layout.on_lake else layout.working_db
    workers = f"{settings.workers} processes (multiprocess executor)" if settings.workers > 1 else "1 (in process)"
    print(f"Sample data: {layout.sample_data_dir}\nWorking warehouse: {working}\nWorkers: {workers}\n")

    from dagster import AssetSelection, DagsterInstance

    from orchestration.assets.gx_check import GX_CHECK_NAME
    from orchestration.assets.serving import DBT_DOCS_KEY
    from orchestration.definitions import defs

    instance = DagsterInstance.get()
    if args.source == "live":
        from orchestration.live.run import fetch_live

        print("== Live fetch ==")
        fetched = fetch_live(defs, instance)
        print(fetched.report() + "\n")
        if not fetched.success:
            print("== RUN FAILED == (live fetch; the warehouse was not rebuilt)")
            return 1
    job = defs.resolve_job_def("warehouse")
    graph = defs.resolve_asset_graph()
    job_keys = job.asset_layer.selected_asset_keys
    raw_keys = AssetSelection.key_prefixes("raw").resolve(graph) & job_keys
    raw_result = _execute(job, instance, settings, asset_selection=list(raw_keys))
    results = [raw_result]
    plan = None
    if raw_result.success:
        plan = _plan(settings)
        print("== Build plan ==")
        if plan.nothing_to_do:
            print("Nothing changed since the last successful build: dbt, publish and serving skipped.")
        else:
            print("\n".join(plan.reasons))
            selected = _downstream_selection(plan, graph, raw_keys) & job_keys
            if plan.docs_unchanged:
                selected -= {DBT_DOCS_KEY}
                print("dbt docs kept: no dbt node and no relation's columns changed since the last build")
            print(f"{len(selected)} assets to materialize of {len(job_keys - raw_keys)} downstream of raw\n")
            from orchestration.dbt_window import encode

            window = encode(plan.trade_window)
            downstream = _execute(job, instance, settings, asset_selection=list(selected), tags=window)
            results.append(downstream)
    result = results[-1]
    success = all(r.success for r in results)
    if success and plan is not None and not plan.nothing_to_do:
        _record(settings, plan)

    checks = [c for r in results for c in r.get_asset_check_evaluations()]
    gx = [c for c in checks if c.check_name == GX_CHECK_NAME]
    dbt_checks = [c for c in checks if c.check_name != GX_CHECK_NAME]
    print("== Loads ==")
    if layout.on_lake or layout.working_db.exists():
        print(_loads_summary(settings, started))
    print("\n== Checks ==")
    print(f"Great Expectations suites (blocking): {sum(c.passed for c in gx)}/{len(gx)} passed")
    print(f"dbt tests as asset checks: {sum(c.passed for c in dbt_checks)}/{len(dbt_checks)} passed")

    if not success:
        print("\n== RUN FAILED ==")
        for check in gx:
            if not check.passed:
                print(f"- GX suite on {check.asset_key.to_user_string()}: {check.description}")
        for check in dbt_checks:
            if not check.passed:
                print(f"- dbt test {check.check_name} on {check.asset_key.to_user_string()}: {check.description}")
        for event in (e for r in results for e in r.all_events):
            if event.is_step_failure:
                error = event.step_failure_data.error
                message = error.message.strip().splitlines()[0] if error else "step failed"
                print(f"- step {event.step_key}: {message}")
        published = layout.published_db
        if published.exists():
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(published.stat().st_mtime))
            print(f"\nThe published snapshot was left as it was: {published} (written {stamp}).")
        else:
            print("\nNothing has been published yet.")
        return 1

    print("\n== Published ==")
    print(f"Read-only snapshot: {layout.published_db}")
    con = connect(layout.published_db, read_only=True)
    try:
        marts = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        ).fetchall()
        print("Marts: " + ", ".join(f"marts.{m[0]}" for m in marts))
        print(f"\nExample query (China's share of US imports of rare-earth metals, HS 280530):\n{EXAMPLE_QUERY};\n")
        cursor = con.execute(EXAMPLE_QUERY)
        headers = [d[0] for d in cursor.description]
        print(_table(cursor.fetchall(), headers))
    finally:
        con.close()
    from orchestration.serving.summary import materializations, where_to_read

    if len(results) > 1:
        served = where_to_read(layout, materializations(result))
        print("\n== Serving ==\n" + "\n".join(f"{name}: {where}" for name, where in served.items()))
    print(f"\nDone in {time.time() - started:.0f} s. Open a SQL prompt on it with `make sql`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
