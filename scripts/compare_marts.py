"""Compare the marts of two published snapshots, table by table, in content (rows as multisets).

Usage: python scripts/compare_marts.py BEFORE.duckdb AFTER.duckdb
Prints one line per mart (rows before, rows after, rows only in one of them; every column but the
per-build load ids) and exits 1 on any difference: the check that a change of how the warehouse is
built left every figure as it was. Columns of the build date (as_of_date, regime_date) differ when the
two builds ran on different days. Doubles are compared to 12 significant digits: the last bits of a
sum depend on the order DuckDB's threads add its terms, which no build controls.
"""

from __future__ import annotations

import sys

import duckdb

# Identifiers of the load that brought a row (a timestamp and a random suffix): new in every build by
# design, so not part of a mart's content.
PER_BUILD_COLUMNS = ("load_id",)


def _comparable(column: str, kind: str) -> str:
    if kind == "DOUBLE":
        # 12 significant digits: round to the decimal place 12 digits below the value's magnitude
        return (
            f'case when "{column}" is null or "{column}" = 0 or isinf("{column}") or isnan("{column}") then "{column}" '
            f'else round("{column}", 11 - floor(log10(abs("{column}")))::integer) end as "{column}"'
        )
    return f'"{column}"'


def compare(before: str, after: str) -> list[tuple[str, int, int, int, int]]:
    con = duckdb.connect()
    con.execute(f"attach '{before}' as a (read_only)")
    con.execute(f"attach '{after}' as b (read_only)")
    tables = [r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = 'a' and schema_name = 'marts' order by 1"
    ).fetchall()]  # fmt: skip
    out = []
    for t in tables:
        described = con.execute(f'describe a.marts."{t}"').fetchall()
        cols = [(r[0], r[1]) for r in described if r[0] not in PER_BUILD_COLUMNS]
        select = ", ".join(_comparable(c, kind) for c, kind in cols)
        n_a = con.execute(f'select count(*) from a.marts."{t}"').fetchone()[0]
        n_b = con.execute(f'select count(*) from b.marts."{t}"').fetchone()[0]
        only_a = con.execute(
            f'select count(*) from (select {select} from a.marts."{t}" except all select {select} from b.marts."{t}")'
        ).fetchone()[0]
        only_b = con.execute(
            f'select count(*) from (select {select} from b.marts."{t}" except all select {select} from a.marts."{t}")'
        ).fetchone()[0]
        out.append((t, n_a, n_b, only_a, only_b))
    return out


def main(argv: list[str]) -> int:
    rows = compare(argv[0], argv[1])
    print(f"{'mart':32} {'rows before':>12} {'rows after':>12} {'only before':>12} {'only after':>12}")
    for t, n_a, n_b, only_a, only_b in rows:
        print(f"{t:32} {n_a:>12,} {n_b:>12,} {only_a:>12,} {only_b:>12,}")
    same = all(r[3] == 0 and r[4] == 0 and r[1] == r[2] for r in rows)
    print("IDENTICAL in content" if same else "DIFFERENT")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
