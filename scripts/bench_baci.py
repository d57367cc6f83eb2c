"""`make bench`: the user's real path (`make run`'s Dagster job) with a generated BACI year added.

In a temporary folder: write a BACI-format archive of --rows rows (scripts/generate_baci.py) and time
DuckDB alone reading its CSV into a table (the floor). Then run `python -m orchestration.run_pipeline`,
the command `make run` runs, four times on one warehouse, over a data folder that is the real sample
(symlinked, never copied): from empty; again with nothing changed; then with the archive dropped under
baci/; then with the same release holding a second year file. The third run's cost is what the year
adds, the fourth's what a second year adds (only its partition is rebuilt). Each stage of those runs
(land, validate, dbt model by model, publish, Parquet, PostgreSQL copy when CHIPCHAIN_PG_URL is set)
is read from the run's own Dagster event log. Peak memory is the resident memory of the whole process
tree (the pipeline and dbt), sampled from /proc every 0.1 s.
"""

from __future__ import annotations

import argparse
import json
import os
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

from generate_baci import add_year, generate  # noqa: E402

from orchestration.duckdb_connection import connect  # noqa: E402
from orchestration.settings import get_settings  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")


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
    """Peak resident memory of this process's descendants (and of this process itself while a stage
    runs in it), summed at each sample."""

    def __init__(self, interval: float = 0.1):
        self.interval = interval
        # off while a stage runs as a child (`make run`): the bench's own memory (the generator's
        # buffers, about 0.3 GiB) is not the pipeline's
        self.include_self = True
        self.peak = 0
        self.stage_peak = 0
        self.stage_process_peak = 0  # the largest single process (a worker, dbt) in the stage
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            children = [_rss_bytes(p) for p in _descendants(me)]
            total = sum(children) + (_rss_bytes(me) if self.include_self else 0)
            self.peak = max(self.peak, total)
            self.stage_peak = max(self.stage_peak, total)
            self.stage_process_peak = max(self.stage_process_peak, max(children, default=0))
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
    peak_process_rss_bytes: int = 0
    note: str = ""

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@dataclass
class BenchResult:
    rows: int
    memory_limit: str
    archive_bytes: int = 0
    csv_bytes: int = 0
    stages: list[Stage] = field(default_factory=list)
    peak_rss_bytes: int = 0
    dbt_models: dict[str, float] = field(default_factory=dict)
    ok: bool = True


@contextmanager
def stage(
    result: BenchResult, sampler: MemorySampler, name: str, rows: int = 0, *, in_process: bool = True
) -> Iterator[Stage]:
    entry = Stage(name, rows)
    sampler.stage_peak = sampler.stage_process_peak = 0
    sampler.include_self = in_process
    started = time.perf_counter()
    try:
        yield entry
    finally:
        sampler.include_self = True
    entry.seconds += time.perf_counter() - started
    entry.peak_rss_bytes = max(entry.peak_rss_bytes, sampler.stage_peak)
    entry.peak_process_rss_bytes = max(entry.peak_process_rss_bytes, sampler.stage_process_peak)
    result.stages.append(entry)
    print(f"  {name}: {entry.rows:,} rows in {entry.seconds:.1f} s ({entry.rows_per_second:,.0f} rows/s), "
          f"peak {entry.peak_rss_bytes / 2**30:.2f} GiB", flush=True)  # fmt: skip


def data_farm(sample: Path, target: Path) -> Path:
    """A data dir that is the real sample, symlinked entry by entry (never copied); baci/ gets its own
    folder so the generated archive can be dropped in later."""
    target.mkdir(parents=True)
    for entry in sample.iterdir():
        if entry.name != "baci":
            (target / entry.name).symlink_to(entry)
    (target / "baci" / "HS17").mkdir(parents=True)
    (target / "baci" / "reference").symlink_to(sample / "baci" / "reference")
    return target


def run_pipeline(result: BenchResult, sampler: MemorySampler, name: str, env: dict, log: Path) -> Stage:
    """`make run`'s command as a child process; its wall time and the peak RSS of its process tree."""
    rows = result.rows if "archive" in name else 0
    with stage(result, sampler, name, rows, in_process=False) as entry, log.open("w") as out:
        done = subprocess.run([sys.executable, "-m", "orchestration.run_pipeline"], cwd=REPO, env=env,
                              stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    if done.returncode != 0:
        result.ok = False
        print(log.read_text()[-4000:])
        raise SystemExit(f"{name}: the pipeline failed (log: {log})")
    return entry


STEP_STAGES = {
    "warehouse_dbt": "dbt build (models and tests downstream of the change)",
    "published__warehouse": "publish: snapshot for DuckDB clients",
    "serving__parquet": "publish: Parquet export",
    "serving__postgres": "publish: PostgreSQL copy (timed on its own)",
    "report__html": "publish: HTML report",
    "docs__dbt": "publish: dbt docs",
    "docs__gx": "publish: GX Data Docs",
}


def run_stages(dagster_home: Path, since: float) -> tuple[list[Stage], dict[str, float]]:
    """Stage times of the runs started after `since`, from their Dagster event logs."""
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    from dagster import DagsterEventType, DagsterInstance

    instance = DagsterInstance.get()
    stages: list[Stage] = []
    models: dict[str, float] = {}
    for run in instance.get_runs(limit=10):
        records = instance.all_logs(run.run_id)
        if not records or records[0].timestamp < since:
            continue
        for record in records:
            event = record.dagster_event
            if event is None:
                continue
            if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
                materialization = event.event_specific_data.materialization
                meta = {k: v.value for k, v in materialization.metadata.items()}
                key = materialization.asset_key.to_user_string()
                if key == "raw/baci__trade_flows":
                    rows = int(meta.get("rows_promoted", 0))
                    stages.append(Stage("land: read into raw (typed, one scan)", rows, float(meta["land_seconds"])))
                    stages.append(Stage("validate: GX suite in DuckDB, commit", rows, float(meta["validate_seconds"])))
                elif "Execution Duration" in meta:
                    models[key] = float(meta["Execution Duration"])
            elif event.event_type == DagsterEventType.STEP_SUCCESS and event.step_key in STEP_STAGES:
                stages.append(Stage(STEP_STAGES[event.step_key], 0, event.event_specific_data.duration_ms / 1000))
    return stages, models


def baseline(result: BenchResult, sampler: MemorySampler, archive: Path, work: Path) -> float:
    """DuckDB alone: each year CSV (already extracted) read into a typed table."""
    import zipfile

    extracted = work / "baseline_csv"
    extracted.mkdir()
    with zipfile.ZipFile(archive) as zf:
        members = [n for n in zf.namelist() if n.startswith("BACI_")]
        for name in members:
            zf.extract(name, extracted)
    result.csv_bytes = sum((extracted / n).stat().st_size for n in members)
    con = connect(work / "baseline.duckdb")
    with stage(result, sampler, "floor: duckdb read_csv -> table", result.rows) as floor:
        for name in members:
            con.execute(f"create or replace table flows as select * from read_csv('{extracted / name}')")
        floor.note = "typed columns (DuckDB's sniffer), CSV already extracted"
    with stage(result, sampler, "duckdb alone: read_csv all_varchar", result.rows) as s:
        for name in members:
            con.execute(
                f"create or replace table flows as select * from read_csv('{extracted / name}', all_varchar=true)"
            )
        s.note = "text columns, as the raw layer keeps them"
    con.close()
    (work / "baseline.duckdb").unlink()
    shutil.rmtree(extracted)
    return floor.seconds


def summary(result: BenchResult, floor: float, runs: dict[str, Stage], stages: list[Stage],
            models: dict[str, float]) -> str:  # fmt: skip
    rows = result.rows

    def line(name: str, n: int, seconds: float) -> str:
        rate = f"{n / seconds:>12,.0f}" if n and seconds else f"{'':>12}"
        times = f"{seconds / floor:>7.1f}x" if floor else ""
        count = f"{n:>12,}" if n else f"{'':>12}"
        return f"{name:62} {count} {seconds:>9.1f} {rate} {times}"

    added = runs["with the archive"].seconds - runs["nothing changed"].seconds
    postgres = sum(s.seconds for s in stages if "PostgreSQL" in s.name)
    lines = [
        f"BACI bench: {rows:,} rows, archive {result.archive_bytes / 1e6:,.0f} MB zipped, "
        f"{result.csv_bytes / 1e6:,.0f} MB of CSV; DuckDB memory_limit {result.memory_limit} per connection",
        "",
        f"{'stage':62} {'rows':>12} {'seconds':>9} {'rows/s':>12} {'x floor':>8}",
        line("floor: DuckDB read_csv -> table, same CSV", rows, floor),
        line("make run: sample, empty warehouse", 0, runs["sample from empty"].seconds),
        line("make run: nothing changed", 0, runs["nothing changed"].seconds),
        line("make run: with the archive added", rows, runs["with the archive"].seconds),
        line("  added by the archive (with - nothing changed)", rows, added),
        line("  added, without the PostgreSQL copy", rows, added - postgres),
    ]
    lines += [line("  " + s.name, s.rows, s.seconds) for s in stages]
    slowest = sorted(models.items(), key=lambda kv: -kv[1])
    lines.append(f"  dbt models rebuilt: {len(models)}, {sum(models.values()):.1f} s in all (threads overlap)")
    lines += [line("    dbt " + k.split("/", 1)[1], 0, v) for k, v in slowest[:12]]
    lines += [
        "",
        "Peak RSS of the whole process tree (pipeline + dbt), sampled every 0.1 s:",
        *(f"  {name}: {s.peak_rss_bytes / 2**30:.2f} GiB" for name, s in runs.items()),
        "RESULT: " + ("ok" if result.ok else "FAILED"),
    ]
    return "\n".join(lines)


def second_year_summary(result: BenchResult, floor: float, runs: dict[str, Stage], stages: list[Stage],
                        models: dict[str, float]) -> str:  # fmt: skip
    """The fourth run: what a second year costs against the first (issue target: at most 1.3x)."""
    first = runs["with the archive"].seconds - runs["nothing changed"].seconds
    second = runs["second year"].seconds - runs["nothing changed"].seconds
    ratio = second / first if first else float("nan")
    lines = [
        f"Second year ({result.rows:,} more rows, same release; only that year file is new):",
        f"{'stage':62} {'rows':>12} {'seconds':>9} {'rows/s':>12} {'x floor':>8}",
        f"{'make run: with a second year added':62} {result.rows:>12,} {runs['second year'].seconds:>9.1f}",
        f"{'  added by the second year (with - nothing changed)':62} {result.rows:>12,} {second:>9.1f} "
        f"{result.rows / second if second else 0:>12,.0f} {second / floor if floor else 0:>7.1f}x",
        f"  second year / first year: {ratio:.2f}",
        *(f"  {s.name:60} {s.rows:>12,} {s.seconds:>9.1f}" for s in stages),
        f"  dbt models rebuilt: {len(models)}, {sum(models.values()):.1f} s in all (threads overlap)",
        *(f"    dbt {k.split('/', 1)[1]:56} {v:>22.1f}" for k, v in sorted(models.items(), key=lambda kv: -kv[1])[:12]),
        f"Peak RSS: {runs['second year'].peak_rss_bytes / 2**30:.2f} GiB",
    ]
    return "\n".join(lines)


def parse_workers(text: str) -> list[int]:
    """`1,2` -> [1, 2]: the lake runs' worker processes."""
    workers = [int(w) for w in text.split(",") if w.strip()]
    if any(w < 1 for w in workers):
        raise argparse.ArgumentTypeError(f"{text!r}: each count must be at least 1")
    return workers


def lake_label(workers: int) -> str:
    return f"ducklake, {workers} worker{'s' if workers > 1 else ''}"


def lake_run(result: BenchResult, sampler: MemorySampler, workers: int, archive: Path, work: Path,
             base_env: dict, sample_dir: Path) -> tuple[dict[str, Stage], list[Stage]]:  # fmt: skip
    """The same three runs (sample, nothing changed, with the archive) on a DuckLake of their own: a new
    metadata schema in the catalog of `make lake` and a new prefix of its bucket (dropped afterwards)."""
    import uuid

    label = lake_label(workers)
    name = f"bench_{uuid.uuid4().hex[:8]}"
    bucket = os.environ["DUCKLAKE_DATA_PATH"].removeprefix("s3://").split("/", 1)[0]
    home = work / f"dagster_home_{name}"
    home.mkdir()
    data_dir = data_farm(sample_dir, work / f"data_{name}")
    env = {**base_env, "WAREHOUSE_TARGET": "ducklake", "WAREHOUSE_WORKERS": str(workers),
           "DUCKLAKE_METADATA_SCHEMA": name, "DUCKLAKE_DATA_PATH": f"s3://{bucket}/{name}/",
           "SAMPLE_DATA_DIR": str(data_dir), "WAREHOUSE_DIR": str(work / f"warehouse_{name}"),
           "DAGSTER_HOME": str(home)}  # fmt: skip
    runs = {
        "sample from empty": run_pipeline(result, sampler, f"{label}: sample, empty lake", env, work / f"{name}_1.log"),
        "nothing changed": run_pipeline(result, sampler, f"{label}: nothing changed", env, work / f"{name}_2.log"),
    }
    (data_dir / "baci" / "HS17" / archive.name).symlink_to(archive.resolve())
    started = time.time()
    runs["with the archive"] = run_pipeline(result, sampler, f"{label}: with the archive", env, work / f"{name}_3.log")
    stages, _ = run_stages(home, started)
    import psycopg

    with psycopg.connect(os.environ["DUCKLAKE_CATALOG"], autocommit=True) as pg:
        pg.execute(f'drop schema if exists "{name}" cascade')
    return runs, stages


def targets_summary(floor: float, by_target: dict[str, tuple[dict[str, Stage], list[Stage]]]) -> str:
    """Each target's three runs side by side, against the same floor."""
    head = (f"{'target':26} {'sample':>8} {'no-op':>7} {'+archive':>9} {'added':>8} {'x floor':>8} "
            f"{'land':>7} {'validate':>9} {'dbt':>7} {'RSS tree':>9} {'RSS 1 proc':>11}")  # fmt: skip
    lines = [f"Targets side by side (same archive; floor {floor:.1f} s; seconds; peak RSS in GiB):", head]
    for label, (runs, stages) in by_target.items():
        added = runs["with the archive"].seconds - runs["nothing changed"].seconds

        def took(prefix: str, stages=stages) -> float:
            return sum(s.seconds for s in stages if s.name.startswith(prefix))

        lines.append(
            f"{label:26} {runs['sample from empty'].seconds:>8.1f} {runs['nothing changed'].seconds:>7.1f} "
            f"{runs['with the archive'].seconds:>9.1f} {added:>8.1f} {added / floor:>7.1f}x "
            f"{took('land'):>7.1f} {took('validate'):>9.1f} {took('dbt build'):>7.1f} "
            f"{max(r.peak_rss_bytes for r in runs.values()) / 2**30:>9.2f} "
            f"{max(r.peak_process_rss_bytes for r in runs.values()) / 2**30:>11.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--archive", type=Path, help="reuse this BACI-format archive instead of generating one")
    parser.add_argument("--work-dir", type=Path, help="keep everything here (default: a temporary directory)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--no-second-year", dest="second_year", action="store_false",
                        help="skip the fourth run (the same release with a second year file added)")  # fmt: skip
    parser.add_argument("--lake-workers", default=[], type=parse_workers,
                        help="after the embedded runs, the same three on the DuckLake target (needs `make lake`) "
                             "with each of these worker counts, e.g. 1,2")  # fmt: skip
    args = parser.parse_args(argv)

    work = args.work_dir or Path(tempfile.mkdtemp(prefix="baci-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    settings = get_settings()
    result = BenchResult(args.rows, settings.memory_limit)
    sampler = MemorySampler().start()
    print(f"Work dir: {work}")
    runs: dict[str, Stage] = {}
    try:
        archive = args.archive
        if archive is None:
            archive = work / "BACI_HS17_V202401.zip"
            with stage(result, sampler, "generate archive (not part of the path)", args.rows):
                generate(archive, args.rows, data_dir=settings.layout.sample_data_dir)
        result.archive_bytes = archive.stat().st_size
        data_dir = data_farm(settings.layout.sample_data_dir, work / "data")
        os.environ["WAREHOUSE_DIR"] = str(work / "floor")
        floor = baseline(result, sampler, archive, work)
        env = {**os.environ, "SAMPLE_DATA_DIR": str(data_dir), "WAREHOUSE_DIR": str(work / "warehouse"),
               "DAGSTER_HOME": str(work / "dagster_home"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}  # fmt: skip
        (work / "dagster_home").mkdir(exist_ok=True)
        runs["sample from empty"] = run_pipeline(result, sampler, "make run: sample, empty warehouse", env,
                                                 work / "run_1_sample.log")  # fmt: skip
        runs["nothing changed"] = run_pipeline(result, sampler, "make run: nothing changed", env,
                                               work / "run_2_noop.log")  # fmt: skip
        (data_dir / "baci" / "HS17" / archive.name).symlink_to(archive.resolve())
        started = time.time()
        runs["with the archive"] = run_pipeline(result, sampler, "make run: with the archive added", env,
                                                work / "run_3_archive.log")  # fmt: skip
        stages, models = run_stages(work / "dagster_home", started)
        if args.second_year:
            # The same release with a second year file: only that file is new, so only its partition
            # of trade_flows and of the marts that read it is rebuilt.
            second = work / "second_year" / archive.name
            with stage(result, sampler, "generate the second year (not part of the path)", args.rows):
                add_year(archive, second, args.rows, data_dir=settings.layout.sample_data_dir)
            link = data_dir / "baci" / "HS17" / archive.name
            link.unlink()
            link.symlink_to(second.resolve())
            started = time.time()
            runs["second year"] = run_pipeline(result, sampler, "make run: with a second year added", env,
                                               work / "run_4_second_year.log")  # fmt: skip
            second_stages, second_models = run_stages(work / "dagster_home", started)
        by_target = {"duckdb (embedded file)": (runs, stages)}
        for workers in args.lake_workers:
            by_target[lake_label(workers)] = lake_run(result, sampler, workers, archive, work, env,
                                                      settings.layout.sample_data_dir)  # fmt: skip
    finally:
        sampler.stop()
    result.peak_rss_bytes = sampler.peak
    result.stages.extend(stages)
    result.dbt_models = models
    text = summary(result, floor, runs, stages, models)
    if "second year" in runs:
        text += "\n\n" + second_year_summary(result, floor, runs, second_stages, second_models)
    if len(by_target) > 1:
        text += "\n\n" + targets_summary(floor, by_target)
    print("\n" + text)
    if args.json:
        args.json.write_text(json.dumps({**asdict(result), "summary": text}, indent=2, default=str))
    if args.work_dir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
