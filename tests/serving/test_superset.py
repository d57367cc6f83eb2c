"""Apache Superset, as `make bi` provisions it, on the PostgreSQL copy the test session served.

`bi/superset.sh up` installs Superset in its own virtualenv (first run only), initialises a fresh
metadata home, imports the dashboard from bi/superset/assets and starts the server. The tests then
ask Superset's API for each chart's data, render the dashboard in headless Chromium, and try to
write through SQL Lab.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TEST_PG_SCHEMA
from tests.serving.test_report import _chromium

REPO = Path(__file__).resolve().parents[2]
PORT = int(os.environ.get("CHIPCHAIN_TEST_BI_PORT", "8089"))  # 8088 stays free for `make bi`
CHARTS = 6


class Superset:
    def __init__(self, base: str):
        import requests

        self.base = base
        self.http = requests.Session()
        token = self.http.post(
            f"{base}/api/v1/security/login", json={"username": "admin", "password": "admin", "provider": "db"}
        ).json()["access_token"]
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.http.headers["X-CSRFToken"] = self.get("/api/v1/security/csrf_token/")["result"]
        self.http.headers["Referer"] = base

    def get(self, path: str) -> dict:
        response = self.http.get(self.base + path)
        assert response.status_code == 200, (path, response.text[:500])
        return response.json()

    def post(self, path: str, body: dict):
        return self.http.post(self.base + path, json=body)


@pytest.fixture(scope="module")
def superset(built_warehouse, postgres, tmp_path_factory) -> Iterator[Superset]:
    home = tmp_path_factory.mktemp("superset_home")
    env = {
        **os.environ,
        "SUPERSET_HOME": str(home),
        "CHIPCHAIN_BI_PORT": str(PORT),
        "CHIPCHAIN_PG_SCHEMA": TEST_PG_SCHEMA,
        "CHIPCHAIN_PG_READER_URL": postgres.reader_url,
    }
    script = str(REPO / "bi/superset.sh")
    done = subprocess.run(["bash", script, "up"], env=env, capture_output=True, text=True, timeout=1500)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    try:
        yield Superset(f"http://127.0.0.1:{PORT}")
    finally:
        subprocess.run(["bash", str(REPO / "bi/superset.sh"), "stop"], env=env, timeout=60)


def _query(params: dict) -> dict:
    """The query Superset's explore view sends for a chart's form data (x axis, series, metrics, filters)."""
    filters = [
        {"col": f["subject"], "op": f["operator"], "val": f["comparator"]} for f in params.get("adhoc_filters", [])
    ]
    return {
        "columns": [params["x_axis"], *params.get("groupby", [])],
        "metrics": params["metrics"],
        "filters": filters,
        "row_limit": params.get("row_limit", 1000),
        "orderby": [],
    }


def test_dashboard_is_provisioned_and_every_chart_has_data(superset):
    charts = superset.get("/api/v1/dashboard/chipchain/charts")["result"]
    assert len(charts) == CHARTS
    for chart in charts:
        detail = superset.get(f"/api/v1/chart/{chart['id']}")["result"]
        params = json.loads(detail["params"])
        datasource = int(params["datasource"].split("__")[0])
        response = superset.post(
            "/api/v1/chart/data",
            {"datasource": {"id": datasource, "type": "table"}, "queries": [_query(params)], "result_format": "json",
             "result_type": "full"},
        )  # fmt: skip
        assert response.status_code == 200, (chart["slice_name"], response.text[:800])
        (result,) = response.json()["result"]
        assert result["rowcount"] > 0, chart["slice_name"]
        dataset = superset.get(f"/api/v1/dataset/{datasource}")["result"]
        assert dataset["database"]["database_name"] == "chipchain marts (read-only)"
        assert dataset["schema"] == TEST_PG_SCHEMA


def test_dashboard_renders_every_chart_in_headless_chromium(superset, chromium, tmp_path):
    url = f"{superset.base}/superset/dashboard/chipchain/?standalone=1"
    done = _chromium(chromium, tmp_path, "--window-size=1400,2200", "--dump-dom", url)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    drawn = set(re.findall(r'id="chart-id-(\d+)" class="echarts_[a-z_]+"><div></div><div[^>]*_echarts_instance_', dom))
    assert len(drawn) == CHARTS, f"charts drawn: {sorted(drawn)}"
    for error in ('data-test="error-message"', "Unexpected error", 'class="ant-alert-error'):
        assert error not in dom, error
    screenshot = tmp_path / "superset-dashboard.png"
    shot = _chromium(chromium, tmp_path, "--window-size=1400,2000", f"--screenshot={screenshot}", url)
    assert shot.returncode == 0 and screenshot.stat().st_size > 50_000
    if target := os.environ.get("CHIPCHAIN_BI_SCREENSHOT"):
        shutil.copyfile(screenshot, target)


def test_sql_lab_cannot_write_through_the_read_only_role(superset, postgres):
    import psycopg

    (chart, *_) = superset.get("/api/v1/dashboard/chipchain/charts")["result"]
    params = json.loads(superset.get(f"/api/v1/chart/{chart['id']}")["result"]["params"])
    dataset = superset.get(f"/api/v1/dataset/{int(params['datasource'].split('__')[0])}")["result"]
    database = dataset["database"]
    table = f"{TEST_PG_SCHEMA}.written_by_superset_{uuid.uuid4().hex[:6]}"

    def run(sql: str) -> str:
        response = superset.post(
            "/api/v1/sqllab/execute/",
            {"database_id": database["id"], "sql": sql, "runAsync": False, "schema": TEST_PG_SCHEMA,
             "client_id": uuid.uuid4().hex[:10], "tab": "test"},
        )  # fmt: skip
        return response.text

    # Superset refuses DML on this database ...
    assert "DML_NOT_ALLOWED_ERROR" in run(f"create table {table} (i int)")
    # ... and with DML allowed in Superset, PostgreSQL still refuses the read-only role
    assert superset.http.put(f"{superset.base}/api/v1/database/{database['id']}", json={"allow_dml": True}).ok
    said = run(f"create table {table} (i int)")
    assert "cannot execute CREATE TABLE in a read-only transaction" in said, said[:800]
    said = run(f"delete from {TEST_PG_SCHEMA}.trade_flows")
    assert "cannot execute DELETE in a read-only transaction" in said, said[:800]
    assert '"status": "success"' in run(f"select count(*) from {TEST_PG_SCHEMA}.trade_flows")  # reading works
    with psycopg.connect(postgres.url) as pg:
        assert pg.execute("select to_regclass(%s)", [table]).fetchone()[0] is None
        assert pg.execute(f"select count(*) > 0 from {TEST_PG_SCHEMA}.trade_flows").fetchone()[0]
