"""dbt docs and Great Expectations Data Docs, built after each run and linked from the report.

dbt: `dbt docs generate --static` writes one self-contained page (manifest and catalog inlined), read
from the working database that dbt just built. GX: the validations are not re-run; every result the
runner stored in `audit.validation_results` is turned back into a GX validation result, kept in a GX file
project beside the working database, and GX's own site builder renders the pages. Only results not
rendered before are added, so a run that loaded nothing new costs little. GX is imported only here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from orchestration.dbt_project import DBT_PROJECT_DIR, dbt_executable
from orchestration.duckdb_connection import connect
from orchestration.ingest.registry import RAW_TABLES
from orchestration.ingest.suites import suite_digest, suite_json
from orchestration.layout import Layout
from orchestration.report import docs_assets
from orchestration.settings import get_settings


@dataclass(frozen=True)
class DocsResult:
    index: Path
    pages: int
    added: int = 0


def replace_dir(new: Path, dest: Path) -> None:
    """Put a fully written directory in place of `dest` (two renames; the old one is removed after)."""
    old = dest.with_name(f".{dest.name}.old-{uuid.uuid4().hex[:8]}")
    if dest.exists():
        os.replace(dest, old)
    os.replace(new, dest)
    shutil.rmtree(old, ignore_errors=True)


def build_dbt_docs(layout: Layout) -> DocsResult:
    """`dbt docs generate --static` on the working database, into the published docs folder."""
    out_dir = layout.dbt_docs_dir
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dbt-docs-", dir=out_dir.parent) as scratch:
        target = Path(scratch) / "target"
        target.mkdir()
        parsed = DBT_PROJECT_DIR / "target" / "partial_parse.msgpack"
        if parsed.exists():  # `make`/dagster parsed the project already: dbt reuses what has not changed
            shutil.copy2(parsed, target / parsed.name)
        command = [
            dbt_executable(), "docs", "generate", "--static", "--quiet",
            "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(target),
        ]  # fmt: skip
        env = {**os.environ, **get_settings(layout).dbt_env(), "DO_NOT_TRACK": "1"}
        done = subprocess.run(command, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, check=False)
        page = target / "static_index.html"
        if done.returncode != 0 or not page.exists():
            raise RuntimeError(
                f"dbt docs generate failed ({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
            )
        site = Path(scratch) / "site"
        site.mkdir()
        shutil.move(page, site / "index.html")
        catalog = json.loads((target / "catalog.json").read_text())
        replace_dir(site, out_dir)
    return DocsResult(out_dir / "index.html", len(catalog.get("nodes", {})))


def build_gx_docs(snapshot_path: Path, project_dir: Path, out_dir: Path) -> DocsResult:
    con = connect(snapshot_path, read_only=True)
    try:
        rows = con.execute(
            """
            select load_id, raw_table, file_path, suite_name, min(validated_at) over (partition by load_id),
                   expectation_type, kwargs, success, observed_value, element_count, unexpected_count,
                   unexpected_percent, partial_unexpected_list
            from audit.validation_results order by load_id, suite_name, expectation_type, kwargs
            """
        ).fetchall()
    finally:
        con.close()

    # What the GX project already holds: suite digests and rendered loads. Nothing new: no GX import at all.
    fresh = not (project_dir / "gx").exists() or not (out_dir / "index.html").exists()
    state_file = project_dir / "rendered.json"
    state = json.loads(state_file.read_text()) if state_file.exists() and not fresh else {"suites": {}, "loads": []}
    # the suites as built from the registry and the rules files (orchestration/ingest/suites.py): the ones
    # each stored validation ran are in audit.suites, by the digest in validation_results.suite_sha256
    suites = {t.suite_name: suite_json(t) for t in RAW_TABLES}
    digests = {t.suite_name: suite_digest(t) for t in RAW_TABLES}
    changed = [name for name in suites if state["suites"].get(name) != digests[name]]
    rendered = set(state["loads"])
    new_rows = [r for r in rows if f"{r[0]}|{r[3]}" not in rendered]
    if not fresh and not changed and not new_rows:
        if not (out_dir / docs_assets.SITE_VENDOR).exists():  # a site built before the local copies existed
            docs_assets.localise(out_dir)
        return DocsResult(out_dir / "index.html", sum(1 for _ in out_dir.rglob("*.html")), 0)

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.core import ExpectationSuiteValidationResult, ExpectationValidationResult
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    if fresh:
        shutil.rmtree(project_dir, ignore_errors=True)
    project_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(project_dir))
    suite_ids = []
    for name in changed:  # GX's add_or_update compares expectations pairwise (slow): replace changed ones only
        suite = json.loads(suites[name])
        if name in state["suites"]:
            context.suites.delete(suite["name"])
        context.suites.add(gx.ExpectationSuite(**suite))
        suite_ids.append(ExpectationSuiteIdentifier(name=suite["name"]))
    rows = new_rows

    store = context.validation_results_store
    added = []
    for (load_id, raw_table, file_path, suite_name, validated_at), items in groupby(rows, key=lambda r: r[:5]):
        run_id = RunIdentifier(run_name=load_id, run_time=validated_at)
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_name),
            run_id=run_id,
            batch_identifier=file_path.replace("/", "__"),
        )
        results = [
            ExpectationValidationResult(
                success=success,
                expectation_config=ExpectationConfiguration(type=etype, kwargs=json.loads(kwargs or "{}")),
                result=_result_dict(observed, elements, unexpected, percent, partial),
            )
            for *_, etype, kwargs, success, observed, elements, unexpected, percent, partial in items
        ]
        passed = sum(r.success for r in results)
        store.set(
            key,
            ExpectationSuiteValidationResult(
                success=passed == len(results),
                results=results,
                suite_name=suite_name,
                statistics={
                    "evaluated_expectations": len(results),
                    "successful_expectations": passed,
                    "unsuccessful_expectations": len(results) - passed,
                    "success_percent": 100.0 * passed / len(results) if results else None,
                },
                meta={
                    "run_id": run_id,
                    "great_expectations_version": gx.__version__,
                    "active_batch_definition": {
                        "datasource_name": "raw_loads",
                        "data_asset_name": raw_table,
                        "batch_definition_name": file_path,
                    },
                    "load_id": load_id,
                    "file_path": file_path,
                },
            ),
        )
        added.append(key)

    # A new project renders everything; afterwards only the new results and the changed suites.
    context.build_data_docs(resource_identifiers=None if fresh else [*suite_ids, *added])
    state = {"suites": digests, "loads": sorted(rendered | {f"{r[0]}|{r[3]}" for r in new_rows})}
    state_file.write_text(json.dumps(state, indent=1))
    site = project_dir / "gx" / "uncommitted" / "data_docs" / "local_site"
    staging = out_dir.with_name(f".{out_dir.name}.new-{uuid.uuid4().hex[:8]}")
    shutil.copytree(site, staging)
    # GX's pages link bootstrap, jQuery, vega... on CDNs: point them at the local copies
    docs_assets.localise(staging)
    replace_dir(staging, out_dir)
    pages = sum(1 for _ in out_dir.rglob("*.html"))
    return DocsResult(out_dir / "index.html", pages, len(added))


def _json(text: str):
    try:
        return json.loads(text)
    except ValueError:  # the runner truncates long values to 2,000 characters
        return text


def _result_dict(observed, elements, unexpected, percent, partial) -> dict:
    result: dict = {}
    if observed is not None:
        result["observed_value"] = _json(observed)
    if elements is not None:
        result.update(
            element_count=elements,
            unexpected_count=unexpected,
            unexpected_percent=percent,
            partial_unexpected_list=_json(partial) if partial else [],
        )
    return result
