"""Where every part of the warehouse lives: the one layout of paths.

Two roots, both from the environment: SAMPLE_DATA_DIR (the offline sample, read in place) and
WAREHOUSE_DIR (everything the pipeline writes). Assets, resources, scripts, the Makefile and the dbt
profile all take their paths from here: the profile reads the variables `dbt_env()` sets (with the
memory limit, `Settings.dbt_env()`), and the Makefile asks `python -m orchestration.layout`. Stdlib
only, so the Makefile can run it before the virtualenv exists.

    WAREHOUSE_DIR/
      warehouse.duckdb          working database (the pipeline's one writer)
      .spill/                   DuckDB's spill directory (every connection, dbt's included)
      state/manifest.json       what the last successful build saw (the build plan's memory)
      landing/                  live downloads (LANDING_DIR moves it)
      gx_data_docs/             GX's working Data Docs site
      gx_suites/                the GX suites as built, written out by `make suites` for review
      published/                what readers see, replaced only after a fully successful run
        warehouse.duckdb        read-only snapshot (`make sql`, BI tools, the report)
        parquet/                every mart as Parquet (a link to the current export)
        report/index.html       the HTML report
        docs/dbt/, docs/gx/     dbt docs and GX Data Docs

The target (WAREHOUSE_TARGET): `duckdb`, the working database above (the default), or `ducklake`:
the same schemas in a DuckLake whose catalog is a PostgreSQL database (DUCKLAKE_CATALOG, a libpq
string; DUCKLAKE_METADATA_SCHEMA, default public, its schema there) and whose data files are Parquet
under DUCKLAKE_DATA_PATH (an S3 prefix); the files of the
warehouse directory (spill, state, landing, published) stay where they are on either target.
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


@dataclass(frozen=True)
class Layout:
    warehouse_dir: Path
    sample_data_dir: Path
    # LANDING_DIR: a landing area outside the warehouse directory (a shared disk, a bigger volume)
    landing_override: Path | None = None
    target: str = "duckdb"  # WAREHOUSE_TARGET: duckdb | ducklake
    lake_catalog: str = ""  # DUCKLAKE_CATALOG: the catalog's PostgreSQL connection (libpq key=value)
    lake_data_path: str = ""  # DUCKLAKE_DATA_PATH: where the lake's Parquet files go (s3://bucket/prefix/)
    # DUCKLAKE_METADATA_SCHEMA: the catalog's schema in that database (several lakes may share one)
    lake_metadata_schema: str = "public"

    @property
    def on_lake(self) -> bool:
        return self.target == "ducklake"

    @property
    def lake_attach(self) -> str:
        """What `ATTACH` takes for the lake: `ducklake:postgres:<libpq string>`."""
        return f"ducklake:postgres:{self.lake_catalog}"

    @property
    def working_db(self) -> Path:
        """The working read-write database: only the pipeline opens it."""
        return self.warehouse_dir / "warehouse.duckdb"

    @property
    def spill_dir(self) -> Path:
        """Where DuckDB spills beyond its memory limit (every connection, dbt's included)."""
        return self.warehouse_dir / ".spill"

    @property
    def state_dir(self) -> Path:
        return self.warehouse_dir / "state"

    @property
    def build_manifest(self) -> Path:
        """The build plan's record of what the last successful build saw."""
        return self.state_dir / "manifest.json"

    @property
    def build_columns(self) -> Path:
        """The digest of every relation's columns the last successful build left (build_plan.py)."""
        return self.state_dir / "columns.sha256"

    @property
    def landing_dir(self) -> Path:
        """The live connectors' landing area: `<source>/<dataset>/<period>/<payload>`."""
        return self.landing_override or self.warehouse_dir / "landing"

    @property
    def gx_site_dir(self) -> Path:
        """GX's working Data Docs site, kept between runs so each run renders only new validations."""
        return self.warehouse_dir / "gx_data_docs"

    @property
    def suites_dir(self) -> Path:
        """The GX suites as built from the registry and data_quality/rules, written out for review."""
        return self.warehouse_dir / "gx_suites"

    @property
    def published_dir(self) -> Path:
        return self.warehouse_dir / "published"

    @property
    def published_db(self) -> Path:
        """The read-only snapshot that SQL users, BI tools and the report open."""
        return self.published_dir / "warehouse.duckdb"

    @property
    def parquet_dir(self) -> Path:
        return self.published_dir / "parquet"

    @property
    def report_html(self) -> Path:
        return self.published_dir / "report" / "index.html"

    @property
    def dbt_docs_dir(self) -> Path:
        return self.published_dir / "docs" / "dbt"

    @property
    def gx_docs_dir(self) -> Path:
        return self.published_dir / "docs" / "gx"

    def dbt_env(self, database: Path | None = None) -> dict[str, str]:
        """The variables dbt's profile reads (dbt_project/profiles.yml): which database, where to spill."""
        env = {
            "CHIPCHAIN_DBT_DATABASE": str(database or self.working_db),
            "CHIPCHAIN_DBT_SPILL_DIR": str(self.spill_dir),
            # the profile's output: `dev` (the working file) or `lake` (the DuckLake, attached)
            "CHIPCHAIN_DBT_TARGET": "lake" if self.on_lake and database is None else "dev",
        }
        if self.on_lake:
            env |= {
                "CHIPCHAIN_DBT_LAKE_ATTACH": self.lake_attach,
                "CHIPCHAIN_DBT_LAKE_DATA_PATH": self.lake_data_path,
                "CHIPCHAIN_DBT_LAKE_METADATA_SCHEMA": self.lake_metadata_schema,
            }
        return env


def layout_from_env(warehouse_dir: str | Path | None = None, sample_data_dir: str | Path | None = None) -> Layout:
    """The layout from the environment; explicit roots (a Dagster resource's config) win over it."""
    sample = sample_data_dir or os.environ.get("SAMPLE_DATA_DIR") or REPO_ROOT.parent / "shared" / "data"
    warehouse = warehouse_dir or os.environ.get("WAREHOUSE_DIR") or REPO_ROOT / "warehouse"
    landing = os.environ.get("LANDING_DIR")
    target = os.environ.get("WAREHOUSE_TARGET") or "duckdb"
    if target not in ("duckdb", "ducklake"):
        raise ValueError(f"WAREHOUSE_TARGET={target!r}: use duckdb (the embedded file) or ducklake")
    # (a lake without its catalog or data path is refused when it is opened: the paths need neither)
    catalog, data_path = os.environ.get("DUCKLAKE_CATALOG", ""), os.environ.get("DUCKLAKE_DATA_PATH", "")
    return Layout(
        warehouse_dir=Path(warehouse).resolve(),
        sample_data_dir=Path(sample).resolve(),
        landing_override=Path(landing).resolve() if landing else None,
        target=target,
        lake_catalog=catalog,
        lake_data_path=data_path.rstrip("/") + "/" if data_path else "",
        lake_metadata_schema=os.environ.get("DUCKLAKE_METADATA_SCHEMA") or "public",
    )


def main(argv: list[str]) -> int:
    """`python -m orchestration.layout env`: the dbt profile's variables as `export K=V` lines (for a
    shell or the Makefile); `python -m orchestration.layout NAME...`: those paths, one a line."""
    layout = layout_from_env()
    # the parts of the tree: the properties that are paths (not the target's on_lake, lake_attach)
    names = sorted(
        n for n, v in vars(Layout).items() if isinstance(v, property) and isinstance(getattr(layout, n), Path)
    )
    if argv == ["env"]:
        from orchestration.settings import get_settings  # (settings reads the layout: imported here)

        print("\n".join(f"export {k}={shlex.quote(v)}" for k, v in get_settings(layout).dbt_env().items()))
        return 0
    if argv and set(argv) <= set(names):
        print("\n".join(str(getattr(layout, name)) for name in argv))
        return 0
    print(f"usage: python -m orchestration.layout env | NAME... ({', '.join(names)})", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
