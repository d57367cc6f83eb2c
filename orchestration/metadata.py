"""Markdown tables for Dagster metadata (shown in the UI beside each materialization)."""

from collections.abc import Iterable, Sequence
from typing import Any

from dagster import MetadataValue


def md_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> MetadataValue:
    """A Markdown table; '|' inside a cell would end the cell, so it becomes '/'."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(v).replace("|", "/") for v in row) + " |" for row in rows]
    return MetadataValue.md("\n".join(lines))
