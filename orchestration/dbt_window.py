"""The build window: which (source, year) partitions of the trade data a run rebuilds, and how dbt hears it.

`make run` works the window out from the loads that landed since the last successful build
(`build_plan.plan_build`), puts it on the run as a tag (so the Dagster UI shows it) and the dbt asset
turns the tag into `dbt build --vars '{"trade_window": ...}'`. The windowed models
(`macros/trade_window.sql`) then delete and rebuild only those partitions. No window (a first build,
an edited model, a changed reference table, a run launched without the tag) means a full build:
`--full-refresh`, every incremental model rebuilt from scratch.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence

# Run tag carrying the window: JSON {"source": [years]}, absent for a full build.
TRADE_WINDOW_TAG = "chipchain/trade_window"

TradeWindow = dict[str, list[int]]


def trade_window(partitions: Iterable[tuple[str, int | None]]) -> TradeWindow:
    """(source, year) pairs -> {source: sorted distinct years}; rows without a year cannot be windowed."""
    out: dict[str, set[int]] = {}
    for source, year in partitions:
        if year is None:
            raise ValueError(f"a {source} row has no year: its partition is unknown, build in full")
        out.setdefault(source, set()).add(int(year))
    return {source: sorted(years) for source, years in sorted(out.items())}


def _normal(window: Mapping[str, Sequence[int]]) -> TradeWindow:
    return trade_window((source, year) for source, years in window.items() for year in years)


def encode(window: Mapping[str, Sequence[int]] | None) -> dict[str, str]:
    """The run tags for a window (none for a full build)."""
    if window is None:
        return {}
    return {TRADE_WINDOW_TAG: json.dumps(_normal(window))}


def decode(tags: Mapping[str, str]) -> TradeWindow | None:
    raw = tags.get(TRADE_WINDOW_TAG)
    if raw is None:
        return None
    window = json.loads(raw)
    if not isinstance(window, dict) or not all(
        isinstance(s, str) and isinstance(ys, list) and all(isinstance(y, int) for y in ys) for s, ys in window.items()
    ):
        raise ValueError(f"run tag {TRADE_WINDOW_TAG} is not {{source: [years]}}: {raw!r}")
    return _normal(window)


def dbt_build_args(window: Mapping[str, Sequence[int]] | None) -> list[str]:
    """The `dbt build` arguments for a window: its partitions as --vars, or a full refresh."""
    if window is None:
        return ["build", "--full-refresh"]
    return ["build", "--vars", json.dumps({"trade_window": _normal(window)}, separators=(",", ":"))]


def describe(window: Mapping[str, Sequence[int]] | None) -> str:
    if window is None:
        return "full build (every partition)"
    if not window:
        return "no trade partition changed"
    return "partitions " + "; ".join(f"{s} {', '.join(map(str, ys))}" for s, ys in window.items())


def rewritten_years(
    window: Mapping[str, Sequence[int]] | None, specs: Mapping[str, Mapping]
) -> dict[str, set[int]] | None:
    """The years of each windowed model a window rebuilt (its `meta.trade_window` spec: `years_after`),
    whatever the source; None for a full build. (What the Parquet export writes again.)"""
    if window is None:
        return None
    years = {int(y) for ys in window.values() for y in ys}
    return {
        model: {y + offset for y in years for offset in range(int(spec.get("years_after") or 0) + 1)}
        for model, spec in specs.items()
    }


def windowed_nodes(manifest: Mapping) -> dict[str, Mapping]:
    """Unique id -> node, for the models built by window (those with a `meta.trade_window` spec)."""
    return {
        uid: node
        for uid, node in manifest.get("nodes", {}).items()
        if node.get("resource_type") == "model" and (node.get("config", {}).get("meta") or {}).get("trade_window")
    }


def windowed_models(manifest: Mapping) -> dict[str, Mapping]:
    """Model name -> its `meta.trade_window` spec."""
    return {node["name"]: node["config"]["meta"]["trade_window"] for node in windowed_nodes(manifest).values()}
