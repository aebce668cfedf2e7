"""Render a Report as one self-contained HTML file (plotly.js inlined once) and print it to PDF with
headless Chromium (Debian's /usr/bin/chromium; nothing is downloaded at run time)."""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import plotly.io as pio

from loyalty import i18n
from loyalty.report.model import Report

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
# CSS px (96 per inch): A4 (210 mm) minus the 2 x 12 mm page margins = 186 mm = 703 px; wider figures are cut
# off at the right edge of the printed page. 760 px of height leave room for the section title and sentence.
FIGURE_WIDTH = 700
FIGURE_MAX_HEIGHT = 760
STATUS_ICON = {"green": "●", "amber": "●", "red": "●", "": ""}
STATUS_TEXT = {"green": "report.status_green", "amber": "report.status_amber", "red": "report.status_red"}

CSS = """
@page { size: A4; margin: 14mm 12mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #1b2631; margin: 0 auto; max-width: 980px; }
header { border-bottom: 3px solid #1f4e79; margin-bottom: 12px; }
h1 { color: #1f4e79; margin: 0 0 4px 0; font-size: 26px; }
h2 { color: #1f4e79; font-size: 19px; margin: 0 0 6px 0; }
.meta { color: #566573; font-size: 13px; margin: 2px 0; }
.demo { background: #fef5e7; border-left: 4px solid #f39c12; padding: 6px 10px; font-size: 13px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin-top: 10px; }
th, td { padding: 6px 8px; border-bottom: 1px solid #d5dbdb; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #eaf2f8; }
.green { color: #1e8449; } .amber { color: #d68910; } .red { color: #c0392b; }
section { page-break-before: always; break-before: page; padding-top: 6px; }
.sentence { font-size: 14px; margin: 4px 0 8px 0; }
.note { color: #566573; font-style: italic; font-size: 13px; }
footer { color: #808b96; font-size: 11px; margin-top: 16px; }
@media print { .modebar-container { display: none !important; } }
"""


def _kpi_table(report: Report) -> str:
    t = lambda key: html.escape(i18n.t(key, report.lang))  # noqa: E731 - local shorthand
    rows = "".join(
        f"<tr><td>{html.escape(k.label)}</td><td><b>{html.escape(k.value)}</b></td><td>{html.escape(k.previous)}</td>"
        f"<td>{html.escape(k.change)}</td><td>{html.escape(k.target)}</td>"
        f"<td class='{k.status}'>{STATUS_ICON[k.status]} {t(STATUS_TEXT[k.status]) if k.status else ''}</td></tr>"
        for k in report.kpis
    )
    return (f"<table><thead><tr><th>{t('report.kpi')}</th><th>{t('report.actual')}</th>"
            f"<th>{t('report.previous')}</th><th>{t('report.change')}</th><th>{t('report.target')}</th>"
            f"<th>{t('report.status')}</th></tr></thead><tbody>{rows}</tbody></table>")


def render_html(report: Report) -> str:
    lang = report.lang
    period = f"{i18n.fmt_date(report.start, lang)} – {i18n.fmt_date(report.end, lang)}"
    comparison = i18n.t(f"filters.{report.comparison}", lang)
    parts = [
        f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>",
        f"<title>{html.escape(report.title)} {period}</title><style>{CSS}</style></head><body>",
        f"<header><h1>{html.escape(report.title)}</h1>",
        f"<p class='meta'>{html.escape(i18n.t('filters.period', lang))}: {period} · "
        f"{html.escape(i18n.t('filters.comparison', lang))}: {html.escape(comparison)} · "
        f"{html.escape(report.filters_text)}</p>",
        f"<p class='meta'>{html.escape(i18n.t('report.generated', lang, time=report.generated_at))}</p></header>",
    ]
    if report.demo:
        parts.append(f"<p class='demo'>{html.escape(i18n.t('app.demo_notice', lang))}</p>")
    parts.append(f"<h2>{html.escape(i18n.t('report.kpis', lang))}</h2>{_kpi_table(report)}")
    plotly_included = False
    for section in report.sections:
        parts.append(f"<section><h2>{html.escape(section.title)}</h2>")
        parts.append(f"<p class='sentence'>{html.escape(section.sentence)}</p>")
        if section.figure is not None:
            fig = section.figure
            fig.update_layout(width=FIGURE_WIDTH, height=min(fig.layout.height or 420, FIGURE_MAX_HEIGHT))
            parts.append(pio.to_html(fig, full_html=False, include_plotlyjs=not plotly_included,
                                     config={"displaylogo": False, "staticPlot": False}))
            plotly_included = True
        if section.note:
            parts.append(f"<p class='note'>{html.escape(section.note)}</p>")
        parts.append("</section>")
    parts.append(f"<footer>Loyalty Cockpit · {html.escape(i18n.t('report.footer', lang))}</footer></body></html>")
    return "".join(parts)


def find_chromium() -> str:
    for candidate in (os.environ.get("LOYALTY_CHROMIUM", ""), *CHROMIUM_CANDIDATES):
        if candidate and Path(candidate).exists():
            return candidate
    found = shutil.which("chromium")
    if found:
        return found
    raise RuntimeError("PDF export needs Chromium: install it with `apt-get install -y chromium` "
                       "(or set LOYALTY_CHROMIUM to the browser's path); the HTML report works without it.")


def write_pdf(html_text: str, pdf_path: Path, timeout: float = 120) -> Path:
    """Print the HTML with headless Chromium; charts are drawn by plotly.js before printing."""
    pdf_path = Path(pdf_path)
    chromium = find_chromium()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "report.html"
        source.write_text(html_text, encoding="utf-8")
        out = Path(tmp) / "report.pdf"
        cmd = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp}/profile",
               "--no-pdf-header-footer", "--virtual-time-budget=20000", "--run-all-compositor-stages-before-draw",
               f"--print-to-pdf={out}", source.as_uri()]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if not out.exists() or out.stat().st_size == 0:
            raise RuntimeError(f"Chromium could not print the report: {result.stderr.strip()[-300:]}")
        tmp_target = pdf_path.with_name(f".{pdf_path.name}.tmp")
        shutil.copyfile(out, tmp_target)
        os.replace(tmp_target, pdf_path)
    return pdf_path
