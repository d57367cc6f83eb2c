"""The HTML report drawn by the pipeline: its charts render in headless Chromium, its docs links resolve."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from tests.serving.conftest import open_snapshot

# Flags for a machine without network or display (see the README's testing notes).
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--hide-scrollbars",
]  # fmt: skip


def _chromium(chromium: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    return subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=30000", *args],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip


def _report(built_warehouse) -> Path:
    return built_warehouse.layout.report_html


def test_the_report_is_one_offline_file_linking_the_docs(built_warehouse):
    report = _report(built_warehouse)
    page = report.read_text()
    assert "<script src=" not in page, "plotly.js is inlined: the report opens offline"
    figures = re.findall(r'id="figure-(\d+)"', page)
    assert len(set(figures)) >= 5
    for section in ("concentration", "suppliers", "production", "tariffs"):
        assert f'<section id="{section}">' in page
    links = re.findall(r'href="(\.\./[^"]+)"', page)
    assert {"../docs/dbt/index.html", "../docs/gx/index.html", "../parquet/_manifest.json"} <= set(links)
    for link in links:
        assert (report.parent / link).resolve().exists(), link


def test_dbt_docs_and_gx_data_docs_are_built(built_warehouse):
    docs = built_warehouse.layout.dbt_docs_dir.parent
    dbt_page = (docs / "dbt" / "index.html").read_text()
    assert "import_dependency" in dbt_page and "Herfindahl" in dbt_page  # manifest and docs inlined
    with open_snapshot(built_warehouse.published_path) as con:
        validated = con.execute(
            "select count(*) from (select distinct load_id, suite_name from audit.validation_results)"
        ).fetchone()[0]
        suites = con.execute("select count(distinct suite_name) from audit.validation_results").fetchone()[0]
    gx = docs / "gx"
    assert (gx / "index.html").exists()
    assert len(list((gx / "validations").rglob("*.html"))) == validated > 0
    assert len(list((gx / "expectations").rglob("*.html"))) >= suites


def test_the_report_charts_draw_in_headless_chromium(built_warehouse, chromium, tmp_path):
    report = _report(built_warehouse)
    figures = len(set(re.findall(r'id="figure-(\d+)"', report.read_text())))
    done = _chromium(chromium, tmp_path, "--dump-dom", report.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    for i in range(figures):
        # plotly marks a div it has plotted, and draws each into SVG layers with traces
        div = re.search(rf'<div id="figure-{i}" class="([^"]*)"', dom)
        assert div and "js-plotly-plot" in div.group(1), f"figure-{i} was not plotted"
    assert dom.count('class="main-svg"') >= 2 * figures
    assert len(re.findall(r'<g class="trace', dom)) >= figures
    assert len(re.findall(r'class="point"', dom)) > 50  # bars and markers, not empty axes

    screenshot = tmp_path / "report.png"
    shot = _chromium(chromium, tmp_path, "--window-size=1300,5200", f"--screenshot={screenshot}", report.as_uri())
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.stat().st_size > 100_000  # a rendered page, not a blank one
    if target := os.environ.get("CHIPCHAIN_REPORT_SCREENSHOT"):
        shutil.copyfile(screenshot, target)


def test_the_report_takes_up_marts_as_they_are_published(built_warehouse):
    page = _report(built_warehouse).read_text()
    with open_snapshot(built_warehouse.published_path) as con:
        present = {
            r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()
        }
    for mart in ("supply_chain_exposure", "production_concentration", "tariff_exposure"):
        waiting = f"Waiting for <code>marts.{mart}</code>" in page
        assert waiting == (mart not in present), mart
    assert "marts.import_dependency" in page and "marts.trade_flows" in page


def _figures(page: str) -> list[tuple[str, int, str]]:
    """(section, points drawn, caption) of each figure, in page order."""
    return [
        (m.group(1), int(m.group(2)), m.group(3))
        for m in re.finditer(
            r'<div class="figure" data-section="([^"]+)" data-points="(\d+)">.*?<p class="caption">(.*?)</p></div>',
            page,
            re.S,
        )
    ]


def test_every_chart_says_what_it_shows_and_draws_every_point_of_its_mart(built_warehouse):
    page = _report(built_warehouse).read_text()
    figures = _figures(page)
    assert len(figures) == len(set(re.findall(r'id="figure-(\d+)"', page)))
    for section, points, caption in figures:
        assert points > 0, section
        assert re.search(r"from (marts|intermediate)\.\w+", caption, re.I), caption  # names its mart

    by_section: dict[str, list[int]] = {}
    for section, points, _ in figures:
        by_section.setdefault(section, []).append(points)
    with open_snapshot(built_warehouse.published_path) as con:
        # HHI of US imports by stage: every stage-year with an HHI or, where partners are missing, its bound
        hhi_points = con.execute(
            """
            select count(*) from (
                select hhi, hhi_lower_bound from marts.supply_chain_exposure where importer_iso3 = 'USA'
                qualify row_number() over (partition by chain, stage, year order by case source
                    when 'comtrade' then 0 when 'comtrade_legacy' then 1 when 'census' then 2 else 3 end) = 1
            ) where coalesce(hhi, hhi_lower_bound) is not null
            """
        ).fetchone()[0]
        bounds_only = con.execute(
            "select count(*) from marts.supply_chain_exposure where importer_iso3 = 'USA' and hhi is null "
            "and hhi_lower_bound is not null"
        ).fetchone()[0]
        # both sides: one bar per regime and side
        regimes = con.execute("select count(distinct regime) from marts.tariff_duties_both_sides").fetchone()[0]
        china_lines = con.execute(
            "select count(*) from marts.tariff_exposure where partner_iso3 = 'CHN' and counted_in_totals"
        ).fetchone()[0]
    assert by_section["concentration"][1] == hhi_points and bounds_only > 0
    assert "HHI lower bound" in page  # the bound is drawn, and marked as a bound
    assert by_section["tariffs"][0] == 2 * regimes
    # China is on the US rate chart: its HS lines are among the points drawn
    assert by_section["tariffs"][2] >= china_lines
    tariffs = page[page.index('<section id="tariffs">') :]
    assert "China on goods of the US" in tariffs and '"CHN"' in tariffs


def test_data_docs_render_styled_with_no_network(built_warehouse, chromium, tmp_path):
    """GX Data Docs and dbt docs open with every stylesheet and script local: in Chromium with all host
    names unresolvable, bootstrap-table's script turns GX's tables into its widgets and dbt's app draws."""
    from orchestration.report.docs_assets import ASSETS, SITE_VENDOR, cdn_links

    docs = built_warehouse.layout.dbt_docs_dir.parent
    gx = docs / "gx"
    assert cdn_links(gx) == set()
    for asset in ASSETS:
        assert (gx / SITE_VENDOR / asset.local).stat().st_size > 0, asset.url
    index = (gx / "index.html").read_text()
    for link in re.findall(r'(?:src|href)="([^"#]+\.(?:css|js))"', index):
        assert (gx / link).resolve().exists(), link
    offline = ["--host-resolver-rules=MAP * ~NOTFOUND", "--dump-dom"]
    dom = _chromium(chromium, tmp_path, *offline, (gx / "index.html").as_uri()).stdout
    assert 'class="bootstrap-table bootstrap4"' in dom  # the local bootstrap-table ran
    dbt = _chromium(chromium, tmp_path, *offline, (docs / "dbt" / "index.html").as_uri()).stdout
    assert 'class="app-title"' in dbt and "import_dependency" in dbt
