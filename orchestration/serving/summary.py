"""The serving part of `make run`'s summary, from the run's own materializations."""

from __future__ import annotations

from pathlib import Path

from orchestration.serving.sqlalchemy_url import duckdb_sqlalchemy_url


def _metadata(result) -> dict[str, dict]:
    out = {}
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        out[materialization.asset_key.to_user_string()] = {k: v.value for k, v in materialization.metadata.items()}
    return out


def serving_summary(result, published_path: Path) -> str:
    meta = _metadata(result)
    published = published_path.parent
    lines = []
    if "serving/parquet" in meta:
        lines.append(f"Parquet (every mart, by year where it has one): {published / 'parquet'}")
    postgres = meta.get("serving/postgres", {})
    if postgres.get("status") == "published":
        lines.append(
            f"PostgreSQL: {postgres['server']} schema {postgres['schema']} (read-only role {postgres['reader_role']})"
        )
    elif postgres:
        lines.append(str(postgres.get("reason", "PostgreSQL serving skipped")))
    lines.append(f"SQLAlchemy (duckdb-engine): {duckdb_sqlalchemy_url(published_path)}")
    if "report/html" in meta:
        report = meta["report/html"]
        lines.append(f"Report ({report['figures']} charts): {published / 'report' / 'index.html'}")
        if report.get("waiting_for") not in (None, "nothing"):
            lines.append(f"  sections still waiting for: {report['waiting_for']}")
    if "docs/dbt" in meta:
        lines.append(f"dbt docs: {published / 'docs' / 'dbt' / 'index.html'}")
    if "docs/gx" in meta:
        lines.append(f"GX Data Docs: {published / 'docs' / 'gx' / 'index.html'} ({meta['docs/gx']['pages']} pages)")
    return "\n".join(lines)
