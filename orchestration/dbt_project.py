"""The dbt project as Dagster sees it: one cached DbtProject and the CLI resource to run it."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from orchestration.settings import REPO_ROOT

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"


def dbt_executable() -> str:
    # The dbt installed beside this interpreter (the project's virtualenv), whatever PATH says.
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


@cache
def get_dbt_project() -> DbtProject:
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    # `dagster dev` re-parses on load; `make` runs `dbt parse` before anything imports the manifest.
    project.prepare_if_dev()
    return project


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=get_dbt_project(), dbt_executable=dbt_executable())
