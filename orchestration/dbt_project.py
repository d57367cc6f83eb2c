"""The dbt project as Dagster sees it: one cached DbtProject and the CLI resource to run it."""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from orchestration.layout import DBT_PROJECT_DIR
from orchestration.settings import get_settings


def dbt_executable() -> str:
    # The dbt installed beside this interpreter (the project's virtualenv), whatever PATH says.
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


@cache
def get_dbt_project() -> DbtProject:
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    # `dagster dev` re-parses on load (`make` runs `dbt parse` before anything imports the manifest):
    # the profile it renders needs the layout's variables. Only there: a run sets them from its resource.
    if project.preparer and project.preparer.using_dagster_dev():
        for name, value in get_settings().dbt_env().items():
            os.environ.setdefault(name, value)
    project.prepare_if_dev()
    return project


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=get_dbt_project(), dbt_executable=dbt_executable())
