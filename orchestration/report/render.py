"""Assemble the report: one self-contained HTML file (plotly.js inlined once, so it opens offline)."""

from __future__ import annotations

import html
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import plotly.io as pio

from orchestration.report.sections import Section, build_sections
from orchestration.report.snapshot import Snapshot

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1280px;
       padding: 0 24px 48px; color: #222; }
header { border-bottom: 1px solid #ddd; margin-bottom: 8px; }
h1 { margin: 24px 0 4px; } h2 { margin-top: 36px; border-top: 1px solid #eee; padding-top: 18px; }
.meta, .note { color: #555; font-size: 0.92em; }
.waiting { background: #fff6e0; border-left: 4px solid #e0a800; padding: 6px 10px; }
.links a { margin-right: 18px; }
table.counts { border-collapse: collapse; font-size: 0.9em; }
table.counts td, table.counts th { padding: 2px 10px; border-bottom: 1px solid #eee; text-align: left; }
.figure { margin: 12px 0 24px; }\n.caption { color: #555; font-size: 0.9em; margin: 4px 0 0; }
"""


@dataclass(frozen=True)
class ReportResult:
    path: Path
    figures: int
    sections: dict[str, int]
    waiting_for: list[str]
    bytes: int


def render_report(
    snapshot_path: Path,
    out_path: Path,
    links: dict[str, str] | None = None,
    serving: dict[str, str] | None = None,
) -> ReportResult:
    """Write the report for the snapshot at `out_path` (replaced atomically). `links`: label -> relative href."""
    snap = Snapshot.open(snapshot_path)
    try:
        sections = build_sections(snap)
        manifest = snap.manifest()
    finally:
        snap.close()
    body, figures = _sections_html(sections)
    document = _document(body, manifest, links or {}, serving or {}, sections)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(document, encoding="utf-8")
    os.replace(tmp, out_path)
    return ReportResult(
        out_path,
        figures,
        {s.key: len(s.figures) for s in sections},
        sorted({w for s in sections for w in s.waiting_for}),
        out_path.stat().st_size,
    )


def figure_points(fig) -> int:
    """Points a figure draws: the non-null y values (x for horizontal bars) of its traces; a box
    counts the values it summarises."""
    total = 0
    for trace in fig.data:
        values = trace.x if getattr(trace, "orientation", None) == "h" else trace.y
        total += sum(1 for v in (values if values is not None else ()) if v is not None and v == v)
    return total


def _sections_html(sections: list[Section]) -> tuple[str, int]:
    parts: list[str] = []
    count = 0
    for section in sections:
        parts.append(f'<section id="{section.key}"><h2>{html.escape(section.title)}</h2>')
        parts.append(f"<p>{html.escape(section.intro)}</p>")
        for fig, caption in zip(section.figures, section.captions, strict=True):
            div = pio.to_html(
                fig,
                full_html=False,
                include_plotlyjs=count == 0,  # inline plotly.js once: the file works offline
                div_id=f"figure-{count}",
                config=PLOTLY_CONFIG,
            )
            parts.append(
                f'<div class="figure" data-section="{section.key}" data-points="{figure_points(fig)}">{div}'
                f'<p class="caption">{html.escape(caption)}</p></div>'
            )
            count += 1
        for waiting in section.waiting_for:
            parts.append(
                f'<p class="note waiting">Waiting for <code>{html.escape(waiting)}</code> (issue 4): '
                "this section uses it as soon as a run publishes it.</p>"
            )
        for note in section.notes:
            parts.append(f'<p class="note">{html.escape(note)}</p>')
        if section.sources:
            sources = ", ".join(f"<code>{html.escape(s)}</code>" for s in section.sources)
            parts.append(f'<p class="note">Data: {sources}</p>')
        parts.append("</section>")
    return "\n".join(parts), count


def _document(
    body: str, manifest: dict, links: dict[str, str], serving: dict[str, str], sections: list[Section]
) -> str:
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    publish_id = html.escape(str(manifest.get("publish_id", "?")))
    published_at = html.escape(str(manifest.get("published_at", "?")))
    link_html = " ".join(f'<a href="{html.escape(href)}">{html.escape(label)}</a>' for label, href in links.items())
    rows = "".join(
        f"<tr><td><code>marts.{html.escape(t)}</code></td><td>{n:,}</td></tr>"
        for t, n in manifest.get("tables", {}).items()
    )
    serving_html = "".join(f"<li><b>{html.escape(k)}</b>: {html.escape(v)}</li>" for k, v in serving.items())
    toc = " · ".join(f'<a href="#{s.key}">{html.escape(s.title.split(",")[0])}</a>' for s in sections)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>chipchain: supply-chain exposure report</title>
<style>{STYLE}</style></head>
<body>
<header>
<h1>Chips and rare earths: who depends on whom</h1>
<p class="meta">Generated {generated} from the published snapshot <code>{publish_id}</code>
(published {published_at}).</p>
<p class="links">{link_html}</p>
<p class="meta">{toc}</p>
</header>
{body}
<h2>What was published</h2>
<table class="counts"><tr><th>mart</th><th>rows</th></tr>{rows}</table>
<ul class="meta">{serving_html}</ul>
</body></html>
"""
