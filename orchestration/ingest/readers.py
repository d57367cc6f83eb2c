"""SQL that reads one source file exactly as written (every value as text), by reader kind.

Each reader returns a SELECT yielding the file's columns plus `_row_number` (order in the file).
Readers use DuckDB's own scanners so large files stream instead of passing through Python.
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

from orchestration.ingest.registry import RawTable


def quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def csv_header(table: RawTable, path: Path) -> list[str]:
    """The header names of a (possibly gzipped) delimited file, read from its first line only."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding=table.encoding, newline="") as handle:  # type: ignore[operator]
        first = handle.readline().lstrip("\ufeff")  # a BOM before a quoted name would hide its quotes
    return next(csv.reader([first], delimiter=table.delimiter), [])


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def header_columns(table: RawTable, header: list[str]) -> str:
    """Select list giving each header name its raw column name: renamed by the table's aliases (a later
    release's header), or matched to a declared column without regard to case if the table says so."""
    renamed = dict(table.header_aliases)
    declared = {c.lower(): c for c in table.all_columns} if table.headers_ignore_case else {}
    out = []
    for name in header:
        target = renamed.get(name.strip()) or declared.get(name.strip().lower(), name)
        out.append(f"{ident(name)} as {ident(target)}" if target != name else ident(name))
    return ", ".join(out)


def typed_csv_options(table: RawTable, header: list[str], rejects_table: str) -> str:
    """read_csv options for a table with declared types: each column parsed while the file is read
    (the one scan), and a value that does not parse kept with its line in `rejects_table` (DuckDB's
    store_rejects) instead of failing the read, so the load's check can name every bad line."""
    types = ", ".join(f"{quote(c)}: {quote(table.column_type(c))}" for c in header)
    return (
        f"types={{{types}}}, store_rejects=true, rejects_table={quote(rejects_table)}, "
        f"rejects_scan={quote(rejects_table + '_scan')}, rejects_limit=0"
    )


def read_sql(table: RawTable, path: Path, rejects_table: str | None = None) -> str:
    """A SELECT that yields the file's rows, plus _row_number: every value as written (text), except the
    columns a table declares typed, parsed as they are read when `rejects_table` names where the
    values that do not parse go."""
    src = quote(str(path))
    if table.reader == "csv":
        # DuckDB decompresses .gz itself, streaming; only the first line is read here, for the names
        renames = table.header_aliases or table.headers_ignore_case
        typed = bool(table.column_types and rejects_table)
        header = csv_header(table, path) if renames or typed else []
        columns = header_columns(table, header) if renames else "*"
        types = typed_csv_options(table, header, rejects_table) if typed else ""
        # The typed (bulk) tables store no row number: DuckDB numbers rows on one thread, which makes the
        # whole read single-threaded (a 10M-row BACI year: 13.4 s instead of 6.9 s). Their rows keep the
        # file's order in raw (insertion order is preserved), and a rejected line keeps its number.
        number = "null::bigint" if types else "row_number() over ()"
        return (
            f"select {number} as _row_number, {columns} from read_csv("
            f"{src}, header=true, encoding={quote(table.encoding)}, delim={quote(table.delimiter)}, "
            f"quote='\"', escape='\"', strict_mode=true, null_padding=false, "
            f"max_line_size={table.max_line_bytes}, {types or 'all_varchar=true'})"
        )
    if table.reader == "json_results":
        return (
            "select row_number() over () as _row_number, columns(* exclude (_r))::varchar from ("
            f"select unnest({table.json_path}, max_depth := 2), 1 as _r "
            f"from read_json({src}, maximum_object_size=268435456))"
        )
    if table.reader == "json_object":
        return (
            "select row_number() over () as _row_number, je.key as name_zh, "
            "je.value ->> '$' as name_en "
            f"from read_text({src}) t, json_each(t.content) je"
        )
    if table.reader == "csv_cells":
        # Heterogeneous headers across files: keep every non-empty cell with its header text.
        return f"""
            with src as (
                select row_number() over () as _r, *
                from read_csv({src}, header=false, all_varchar=true, null_padding=true,
                              delim={quote(table.delimiter)}, max_line_size={table.max_line_bytes},
                              encoding={quote(table.encoding)}, quote='"', escape='"')
            ),
            cells as (unpivot src on columns(* exclude (_r)) into name col value value),
            hdr as (select col, value as column_name from cells where _r = 1)
            select row_number() over (order by c._r, c.col) as _row_number,
                   (c._r - 1)::varchar as row_number,
                   (cast(regexp_extract(c.col, '(\\d+)$', 1) as integer) + 1)::varchar
                       as column_position,
                   h.column_name,
                   c.value
            from cells c left join hdr h using (col)
            where c._r > 1
        """
    if table.reader == "text_lines":
        # For files no CSV dialect reads faithfully (comment lines between sections, CRLF and LF
        # mixed): every line verbatim, its line end stripped; staging splits the fields.
        return (
            "select n as _row_number, n::varchar as line_number, rtrim(t.lines[n], chr(13)) as line "
            f"from (select string_split(content, chr(10)) as lines from read_text({src})) as t, "
            "range(1, len(t.lines) + 1) as r(n) order by n"
        )
    if table.reader == "comtrade_envelope":
        # A Comtrade v1 JSON envelope {elapsedTime, count, data[], error}: every field of every row
        # by key name (endpoints order keys differently), as the JSON text it arrived as.
        fields = ", ".join(f'd ->> {quote(c)} as "{c}"' for c in table.all_columns)
        return (
            f"select row_number() over () as _row_number, {fields} from ("
            "select unnest(from_json(json(content) -> '$.data', '[\"JSON\"]')) as d "
            f"from read_text({src}))"
        )
    if table.reader == "census_table":
        # A Census API array of arrays whose first row is the header: columns by header name (the
        # API appends predicates after the requested variables, so positions vary); absent -> null.
        fields = ", ".join(f'r[list_position(h, {quote(c)})] as "{c}"' for c in table.all_columns)
        return (
            f"select row_number() over () as _row_number, {fields} from ("
            "select t[1] as h, unnest(t[2:]) as r "
            f"from (select from_json(content, '[[\"VARCHAR\"]]') as t from read_text({src})))"
        )
    raise ValueError(f"unknown reader {table.reader}")
