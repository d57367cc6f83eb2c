"""`make sql`: the DuckDB CLI (the pinned duckdb-cli wheel) on the published snapshot, read-only.

Arguments after the module name go to the CLI, e.g. `-c "select ..."` or `-csv`. Reads never block a
run: the pipeline replaces the snapshot file atomically, and an open prompt keeps the file it opened
until it is restarted.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from orchestration.layout import layout_from_env

BANNER = """\
Read-only SQL on {path}
Marts: marts.trade_flows, marts.import_dependency, marts.dim_country, marts.dim_product, ... (`.tables marts.%`)
What was published: select * from publish.snapshot;   Quit: .quit
"""


def duckdb_cli() -> str:
    # The CLI installed beside this interpreter (duckdb-cli, same version as the duckdb library).
    beside = Path(sys.executable).parent / "duckdb"
    if beside.exists():
        return str(beside)
    found = shutil.which("duckdb")
    if found is None:
        raise SystemExit("the DuckDB CLI is not installed: run `make setup` (it installs duckdb-cli)")
    return found


def cli_command(published: Path, extra: list[str]) -> list[str]:
    return [duckdb_cli(), "-readonly", str(published), *extra]


def main(argv: list[str] | None = None) -> int:
    extra = list(sys.argv[1:] if argv is None else argv)
    published = layout_from_env().published_db
    if not published.exists():
        print(f"No published snapshot at {published}: run `make run` first.", file=sys.stderr)
        return 1
    if sys.stdin.isatty() and not extra:
        print(BANNER.format(path=published))
    command = cli_command(published, extra)
    os.execv(command[0], command)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
