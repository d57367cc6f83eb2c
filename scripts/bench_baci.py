"""`make bench`: the CEPII BACI path end to end on a generated archive, with rows/s and peak memory.

In a temporary WAREHOUSE_DIR: write a BACI-format archive of --rows rows (scripts/generate_baci.py),
time DuckDB alone reading its CSV into a table (the baseline), then the warehouse's own path: land
each year file (streamed out of the zip, into a landing table), validate it with its GX suite, promote
it to raw, and `dbt build` the BACI models through marts.trade_flows and marts.import_dependency
(with every test on the way). The reference tables dbt needs (country codes, HS nomenclature...) are
landed from the real sample first, untimed. Peak memory is the resident memory of this process plus
its children (dbt), sampled from /proc every 0.1 s, per stage and overall.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

import duckdb  # noqa: E402
from generate_baci import generate  # noqa: E402

from orchestration.settings import get_settings  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")
DBT_SELECT = "+import_dependency +trade_flows +dim_country"


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return 0


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                # the command name may hold spaces or parentheses: the ppid follows the last ')'
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, []):
            found.append(child)
            todo.append(child)
    return found


class MemorySampler:
    """Peak resident memory of this process and all its descendants, summed at each sample."""

    def __init__(self, interval: float = 0.1):
        self.interval = interval
        self.peak = 0
        self.stage_peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            total = _rss_bytes(me) + sum(_rss_bytes(p) for p in _descendants(me))
            self.peak = max(self.peak, total)
            self.stage_peak = max(self.stage_peak, total)
            self._stop.wait(self.interval)

    def start(self) -> MemorySampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Stage:
    name: str
    rows: int = 0
    seconds: float = 0.0
    peak_rss_bytes: int = 0
    note: str = ""

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@dataclass
class BenchResult:
    rows: int
    memory_limit: str
    gx_chunk_rows: int
    archive_bytes: int = 0
    csv_bytes: int = 0
    stages: list[Stage] = field(default_factory=list)
    peak_rss_bytes: int = 0
    ru_maxrss_self_bytes: int = 0
    ru_maxrss_children_bytes: int = 0
    dbt_models: dict[str, float] = field(default_factory=dict)
    ok: bool = True


@contextmanager
def stage(result: BenchResult, sampler: MemorySampler, name: str, rows: int = 0) -> Iterator[Stage]:
    entry = Stage(name, rows)
    sampler.stage_peak = 0
    started = time.perf_counter()
    yield entry
    entry.seconds += time.perf_counter() - started
    entry.peak_rss_bytes = max(entry.peak_rss_bytes, sampler.stage_peak)
    result.stages.append(entry)
    print(f"  {name}: {entry.rows:,} rows in {entry.seconds:.1f} s ({entry.rows_per_second:,.0f} rows/s), "
          f"peak {entry.peak_rss_bytes / 2**30:.2f} GiB", flush=True)  # fmt: skip


def connect(path: Path, memory_limit: str, temp_dir: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute(f"set memory_limit = '{memory_limit}'")
    con.execute(f"set temp_directory = '{temp_dir}'")
    con.execute("set enable_progress_bar = false")
    return con


def data_farm(sample: Path, target: Path, archive: Path) -> Path:
    """A data dir that is the real sample (symlinked, never copied) plus the generated archive."""
    target.mkdir(parents=True)
    for entry in sample.iterdir():
        if entry.name != "baci":
            (target / entry.name).symlink_to(entry)
    (target / "baci" / "HS17").mkdir(parents=True)
    (target / "baci" / "reference").symlink_to(sample / "baci" / "reference")
    (target / "baci" / "HS17" / archive.name).symlink_to(archive.resolve())
    return target


def baseline(result: BenchResult, sampler: MemorySampler, archive: Path, work: Path, memory_limit: str) -> None:
    """DuckDB alone: each year CSV (already extracted) read into a typed table."""
    import zipfile

    extracted = work / "baseline_csv"
    extracted.mkdir()
    with zipfile.ZipFile(archive) as zf:
        members = [n for n in zf.namelist() if n.startswith("BACI_")]
        for name in members:
            zf.extract(name, extracted)
    result.csv_bytes = sum((extracted / n).stat().st_size for n in members)
    con = connect(work / "baseline.duckdb", memory_limit, work / "duckdb_tmp")
    with stage(result, sampler, "duckdb alone: read_csv -> table", result.rows) as s:
        for name in members:
            con.execute(f"create or replace table flows as select * from read_csv('{extracted / name}')")
        s.note = "typed columns (DuckDB's sniffer), CSV already extracted"
    with stage(result, sampler, "duckdb alone: read_csv all_varchar", result.rows) as s:
        for name in members:
            con.execute(
                f"create or replace table flows as select * from read_csv('{extracted / name}', all_varchar=true)"
            )
        s.note = "text columns, as the raw layer keeps them"
    con.close()
    (work / "baseline.duckdb").unlink()
    shutil.rmtree(extracted)


def land_reference(data_dir: Path, warehouse: Path, memory_limit: str, temp_dir: Path) -> None:
    from orchestration.ingest.ingest import ingest_table
    from orchestration.ingest.registry import RAW_TABLES

    con = connect(warehouse, memory_limit, temp_dir)
    try:
        for table in RAW_TABLES:
            if table.name == "baci__trade_flows":
                continue
            report = ingest_table(con, table, data_dir)
            if not report.ok:
                raise SystemExit(f"reference table {table.name} failed: {report.error_message}")
    finally:
        con.close()


def land_and_validate(
    result: BenchResult, sampler: MemorySampler, data_dir: Path, warehouse: Path, memory_limit: str, temp_dir: Path
) -> None:
    """The raw asset's own steps for baci__trade_flows, timed one by one (ingest.ingest_file's path)."""
    from data_quality.runner import load_suite_dict, record_results, validate_relation
    from orchestration.ingest import archives, landing
    from orchestration.ingest.registry import raw_table

    table = raw_table("baci__trade_flows")
    suite = load_suite_dict(table.suite_name)
    con = connect(warehouse, memory_limit, temp_dir)
    land = Stage("land: zip member -> landing table (streamed)")
    validate = Stage("validate: GX suite in hash chunks")
    promote = Stage("promote: landing -> raw")
    try:
        landing.ensure_meta(con)
        landing.ensure_raw_table(con, table)
        for archive in landing.discover_files(table, data_dir):
            rel = archive.relative_to(data_dir).as_posix()
            for member in archives.member_names(table, archive):
                sampler.stage_peak = 0
                started = time.perf_counter()
                with archives.extracted_member(archive, member, rel, workdir=temp_dir) as extracted:
                    load = landing.land_file(con, table, extracted.path, extracted.rel_path, extracted.sha256)
                land.seconds += time.perf_counter() - started
                land.rows += load.row_count
                land.peak_rss_bytes = max(land.peak_rss_bytes, sampler.stage_peak)

                sampler.stage_peak = 0
                started = time.perf_counter()
                outcome = validate_relation(con, load.landing_table, suite, table.grain)
                record_results(con, load_id=load.load_id, raw_table=table.name, file_path=load.file_path,
                               outcome=outcome)  # fmt: skip
                validate.seconds += time.perf_counter() - started
                validate.rows += outcome.row_count
                validate.peak_rss_bytes = max(validate.peak_rss_bytes, sampler.stage_peak)
                if not outcome.success:
                    result.ok = False
                    raise SystemExit(f"{member} rejected: {[o.describe() for o in outcome.failures]}")

                sampler.stage_peak = 0
                started = time.perf_counter()
                landing.promote(con, load)
                promote.seconds += time.perf_counter() - started
                promote.rows += load.row_count
                promote.peak_rss_bytes = max(promote.peak_rss_bytes, sampler.stage_peak)
                print(f"  {member}: {load.row_count:,} rows landed, validated ({outcome.chunks} chunks), promoted",
                      flush=True)  # fmt: skip
    finally:
        con.close()
        release_memory()
    for entry in (land, validate, promote):
        result.stages.append(entry)
        print(f"  {entry.name}: {entry.rows:,} rows in {entry.seconds:.1f} s "
              f"({entry.rows_per_second:,.0f} rows/s), peak {entry.peak_rss_bytes / 2**30:.2f} GiB")  # fmt: skip


def release_memory() -> None:
    """Hand freed heap back to the OS before dbt starts, as a fresh Dagster step process would have."""
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    print(f"  this process after the raw stages: {_rss_bytes(os.getpid()) / 2**30:.2f} GiB resident", flush=True)


def write_profile(profiles_dir: Path, warehouse: Path, memory_limit: str, threads: int) -> None:
    """The project's profile with the bench's DuckDB memory limit (spilling to <warehouse>.tmp beside it).

    No temp_directory setting: dbt-duckdb applies settings on every new cursor, and DuckDB refuses
    to switch the spill directory once it has been used.
    """
    profiles_dir.mkdir(parents=True, exist_ok=True)
    (profiles_dir / "profiles.yml").write_text(
        "chipchain:\n"
        "  target: bench\n"
        "  outputs:\n"
        "    bench:\n"
        "      type: duckdb\n"
        f"      path: '{warehouse}'\n"
        "      schema: main\n"
        f"      threads: {threads}\n"
        "      settings:\n"
        f"        memory_limit: '{memory_limit}'\n"
        "        preserve_insertion_order: false\n"
    )


def dbt_build(result: BenchResult, sampler: MemorySampler, work: Path, warehouse: Path, rows: int,
              memory_limit: str, threads: int) -> None:  # fmt: skip
    profiles = work / "dbt_profiles"
    target = work / "dbt_target"
    write_profile(profiles, warehouse, memory_limit, threads)
    dbt = Path(sys.executable).parent / "dbt"
    env = {**os.environ, "WAREHOUSE_PATH": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    # buildable: a test runs when every model it reads is built here (not the exposure marts' tests)
    command = [str(dbt), "build", "--select", *DBT_SELECT.split(), "--indirect-selection", "buildable",
               "--profiles-dir", str(profiles),
               "--target-path", str(target), "--log-path", str(work / "dbt_logs"), "--quiet"]  # fmt: skip
    with stage(result, sampler, "dbt build: staging -> trade_flows -> import_dependency", rows) as s:
        done = subprocess.run(command, cwd=REPO / "dbt_project", env=env, capture_output=True, text=True)
        s.note = " ".join(command[1:4])
    if done.returncode != 0:
        result.ok = False
        print(done.stdout[-4000:], done.stderr[-2000:], sep="\n")
    run_results = target / "run_results.json"
    if run_results.exists():
        for node in json.loads(run_results.read_text())["results"]:
            uid = node["unique_id"]
            if "baci" in uid or uid.endswith((".trade_flows", ".import_dependency")):
                result.dbt_models[uid] = round(node["execution_time"], 2)


def summary(result: BenchResult) -> str:
    lines = [
        f"BACI bench: {result.rows:,} rows, archive {result.archive_bytes / 1e6:,.0f} MB zipped, "
        f"{result.csv_bytes / 1e6:,.0f} MB of CSV; DuckDB memory_limit {result.memory_limit}, "
        f"GX chunks of {result.gx_chunk_rows:,} rows",
        "",
        f"{'stage':58} {'rows':>12} {'seconds':>9} {'rows/s':>12} {'peak GiB':>9}",
    ]
    for s in result.stages:
        lines.append(
            f"{s.name:58} {s.rows:>12,} {s.seconds:>9.1f} {s.rows_per_second:>12,.0f} {s.peak_rss_bytes / 2**30:>9.2f}"
        )
    pipeline = [s for s in result.stages if s.name.split(":")[0] in ("land", "validate", "promote", "dbt build")]
    total = sum(s.seconds for s in pipeline)
    lines.append(f"{'warehouse path, land to marts':58} {result.rows:>12,} {total:>9.1f} "
                 f"{result.rows / total if total else 0:>12,.0f}")  # fmt: skip
    lines += [
        "",
        f"Peak memory (this process + children, sampled): {result.peak_rss_bytes / 2**30:.2f} GiB",
        f"ru_maxrss: this process {result.ru_maxrss_self_bytes / 2**30:.2f} GiB, "
        f"largest child (dbt) {result.ru_maxrss_children_bytes / 2**30:.2f} GiB",
    ]
    if result.dbt_models:
        lines.append("dbt nodes (s): " + ", ".join(f"{k.split('.')[-1]} {v}" for k, v in result.dbt_models.items()
                                                 if not k.startswith("test.")))  # fmt: skip
    lines.append("RESULT: " + ("ok" if result.ok else "FAILED"))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--memory-limit", default=os.environ.get("BENCH_MEMORY_LIMIT", "2GB"),
                        help="DuckDB memory_limit for every stage (default 2GB)")  # fmt: skip
    parser.add_argument("--dbt-threads", type=int, default=2)
    parser.add_argument("--archive", type=Path, help="reuse this BACI-format archive instead of generating one")
    parser.add_argument("--work-dir", type=Path, help="keep everything here (default: a temporary directory)")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)

    from data_quality.runner import DEFAULT_CHUNK_ROWS

    work = args.work_dir or Path(tempfile.mkdtemp(prefix="baci-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    temp_dir = work / "duckdb_tmp"
    temp_dir.mkdir(exist_ok=True)
    warehouse_dir = work / "warehouse"
    warehouse_dir.mkdir(exist_ok=True)
    warehouse = warehouse_dir / "warehouse.duckdb"
    os.environ["WAREHOUSE_DIR"] = str(warehouse_dir)
    result = BenchResult(args.rows, args.memory_limit, DEFAULT_CHUNK_ROWS)
    sampler = MemorySampler().start()
    print(f"Work dir: {work}")
    try:
        archive = args.archive
        if archive is None:
            archive = work / "BACI_HS17_V202401.zip"
            with stage(result, sampler, "generate archive (not part of the path)", args.rows):
                generate(archive, args.rows, data_dir=get_settings().sample_data_dir)
        result.archive_bytes = archive.stat().st_size
        data_dir = data_farm(get_settings().sample_data_dir, work / "data", archive)
        if not args.skip_baseline:
            baseline(result, sampler, archive, work, args.memory_limit)
        started = time.perf_counter()
        land_reference(data_dir, warehouse, args.memory_limit, temp_dir)
        print(f"  reference tables from the sample landed in {time.perf_counter() - started:.0f} s (untimed)")
        land_and_validate(result, sampler, data_dir, warehouse, args.memory_limit, temp_dir)
        dbt_build(result, sampler, work, warehouse, args.rows, args.memory_limit, args.dbt_threads)
    finally:
        sampler.stop()
    result.peak_rss_bytes = sampler.peak
    result.ru_maxrss_self_bytes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    result.ru_maxrss_children_bytes = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    text = summary(result)
    print("\n" + text)
    if args.json:
        args.json.write_text(json.dumps({**asdict(result), "summary": text}, indent=2))
    if args.work_dir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
