"""The management report renders on demo data and on a transactions-only workspace; the PDF has one
page for the KPIs plus one per section (pdftoppm renders each)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from loyalty.db import connect
from loyalty.demo import generate
from loyalty.filters import Filters
from loyalty.report import build_report, render_html, write_pdf
from loyalty.store import Workspace
from tests.conftest import FIXTURE_TRANSACTIONS, ROOT, d, make_workspace


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("report_demo"))
    generate(ws, customers=800, seed=7)
    return ws


def last_year(ws: Workspace) -> Filters:
    end = d(ws.snapshot().tables["transactions"].max_date)
    return Filters(start=d(f"{end.year - 1}-{end.month:02d}-01") if end.month < 12 else d(f"{end.year}-01-01"), end=end)


def test_report_on_demo_data_has_every_section_with_a_sentence(demo_ws):
    report = build_report(connect(demo_ws.snapshot()), demo_ws.snapshot(), last_year(demo_ws), "de")
    assert [k.kpi for k in report.kpis][:3] == ["customers", "orders", "revenue"]
    assert all(k.value != "–" for k in report.kpis)
    assert report.sections and all(s.sentence for s in report.sections)
    assert not [s.sentence for s in report.sections if "konnte nicht berechnet" in s.sentence]
    html = render_html(report)
    assert html.count("<section>") == len(report.sections)
    assert "plotly" in html and "Demodaten" in html


def test_report_on_demo_data_has_six_area_sections_each_with_a_chart(demo_ws):
    report = build_report(connect(demo_ws.snapshot()), demo_ws.snapshot(), last_year(demo_ws), "en")
    assert [s.area for s in report.sections] == ["cockpit", "repeat_purchase", "satisfaction", "cross_buying",
                                                 "customer_value", "measures"]
    assert all(s.figure is not None for s in report.sections), [s.sentence for s in report.sections]
    by_area = {s.area: s for s in report.sections}
    assert "repeat purchase rate was" in by_area["repeat_purchase"].sentence
    assert "The NPS was" in by_area["satisfaction"].sentence
    assert "two or more categories" in by_area["cross_buying"].sentence
    assert "The A customers" in by_area["customer_value"].sentence
    assert "evaluated measures" in by_area["measures"].sentence


def test_report_on_transactions_only_says_what_is_missing(tmp_path):
    ws = make_workspace(tmp_path, transactions=FIXTURE_TRANSACTIONS)
    report = build_report(connect(ws.snapshot()), ws.snapshot(), Filters(d("2026-01-01"), d("2026-03-31")), "en")
    assert report.kpis[0].value == "3" and report.kpis[2].value == "€190"
    assert not [s.sentence for s in report.sections if "could not be computed" in s.sentence]
    assert "<section>" in render_html(report)
    for section in report.sections:
        if section.figure is None:
            assert section.note or section.sentence  # says why there is no chart
    by_area = {s.area: s for s in report.sections}
    for area, table in (("satisfaction", "surveys"), ("measures", "measures")):
        assert by_area[area].figure is None
        assert f"needs the table “{table}”" in by_area[area].note
    # the fixture has categories, orders and customers: these areas still get their chart
    assert all(by_area[a].figure is not None for a in ("cockpit", "repeat_purchase", "cross_buying", "customer_value"))


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists() or not shutil.which("pdftoppm"),
                    reason="needs Debian's chromium and poppler-utils")
def test_pdf_has_one_page_per_section(demo_ws, tmp_path):
    report = build_report(connect(demo_ws.snapshot()), demo_ws.snapshot(), last_year(demo_ws), "en")
    pdf = write_pdf(render_html(report), tmp_path / "report.pdf")
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 1 + len(report.sections)
    assert all(p.stat().st_size > 1000 for p in pages)


def test_cli_report_writes_html_and_rejects_other_suffixes(demo_ws, tmp_path):
    out = tmp_path / "r.html"
    run = subprocess.run([sys.executable, "-m", "loyalty", "report", "--workspace", str(demo_ws.root), "--lang", "en",
                          "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    bad = subprocess.run([sys.executable, "-m", "loyalty", "report", "--workspace", str(demo_ws.root),
                          "--out", str(tmp_path / "r.docx")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "must end in .html or .pdf" in bad.stderr
