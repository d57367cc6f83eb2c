"""Where readers find what a run served: one list, for `make run`'s summary and the report's header."""

from __future__ import annotations

from orchestration.layout import Layout
from orchestration.serving.postgres import postgres_target_from_env, redact
from orchestration.serving.sqlalchemy_url import duckdb_sqlalchemy_url


def materializations(result) -> dict[str, dict]:
    """Each asset's metadata in a Dagster run result, by asset key ("serving/parquet")."""
    out = {}
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        out[materialization.asset_key.to_user_string()] = {k: v.value for k, v in materialization.metadata.items()}
    return out


def where_to_read(layout: Layout, served: dict[str, dict] | None = None) -> dict[str, str]:
    """What a reader opens, by name. `served`: the run's materializations (only what the run wrote is
    listed); None while the run is still serving (the report): what it serves, from the settings."""
    entries = {
        "DuckDB snapshot": f"{layout.published_db} (read-only; `make sql`)",
        "SQLAlchemy (duckdb-engine)": duckdb_sqlalchemy_url(layout.published_db),
    }
    if served is None or "serving/parquet" in served:
        entries["Parquet (every mart, by year where it has one)"] = str(layout.parquet_dir)
    postgres = (served or {}).get("serving/postgres")
    if served is None:
        target = postgres_target_from_env()
        entries["PostgreSQL"] = (
            f"{redact(target.url)} schema {target.schema}, role {target.reader_role}"
            if target
            else "not configured (CHIPCHAIN_PG_URL unset)"
        )
    elif postgres and postgres.get("status") == "published":
        entries["PostgreSQL"] = (
            f"{postgres['server']} schema {postgres['schema']} (read-only role {postgres['reader_role']})"
        )
    elif postgres:
        entries["PostgreSQL"] = str(postgres.get("reason", "PostgreSQL serving skipped"))
    report = (served or {}).get("report/html")
    if report:
        waiting = report.get("waiting_for")
        entries[f"Report ({report['figures']} charts)"] = str(layout.report_html) + (
            f" (sections still waiting for: {waiting})" if waiting not in (None, "nothing") else ""
        )
    if served and "docs/dbt" in served:
        entries["dbt docs"] = str(layout.dbt_docs_dir / "index.html")
    if served and "docs/gx" in served:
        entries["GX Data Docs"] = f"{layout.gx_docs_dir / 'index.html'} ({served['docs/gx']['pages']} pages)"
    return entries
