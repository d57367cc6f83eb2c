"""`make run SOURCE=live`: fetch the live scope into the landing area and raw, before the warehouse job.

The fetches run as the partitioned live assets (annual years, months, MCS editions, BACI releases of
the scope: each table's fetch asset into the landing area, then its raw asset), each over its
partitions in as few runs as the partitions allow (one per contiguous range); dbt and publishing
then run once, in the `warehouse` job that follows. A second run with the payloads already in the
landing area makes no HTTP call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from orchestration.connectors.scope import LiveScope, load_scope
from orchestration.connectors.settings import get_connector_settings
from orchestration.live.jobs import (
    ANNUAL_ASSETS,
    BACI_ARCHIVES,
    COMTRADE_BULK,
    MCS_RELEASE,
    MONTHLY_ASSETS,
    fetch_run_config,
    live_annual_job,
    live_baci_job,
    live_comtrade_bulk_job,
    live_mcs_job,
    live_monthly_job,
    range_tags,
    with_fetch,
)

METRICS = (
    "calls",
    "retries",
    "splits",
    "payloads",
    "payloads_fetched",
    "payloads_reused",
    "rows_fetched",
    "rows_promoted",
    "rows_retired",
)


def contiguous_ranges(keys: list[str], ordered: list[str]) -> list[tuple[str, str]]:
    """Group partition keys into (first, last) runs of consecutive keys of `ordered` (all keys, in order)."""
    position = {k: i for i, k in enumerate(ordered)}
    unknown = [k for k in keys if k not in position]
    if unknown:
        raise ValueError(f"not partitions of this job: {unknown}")
    ranges: list[tuple[str, str]] = []
    for key in sorted(set(keys), key=position.__getitem__):
        if ranges and position[key] == position[ranges[-1][1]] + 1:
            ranges[-1] = (ranges[-1][0], key)
        else:
            ranges.append((key, key))
    return ranges


@dataclass
class LiveFetchSummary:
    success: bool = True
    rows: list[dict[str, Any]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def total(self, metric: str) -> int:
        return sum(int(r.get(metric) or 0) for r in self.rows)

    def report(self) -> str:
        if not self.rows and not self.failures:
            return "\n".join(["Nothing in the live scope.", *self.notes])
        headers = ["asset", "partitions", *METRICS]
        lines = [" | ".join(headers)]
        for r in self.rows:
            lines.append(" | ".join(str(r.get(h, "")) for h in headers))
        lines.append(
            f"Total: {self.total('calls')} HTTP calls, {self.total('retries')} retries, "
            f"{self.total('rows_fetched')} rows in the scope's payloads (fetched or already landed), "
            f"{self.total('rows_promoted')} rows promoted to raw."
        )
        lines += self.notes
        lines += [f"FAILED: {f}" for f in self.failures]
        return "\n".join(lines)


def _collect(summary: LiveFetchSummary, result: Any, label: str) -> None:
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        meta = {k: getattr(v, "value", v) for k, v in mat.metadata.items()}
        row = {"asset": mat.asset_key.to_user_string(), "partitions": label}
        row.update({m: meta.get(m, "") for m in METRICS})
        summary.rows.append(row)
    if not result.success:
        summary.success = False
        for event in result.all_events:
            if event.is_step_failure:
                error = event.step_failure_data.error
                message = error.message.strip().splitlines()[0] if error else "step failed"
                summary.failures.append(f"{event.step_key} ({label}): {message}")
        for check in result.get_asset_check_evaluations():
            if not check.passed:
                summary.failures.append(
                    f"GX suite on {check.asset_key.to_user_string()} ({label}): {check.description}"
                )


def plan_runs(scope: LiveScope, *, comtrade_keyed: bool = False) -> list[tuple[Any, tuple, dict[str, str], str]]:
    """(job, asset keys, tags, label) for every fetch run the scope needs. Bulk files need a Comtrade key."""
    from orchestration.live.partitions import mcs_edition_partitions, monthly_partitions, yearly_partitions

    runs = []
    years = [str(y) for y in scope.years]
    for start, end in contiguous_ranges(years, yearly_partitions.get_partition_keys()):
        runs.append((live_annual_job, ANNUAL_ASSETS, range_tags(start, end), f"{start}..{end}"))
        if comtrade_keyed and scope.bulk_reporters:
            runs.append((live_comtrade_bulk_job, (COMTRADE_BULK,), range_tags(start, end), f"bulk {start}..{end}"))
    months = [f"{m}-01" for m in scope.months]
    for start, end in contiguous_ranges(months, monthly_partitions.get_partition_keys()):
        runs.append((live_monthly_job, MONTHLY_ASSETS, range_tags(start, end), f"{start[:7]}..{end[:7]}"))
    editions = [str(e) for e in scope.mcs_editions]
    for start, end in contiguous_ranges(editions, mcs_edition_partitions.get_partition_keys()):
        runs.append((live_mcs_job, (MCS_RELEASE,), range_tags(start, end), f"MCS {start}..{end}"))
    for release in scope.baci_releases:
        runs.append((live_baci_job, (BACI_ARCHIVES,), {"dagster/partition": release}, release))
    return runs


def fetch_live(
    defs: Any, instance: Any, *, force_refresh: bool = False, scope: LiveScope | None = None
) -> LiveFetchSummary:
    """Run every fetch of the scope (no dbt) with the jobs of `defs` (the code location, which imports
    this package, hands itself in); the caller runs the `warehouse` job afterwards."""
    scope = scope or load_scope()
    summary = LiveFetchSummary()
    keyed = bool(get_connector_settings().comtrade_api_key)
    if scope.bulk_reporters and scope.years and not keyed:
        summary.notes.append(
            "Comtrade bulk files skipped: they need COMTRADE_API_KEY (the annual data API rows were fetched)."
        )
    for job, keys, tags, label in plan_runs(scope, comtrade_keyed=keyed):
        if job is live_baci_job:
            instance.add_dynamic_partitions("baci_releases", [tags["dagster/partition"]])
        result = defs.resolve_job_def(job.name).execute_in_process(
            instance=instance,
            asset_selection=list(with_fetch(*keys)),  # each live table's fetch asset, then its raw asset
            tags=tags if "dagster/partition" not in tags else None,
            partition_key=tags.get("dagster/partition"),
            run_config=fetch_run_config(keys, force_refresh=force_refresh),
            raise_on_error=False,
        )
        _collect(summary, result, label)
    return summary
