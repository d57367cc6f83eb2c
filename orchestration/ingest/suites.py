"""Each raw table's Great Expectations suite, derived from its registry entry and its rules file.

From the registry entry (orchestration/ingest/registry/<source>.py):
  - expect_column_to_exist for every declared column;
  - expect_column_values_to_not_be_null for the grain (but `nullable_grain`) and the `not_null` columns;
  - expect_column_values_to_be_unique for a one-column grain, expect_compound_columns_to_be_unique for
    a longer one (what one row is: the table's `row`);
  - expect_column_values_to_match_regex for each of `formats`, expect_column_values_to_be_between for
    each of `ranges`, each with its format's or range's own why.
From data_quality/rules/<table>.yaml, what only that source knows (every entry with its `why`):
  extends      other rules files (`_<name>.yaml`) whose entries this one adds to: shared particulars
  meta         added to the suite's meta
  row_count    {min, max, why}: bounds of one load
  values       [{column | columns, set, why}]: expect_column_values_to_be_in_set
  rules        [{column, why, rule?, reference | where}]: domain rules, unexpected_rows_expectation
               returning (row, value) per offending row; `reference: <name>` checks the column against
               a reference list of _references.yaml, `where: <sql>` selects the rows that break the rule
  relax        [{expectation, column?, mostly, why}]: tolerate a share of exceptions to a derived one
  expectations [{type, kwargs, meta: {why}}]: any other GX expectation, verbatim

The suites are built when a table's loads are validated (`suite_to_run`); nothing is kept on disk.
To review them as GX suite JSON: `python -m orchestration.ingest.suites write [DIR]` (`make suites`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from orchestration.ingest.landing import PROVENANCE_COLUMNS
from orchestration.ingest.registry import RAW_TABLES, RawTable, raw_table
from orchestration.layout import DBT_PROJECT_DIR, REPO_ROOT, layout_from_env

# Beside the registry it derives from; the rules files are data_quality's (what GX checks, per source).
RULES_DIR = REPO_ROOT / "data_quality" / "rules"
# Team-authored reference lists (dbt seeds) that domain rules read before dbt has run: `{seeds_dir}`
# in a suite's SQL is replaced by this folder when the suite is run.
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
REFERENCES_FILE = RULES_DIR / "_references.yaml"
RULE_KEYS = {"extends", "meta", "row_count", "values", "rules", "relax", "expectations"}
LIST_KEYS = ("values", "rules", "relax", "expectations")
# Columns the loader adds to every raw row: domain rules return `_row_number` as the offending row.
LOADER_COLUMNS = tuple(name for name, _ in PROVENANCE_COLUMNS)


class SuiteError(ValueError):
    """A rules file or registry entry that cannot make a suite: names the file, the entry and why."""


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    if not path.exists():
        raise SuiteError(f"{_rel(path)}: no such rules file")
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, dict):
        raise SuiteError(f"{_rel(path)}: expected a mapping of {sorted(RULE_KEYS)}")
    return data


def _rel(path: Path) -> str:
    try:
        return path.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(path)


def rules_file(table: RawTable) -> Path:
    return RULES_DIR / f"{table.name}.yaml"


def _rules(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """A rules file with the entries of the files it extends first; each entry knows its file."""
    if path in seen:
        raise SuiteError(f"{_rel(path)}: extends itself through {[_rel(p) for p in seen]}")
    data = _read_yaml(path)
    unknown = set(data) - RULE_KEYS
    if unknown:
        raise SuiteError(f"{_rel(path)}: unknown key(s) {sorted(unknown)}; allowed: {sorted(RULE_KEYS)}")
    parents = data.get("extends") or []
    merged: dict[str, Any] = {key: [] for key in LIST_KEYS} | {"meta": {}}
    for parent in [parents] if isinstance(parents, str) else parents:
        inherited = _rules(RULES_DIR / f"{parent}.yaml", (*seen, path))
        for key in LIST_KEYS:
            merged[key] += inherited[key]
        merged["meta"] |= inherited["meta"]
        if "row_count" in inherited:
            merged["row_count"] = inherited["row_count"]
    for key in LIST_KEYS:
        entries = data.get(key) or []
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise SuiteError(f"{_rel(path)}: {key} must be a list of mappings")
        merged[key] += [{**entry, "_file": _rel(path)} for entry in entries]
    merged["meta"] |= data.get("meta") or {}
    if "row_count" in data:
        merged["row_count"] = {**data["row_count"], "_file": _rel(path)}
    return merged


@cache
def _references() -> dict[str, dict[str, str]]:
    return _read_yaml(REFERENCES_FILE)


def _why(entry: dict[str, Any], what: str) -> str:
    why = entry.get("why")
    if not why or not isinstance(why, str):
        raise SuiteError(f"{entry.get('_file', 'registry')}: {what} has no why")
    return why


def _expectation(etype: str, kwargs: dict[str, Any], why: str, origin: str, **meta: Any) -> dict[str, Any]:
    return {"type": etype, "kwargs": kwargs, "meta": {"why": why, **meta, "origin": origin}}


def failing_row_position(table: RawTable) -> tuple[str, str]:
    """Where a domain rule's failing row is in its file: (SQL over the landed batch, the word for it).
    Delimited files give the file line (line 1 is the header; a quoted field spanning lines would shift
    the lines after it), JSON payloads the record's position in the payload."""
    if table.reader == "csv":
        # the typed (bulk) reads keep no row number (readers.py): the value alone is then named
        return "_row_number + 1", "line"
    if table.reader == "csv_cells":
        return 'try_cast("row_number" as bigint) + 1', "line"
    if table.reader == "text_lines":
        return 'try_cast("line_number" as bigint)', "line"
    return "_row_number", "record"


def _derived(table: RawTable) -> list[dict[str, Any]]:
    origin = f"registry: raw.{table.name}"
    out = [
        _expectation(
            "expect_column_to_exist", {"column": c}, f"a declared column of raw.{table.name}, as published", origin
        )
        for c in table.columns
    ]
    grain = ", ".join(table.grain)
    for column in table.grain:
        if column not in table.nullable_grain:
            why = f"part of the grain of raw.{table.name} ({grain}): a row without it has no identity"
            out.append(_expectation("expect_column_values_to_not_be_null", {"column": column}, why, origin))
    for column in table.not_null:
        why = f"raw.{table.name} declares {column} non-null: every row fills it"
        out.append(_expectation("expect_column_values_to_not_be_null", {"column": column}, why, origin))
    for column, fmt in table.formats:
        kwargs: dict[str, Any] = {"column": column, "regex": fmt.regex}
        if fmt.mostly is not None:
            kwargs["mostly"] = fmt.mostly
        out.append(_expectation("expect_column_values_to_match_regex", kwargs, fmt.why, origin))
    for column, bounds in table.ranges:
        kwargs = {"column": column}
        kwargs |= {k: v for k, v in (("min_value", bounds.min), ("max_value", bounds.max)) if v is not None}
        out.append(_expectation("expect_column_values_to_be_between", kwargs, bounds.why, origin))
    row = table.row or f"one row per {grain}"
    why = f"grain of raw.{table.name}: {row}"
    if len(table.grain) == 1:
        out.append(_expectation("expect_column_values_to_be_unique", {"column": table.grain[0]}, why, origin))
    else:
        out.append(
            _expectation("expect_compound_columns_to_be_unique", {"column_list": list(table.grain)}, why, origin)
        )
    return out


def _from_rules(table: RawTable, rules: dict[str, Any], derived: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for entry in rules["relax"]:
        where = f"{entry['_file']}: relax {entry.get('expectation')} {entry.get('column', '')}".rstrip()
        matches = [
            e
            for e in derived
            if e["type"] == entry.get("expectation")
            and ("column" not in entry or e["kwargs"].get("column") == entry["column"])
        ]
        if not matches:
            raise SuiteError(f"{where}: no such expectation is derived for raw.{table.name}")
        if "mostly" not in entry:
            raise SuiteError(f"{where}: says no mostly")
        for e in matches:
            e["kwargs"]["mostly"] = entry["mostly"]
            e["meta"] = {"why": _why(entry, "relax"), "relaxes": e["meta"]["why"], "origin": entry["_file"]}
    for entry in rules["values"]:
        columns = entry.get("columns") or [entry.get("column")]
        why = _why(entry, f"values of {columns}")
        for column in columns:
            kwargs = {"column": column, "value_set": list(entry["set"])}
            out.append(_expectation("expect_column_values_to_be_in_set", kwargs, why, entry["_file"]))
    if "row_count" in rules:
        entry = rules["row_count"]
        kwargs = {k: entry[s] for k, s in (("min_value", "min"), ("max_value", "max")) if entry.get(s) is not None}
        why = _why(entry, "row_count")
        out.append(_expectation("expect_table_row_count_to_be_between", kwargs, why, entry["_file"]))
    for entry in rules["rules"]:
        column = entry.get("column")
        where = f"{entry['_file']}: rule on {column!r}"
        position, label = failing_row_position(table)
        head = f'select {position} as row, "{column}" as value from {{batch}} where '
        if "reference" in entry:
            name = entry["reference"]
            if name not in _references():
                raise SuiteError(f"{where}: unknown reference {name!r}; known: {sorted(_references())}")
            ref = _references()[name]
            query = f'{head}"{column}" not in (select v from ({ref["select"]}) as r (v) where v is not null)'
            rule = entry.get("rule") or f"reference:{name}"
            why = entry.get("why") or ref["why"]
        elif "where" in entry:
            query, rule, why = head + entry["where"], entry.get("rule"), _why(entry, "rule")
        else:
            raise SuiteError(f"{where}: says neither reference nor where")
        if not rule:
            raise SuiteError(f"{where}: has no rule name")
        meta = {"rule": rule, "column": column, "position": label}
        out.append(
            _expectation("unexpected_rows_expectation", {"unexpected_rows_query": query}, why, entry["_file"], **meta)
        )
    for entry in rules["expectations"]:
        meta = dict(entry.get("meta") or {})
        why = _why({**meta, "_file": entry["_file"]}, f"expectation {entry.get('type')}")
        out.append(_expectation(entry["type"], dict(entry.get("kwargs") or {}), why, entry["_file"], **meta))
    return out


def _check_columns(table: RawTable, expectations: list[dict[str, Any]]) -> None:
    known = set(table.all_columns) | set(LOADER_COLUMNS)
    for e in expectations:
        named = [e["kwargs"].get("column"), *e["kwargs"].get("column_list", []), e["meta"].get("column")]
        for column in filter(None, named):
            if column not in known:
                raise SuiteError(
                    f"{e['meta']['origin']}: {e['type']} names column {column!r}, which raw.{table.name} does not "
                    f"have (its columns: {', '.join(table.all_columns)})"
                )
        query = e["kwargs"].get("unexpected_rows_query") or ""
        for other in re.findall(r"\braw\.(\w+)", query):
            if other not in table.references:
                raise SuiteError(
                    f"{e['meta']['origin']}: rule {e['meta'].get('rule')} reads raw.{other}, which is not among "
                    f"raw.{table.name}'s references {list(table.references)} (its asset would not land first)"
                )


@cache
def _built(name: str) -> str:
    table = raw_table(name)
    path = rules_file(table)
    rules = _rules(path) if path.exists() else {key: [] for key in LIST_KEYS} | {"meta": {}}
    derived = _derived(table)
    expectations = derived + _from_rules(table, rules, derived)
    _check_columns(table, expectations)
    suite = {
        "name": table.suite_name,
        "meta": {
            "raw_table": f"raw.{table.name}",
            "description": table.description,
            "built_from": ["orchestration/ingest/registry", *([_rel(path)] if path.exists() else [])],
            **rules["meta"],
        },
        "expectations": expectations,
    }
    return json.dumps(suite, indent=2, ensure_ascii=False) + "\n"


def build_suite(table: RawTable | str) -> dict[str, Any]:
    """The table's suite as GX 1.x suite JSON (a fresh copy), `{seeds_dir}` left in its queries."""
    return json.loads(suite_json(table))


def suite_json(table: RawTable | str) -> str:
    """The suite as written out for review and stored with each validation (stable for a definition)."""
    name = table if isinstance(table, str) else table.name
    if name.startswith("raw__"):
        name = name[len("raw__") :]
    return _built(name)


def suite_to_run(table: RawTable | str) -> dict[str, Any]:
    """The suite ready for data_quality.runner: its digest in meta, `{seeds_dir}` resolved."""
    suite = build_suite(table)
    suite["meta"]["suite_sha256"] = suite_digest(table)
    for expectation in suite["expectations"]:
        query = expectation.get("kwargs", {}).get("unexpected_rows_query")
        if query:
            expectation["kwargs"]["unexpected_rows_query"] = query.replace("{seeds_dir}", SEEDS_DIR.as_posix())
    return suite


def stored_definition(table: RawTable | str) -> tuple[str, str]:
    """(digest, JSON) as audit.suites keeps it: `{seeds_dir}` unresolved, so the same on every machine."""
    return suite_digest(table), suite_json(table)


def suite_digest(table: RawTable | str) -> str:
    return _digest(suite_json(table))


@cache
def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def check_rules_dir() -> None:
    """Every rules file is a table's (or a shared `_` file some table extends) and builds."""
    names = {t.name for t in RAW_TABLES}
    for path in sorted(RULES_DIR.glob("*.yaml")):
        if not path.stem.startswith("_") and path.stem not in names:
            raise SuiteError(f"{_rel(path)}: no raw table {path.stem!r} in the registry")
    for table in RAW_TABLES:
        suite_json(table)


def write_suites(out_dir: Path | None = None) -> list[Path]:
    check_rules_dir()
    out_dir = out_dir or layout_from_env().suites_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for table in RAW_TABLES:
        path = out_dir / f"{table.suite_name}.json"
        path.write_text(suite_json(table))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m orchestration.ingest.suites", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    write = commands.add_parser("write", help="write every raw table's suite as GX suite JSON, for review")
    write.add_argument("dir", nargs="?", type=Path, help=f"default {layout_from_env().suites_dir}")
    args = parser.parse_args(argv)
    if args.command == "write":
        paths = write_suites(args.dir)
        count = sum(len(json.loads(p.read_text())["expectations"]) for p in paths)
        print(f"{len(paths)} suites, {count} expectations, written to {paths[0].parent if paths else args.dir}")


if __name__ == "__main__":
    main()
